#pragma once

// One entity extractor (shipped gazetteer) and one normaliser per test
// suite, for the entity tests.

#include <gtest/gtest.h>

#include <memory>

#include "config/gazetteer_loader.h"
#include "nlp/entities.h"
#include "nlp/normalize.h"

namespace shagym::nlp {

class EntityFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = config::LoadGazetteer("config/gazetteer/regions.yaml");
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    auto ex = EntityExtractor::Create(*g);
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    extractor_ = std::move(*ex);
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok());
    normalizer_ = std::move(*n);
  }
  static void TearDownTestSuite() {
    extractor_.reset();
    normalizer_.reset();
  }

  static inline std::unique_ptr<EntityExtractor> extractor_;
  static inline std::unique_ptr<Normalizer> normalizer_;
};

}  // namespace shagym::nlp
