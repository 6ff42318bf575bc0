// `store_memory`: the store's memory budget in the configuration.

#include <gtest/gtest.h>

#include "config/config.h"

namespace shagym::config {
namespace store_memory_config_test {

TEST(StoreMemoryConfigTest, DefaultsToZeroMeaningTheStoreDefault) {
  auto c = LoadFromString("data_dir: d\n", "t.yaml", "/base");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->store.memory_bytes, 0);
}

TEST(StoreMemoryConfigTest, ReadsASize) {
  auto c = LoadFromString("store_memory: 96MB\n", "t.yaml", "/base");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->store.memory_bytes, int64_t{96} * 1000 * 1000);
}

TEST(StoreMemoryConfigTest, RefusesTooSmallOrMalformedWithItsLine) {
  auto c = LoadFromString("data_dir: d\nstore_memory: 1MB\n", "t.yaml", "/b");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("t.yaml:2:"), std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("at least 16MiB"), std::string::npos);
  c = LoadFromString("store_memory: lots\n", "t.yaml", "/b");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("store_memory"), std::string::npos);
}

}  // namespace store_memory_config_test
}  // namespace shagym::config
