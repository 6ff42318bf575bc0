#pragma once

// Named things a complaint is about (SPEC "Text" → entities): the region of
// Kazakhstan (one of the 20 SPEC ids) from region, city, district and town
// names in any case form of Kazakh or Russian (or Latin script), the school
// number ("№12 мектеп", "12-мектеп", "школа-гимназия №5", "СОШ 34") and the
// type of institution. Built once from a Gazetteer (config/ loads it from
// gazetteer/regions.yaml); thread-safe after Create().
//
//   auto ex = nlp::EntityExtractor::Create(gazetteer);
//   nlp::Entities e = (*ex)->Extract(nlp::Analyze(*normalizer, text));
//   post.region = e.region; post.school_number = e.school_number;

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "nlp/analysis.h"
#include "nlp/normalize.h"
#include "nlp/tokenize.h"

namespace shagym::nlp {

enum class PlaceKind { kRegion, kCity, kDistrict, kTown };

// One place name of the gazetteer, as written (any case, any script); the
// extractor normalises it and matches its inflected forms itself.
struct GazetteerPlace {
  std::string name;  // "Тараз", "Жамбылская область", "Taraz"
  std::string region;  // SPEC region id
  PlaceKind kind = PlaceKind::kTown;
  // Other regions that have a place of the same name (e.g. "Жамбыл ауданы"
  // exists in three regions): `region` is only the fallback, a mention of
  // one of these elsewhere in the post wins.
  std::vector<std::string> also;
  // Only matches where the original is written with a capital letter:
  // for names that are also common words ("Семей" / "семей" = "families").
  bool capitalized_only = false;
  std::string where;  // "FILE:LINE:COL", for messages
};

struct Gazetteer {
  std::vector<GazetteerPlace> places;
  // Phrases that look like a place but are not (e.g. "абай болыңыз" = "be
  // careful"); a place match inside one of them is dropped.
  std::vector<std::string> not_places;
};

// Byte range in the normalised text; begin == end when absent.
struct TextSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool empty() const { return begin == end; }
};

struct RegionMention {
  std::string region;  // SPEC id
  PlaceKind kind = PlaceKind::kTown;
  TextSpan span;  // normalised text
};

struct Entities {
  std::string region;         // SPEC region id, or "" when none
  std::string school_number;  // "12", "5" or "" (digits only)
  // "school", "boarding_school", "kindergarten", "college", "camp",
  // "university" or "".
  std::string institution;
  TextSpan region_span;                // the mention that decided `region`
  TextSpan school_span;                // "№12 мектеп" etc.
  std::vector<RegionMention> regions;  // every place mention, text order
};

class EntityExtractor {
 public:
  // Fails with InvalidArgument naming the place's `where` when a name is
  // empty or a region id is not one of the SPEC's 20.
  static StatusOr<std::unique_ptr<EntityExtractor>> Create(
      const Gazetteer& gazetteer);
  ~EntityExtractor();
  EntityExtractor(const EntityExtractor&) = delete;
  EntityExtractor& operator=(const EntityExtractor&) = delete;

  // Never fails; fields stay empty when nothing is found.
  Entities Extract(const NormalizedText& text) const;
  // Same, reusing the tokens of an analysed post (the pipeline's form).
  Entities Extract(const AnalyzedText& text) const;

  // Testing, process-wide. While off, every token's skeleton is written
  // before its first letters are looked at (the reference the letter
  // prefilter, on by default, must agree with).
  static void SetLetterPrefilterForTesting(bool on);

 private:
  Entities Extract(const NormalizedText& text,
                   const std::vector<Token>& tokens) const;
  EntityExtractor();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The 20 region ids of SPEC.md, sorted.
const std::vector<std::string>& SpecRegionIds();

}  // namespace shagym::nlp
