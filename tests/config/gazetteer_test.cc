#include <gtest/gtest.h>

#include <set>

#include "config/config.h"
#include "config/gazetteer_loader.h"
#include "tests/testing/temp_dir.h"

namespace shagym::config {
namespace gazetteer_test {

TEST(GazetteerTest, ShippedFileCoversAllRegions) {
  auto g = LoadGazetteer("config/gazetteer/regions.yaml");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::set<std::string> regions;
  std::map<std::string, std::set<nlp::PlaceKind>> kinds;
  for (const nlp::GazetteerPlace& p : g->places) {
    regions.insert(p.region);
    kinds[p.region].insert(p.kind);
    EXPECT_FALSE(p.where.empty());
  }
  EXPECT_EQ(regions.size(), 20u);
  for (const std::string& id : RegionIds()) {
    EXPECT_TRUE(kinds[id].count(nlp::PlaceKind::kCity) ||
                kinds[id].count(nlp::PlaceKind::kRegion))
        << id;
    EXPECT_TRUE(kinds[id].count(nlp::PlaceKind::kDistrict)) << id;
  }
  EXPECT_GT(g->places.size(), 500u);
  EXPECT_FALSE(g->not_places.empty());
}

std::string Minimal(const std::string& extra_region) {
  std::string y = "regions:\n";
  for (const std::string& id : RegionIds()) {
    y += "  " + id + ":\n    cities: [Place_" + id + "]\n";
  }
  return y + extra_region;
}

TEST(GazetteerTest, MinimalFileLoads) {
  auto g = LoadGazetteerFromString(Minimal(""), "g.yaml");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->places.size(), 20u);
}

TEST(GazetteerTest, CapitalizedEntry) {
  std::string y = Minimal("") +
                  "ambiguous:\n  - {name: Жамбыл ауданы, region: "
                  "almaty_region, also: [jambyl]}\n";
  y.replace(y.find("Place_abai"), 10, "{name: Семей, capitalized: true}");
  auto g = LoadGazetteerFromString(y, "g.yaml");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  bool found = false;
  for (const auto& p : g->places) {
    if (p.name == "Семей") {
      found = true;
      EXPECT_TRUE(p.capitalized_only);
    }
    if (p.name == "Жамбыл ауданы") {
      EXPECT_EQ(p.region, "almaty_region");
      EXPECT_EQ(p.also, std::vector<std::string>{"jambyl"});
    }
  }
  EXPECT_TRUE(found);
}

struct BadCase {
  std::string yaml;
  std::string want;  // substring of the error, with FILE:LINE:COL
};

TEST(GazetteerTest, ErrorsNameFileLineColumn) {
  const BadCase cases[] = {
      {"regions:\n  zhambyl:\n    cities: [Тараз]\n",
       "g.yaml:2:3: unknown key 'zhambyl' in regions (did you mean 'jambyl'?)"},
      {"regions:\n  jambyl:\n    cites: [Тараз]\n",
       "g.yaml:3:5: unknown key 'cites'"},
      {"regions:\n  jambyl:\n    cities: Тараз\n",
       "g.yaml:3:13: expected a list of place names"},
      {"regions:\n  jambyl:\n    cities: [Тараз, Тараз]\n",
       "g.yaml:3:26: place 'Тараз' is already listed at g.yaml:3:14"},
      {"regions:\n  jambyl:\n    cities: [\"\"]\n",
       "g.yaml:3:14: empty place name"},
      {"regions: [\n", "g.yaml:2:1: YAML syntax error"},
      {"regions:\n  jambyl:\n    cities: [Тараз]\n", "regions lacks 'abai'"},
      {"", "empty gazetteer"},
  };
  for (const BadCase& c : cases) {
    auto g = LoadGazetteerFromString(c.yaml, "g.yaml");
    ASSERT_FALSE(g.ok()) << c.yaml;
    EXPECT_NE(g.status().message().find(c.want), std::string::npos)
        << g.status().message() << "\nwanted: " << c.want;
  }
  auto g = LoadGazetteerFromString(
      Minimal("ambiguous:\n  - {name: X, region: zhambyl}\n"), "g.yaml");
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("unknown region id 'zhambyl'"),
            std::string::npos)
      << g.status().message();
}

TEST(GazetteerTest, MissingFile) {
  testing::TempDir dir;
  auto g = LoadGazetteer(dir.File("nope.yaml"));
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("nope.yaml"), std::string::npos);
}

}  // namespace gazetteer_test
}  // namespace shagym::config
