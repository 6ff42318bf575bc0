#pragma once

// Which word terms occur in a text without a regex pass: the normalised
// text is cut into runs of word characters (the characters the rule
// patterns treat as letters, kWordChars), and each run is looked up in a
// hash table of the literal forms of the terms' words, whole (`школа`) or
// as the start of the run (`школ*`, a stem's variants). Internal to
// nlp/rules; the rule set keeps RE2 for what the index cannot express.
//
// Equivalent to the RE2 patterns the rule compiler writes for the same
// words ([^W]form[^W], [^W]form[W]*[^W], [^W]stem on the text with a
// space at both ends, W = kWordChars) on every text for which Segment()
// returns true: valid UTF-8 without the one character (ј, U+0458) that a
// Kazakh look-alike form contains and that is not a word character.
//
//   WordIndex index;
//   index.Add({"школа"}, /*prefix=*/false, 0);
//   index.Add({"мектеп", "мектеб"}, /*prefix=*/true, 1);
//   index.Build();
//   std::vector<WordIndex::Run> runs;
//   if (WordIndex::Segment(text, &runs)) {
//     for (const auto& r : runs) index.Lookup(text, r, [](uint32_t id) {});
//   }

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shagym::nlp {

// The word characters of the rule patterns, as the inside of an RE2
// character class. RE2's \b and \w are ASCII-only; these are the letters
// and digits the normaliser produces for Kazakh, Russian and English.
#define SHAGYM_RULE_WORD_CHARS "0-9a-zа-яёәғқңөұүһі"
inline constexpr char kWordChars[] = SHAGYM_RULE_WORD_CHARS;

// True when `c` is one of kWordChars.
bool IsRuleWordChar(char32_t c);

class WordIndex {
 public:
  struct Run {
    uint32_t begin = 0;  // byte offsets in the text
    uint32_t end = 0;
  };

  WordIndex();
  ~WordIndex();
  WordIndex(WordIndex&&) noexcept;
  WordIndex& operator=(WordIndex&&) noexcept;

  // `id` is reported for a run equal to one of `forms` (prefix: a run that
  // starts with one). REQUIRES: every form is non-empty and made of word
  // characters only; Build() not called yet.
  void Add(const std::vector<std::string>& forms, bool prefix, uint32_t id);
  void Build();

  // Sets `runs` to the maximal runs of word characters of `text`, in order.
  // False (and `runs` incomplete) when the index cannot stand for the
  // patterns on this text: invalid UTF-8, or ј (U+0458) present.
  static bool Segment(std::string_view text, std::vector<Run>* runs);

  // What the raw patterns' literal filter (literal_filter.h) needs of a
  // text, noted in the same pass: a bit for each character and for each
  // pair of neighbouring characters (an occurrence of a string sets the
  // bits GramBits() gives), and whether a character changes when
  // lowercased or case-folded.
  struct CharMap {
    std::array<uint64_t, 64> bits{};
    bool changes_case = false;
  };
  // Segment(), and sets `map` for the whole text when it returns true.
  static bool Segment(std::string_view text, std::vector<Run>* runs,
                      CharMap* map);
  // The CharMap bits an occurrence of `s` (valid UTF-8) sets: its pairs,
  // or its one character.
  static std::vector<uint16_t> GramBits(std::string_view s);

  // A form matching run `run` (an index into the runs) with id `id`.
  struct Hit {
    uint32_t run = 0;
    uint32_t id = 0;
  };
  // Segment() (with `map` unless null) and Lookup() of every run in the
  // same pass: `hits` gets, run by run, the sorted distinct ids of the
  // forms matching it. `ids` is scratch. When false, `hits` is incomplete.
  bool SegmentAndLookup(std::string_view text, std::vector<Run>* runs,
                        CharMap* map, std::vector<Hit>* hits,
                        std::vector<uint32_t>* ids) const;

  // Appends to `ids` the ids of every form matching `run` of `text`.
  void Lookup(std::string_view text, const Run& run,
              std::vector<uint32_t>* ids) const;

  size_t form_count() const;

 private:
  // Open addressing over the forms' hashes, with a bit filter in front
  // (most runs and most prefixes of runs are no form).
  struct Table {
    struct Slot {
      uint64_t hash = 0;
      uint32_t key = 0;      // offset in keys
      uint32_t key_len = 0;  // 0: empty slot
      uint32_t first = 0;    // ids[first, first + count)
      uint32_t count = 0;
    };
    std::vector<uint64_t> filter;
    std::vector<Slot> slots;
    std::string keys;
    std::vector<uint32_t> ids;
    std::vector<std::pair<std::string, uint32_t>> pending;  // before Build
    size_t forms = 0;

    void Build();
    void Probe(uint64_t hash, const char* key, size_t len,
               std::vector<uint32_t>* out) const;
  };
  std::vector<uint8_t> prefix_lengths_;  // [byte length] = 1 when a prefix
  uint64_t prefix_short_ = 0;            // bit L: prefix_lengths_[L], L < 64
  Table whole_;
  Table prefix_;
};

}  // namespace shagym::nlp
