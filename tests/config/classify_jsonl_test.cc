#include "config/classify_jsonl.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace shagym::config {
namespace classify_jsonl_test {

std::vector<Labels> SomeLabels() {
  std::vector<Labels> out;
  out.emplace_back();  // a non-complaint
  out.back().rules_version = "ad314995f1444e9a";
  Labels l;
  l.lang = "kk";
  l.categories = {"bullying", "violence"};
  l.severity = "high";
  l.region = "jambyl";
  l.school_number = "12";
  l.institution = "school";
  l.matches = {{"kk.bullying.1", "bullying", 10, 22},
               {"ru.violence.\"2\"", "violence", 0, 1234567890123}};
  l.rules_version = "0123456789abcdef";
  out.push_back(l);
  l.matches[0].rule = "bad\xff utf8\n";  // nlohmann replaces the bad byte
  out.push_back(l);
  return out;
}

// Runs `line` through the hand-written path and through nlohmann: the same
// problem, the same output bytes. Returns whether the fast path took it.
bool SameAsReference(const std::string& line) {
  bool fast_taken = false;
  for (const Labels& labels : SomeLabels()) {
    ClassifyJsonl fast(true), reference(false);
    std::string p1 = fast.Parse(line);
    std::string p2 = reference.Parse(line);
    EXPECT_FALSE(reference.fast());
    EXPECT_EQ(p1, p2) << line;
    if (!p1.empty() || !p2.empty()) continue;
    EXPECT_EQ(fast.text(), reference.text()) << line;
    EXPECT_EQ(fast.region(), reference.region()) << line;
    std::string r1 = "stale", r2 = "stale";
    fast.Region(&r1);
    reference.Region(&r2);
    EXPECT_EQ(r1, r2) << line;
    EXPECT_EQ(r1, fast.region()) << line;
    std::string o1 = "prefix", o2 = "prefix";
    fast.Write(labels, &o1);
    reference.Write(labels, &o2);
    EXPECT_EQ(o1, o2) << line;
    fast_taken = fast_taken || fast.fast();
  }
  return fast_taken;
}

TEST(ClassifyJsonlTest, FlatStringObjectsTakeTheFastPathWithSameOutput) {
  const std::vector<std::string> lines = {
      R"({"id":"1","text":"мектепте ұрды"})",
      R"(  { "id" : "1" , "text" : "a" , "x" : "y" }  )",
      "{\"text\":\"tab\\tnl\\ncr\\rbs\\\\q\\\"sl\\/b\\bf\\f\"}",
      R"({"text":"\u0000\u001f\u007f\u00e9\u0416\u20ac\ud83d\ude00"})",
      "{\"text\":\"raw \x7f del, é, Ж, \xe2\x82\xac, \xf0\x9f\x98\x80\"}",
      R"({"text":"x","region":"almaty","lang":"ru","categories":"z"})",
      R"({"text":"x","review":"confirmed","source":"tg","url":"u"})",
      R"({"text":"x","published_at":"2024-05-13T10:00:00Z","author":"a"})",
      R"({"text":"x","incident":"i","duplicate_of":"d","zz":"last"})",
      R"({"text":"x","matches":"m","rules_version":"v","institution":"i"})",
      R"({"text":""})",
      R"({"text":"x","":"empty key","\u00e9":"escaped key"})",
      "{\"text\":\"x\"}\t",
  };
  for (const std::string& line : lines) {
    EXPECT_TRUE(SameAsReference(line)) << "not on the fast path: " << line;
  }
}

// The fast writer fills a buffer sized ahead by an upper bound of the line:
// lines where every byte needs a six-byte escape, many matches and the
// longest numbers still come out as nlohmann writes them.
TEST(ClassifyJsonlTest, WorstCaseEscapesAndManyMatchesSameOutput) {
  std::string controls;
  for (int c = 1; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  std::string escaped;  // `controls` as a JSON string's content
  for (char c : controls) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
    escaped += buf;
  }
  const std::string line = "{\"id\":\"" + escaped + "\",\"text\":\"" + escaped +
                           escaped + "\",\"" + escaped + "\":\"" + escaped +
                           "\",\"region\":\"" + escaped + "\"}";
  Labels l;
  l.lang = controls;
  l.categories = {controls, controls + controls};
  l.severity = controls;
  l.region = controls;
  l.school_number = controls;
  l.institution = controls;
  l.rules_version = controls;
  for (int m = 0; m < 300; ++m) {
    l.matches.push_back(
        Match{controls + std::to_string(m), controls, INT64_MIN, INT64_MAX});
  }
  for (std::string prefix : {"", "prefix"}) {
    ClassifyJsonl fast(true), reference(false);
    ASSERT_EQ(fast.Parse(line), "");
    ASSERT_EQ(reference.Parse(line), "");
    EXPECT_TRUE(fast.fast());
    std::string o1 = prefix, o2 = prefix;
    fast.Write(l, &o1);
    reference.Write(l, &o2);
    EXPECT_EQ(o1, o2);
  }
}

TEST(ClassifyJsonlTest, EverythingElseFallsBackWithSameResult) {
  const std::vector<std::string> lines = {
      R"({"id":1,"text":"number id"})",
      R"({"text":"x","published_at":1715594400})",
      R"({"text":"x","tags":["a","b"],"meta":{"k":null}})",
      R"({"text":"x","region":null})",
      R"({"text":"first","text":"duplicate"})",
      R"({"id":"1"})",
      R"({})",
      R"({"text":5})",
      R"(["text"])",
      R"("text")",
      R"({"text":"x"} trailing)",
      R"({"text":"x",})",
      R"({"text":"x")",
      R"({"text":"\ud83d"})",
      R"({"text":"\ude00"})",
      R"({"text":"\x"})",
      R"({"text":"\u12g4"})",
      "{\"text\":\"raw\nnewline\"}",
      "{\"text\":\"bad \xff byte\"}",
      "{\"text\":\"overlong \xc0\xaf\"}",
      "{\"text\":\"surrogate \xed\xa0\x80\"}",
      "{\"text\":\"cut \xe2\x82\"}",
      "{\"text\":\"x\"}\x01",
      "not json at all",
  };
  for (const std::string& line : lines) {
    EXPECT_FALSE(SameAsReference(line)) << "on the fast path: " << line;
  }
}

// Strings are read eight bytes at a time where they hold only ASCII and
// two-byte sequences: random mixes of valid, invalid and escaped pieces,
// so that every piece falls at every offset of an eight-byte chunk (a
// sequence cut by the chunk's end, an overlong C0/C1 lead, a lone
// continuation byte, a raw quote or control byte inside a chunk).
TEST(ClassifyJsonlTest, RandomPiecesAtEveryChunkOffset) {
  const std::vector<std::string> pieces = {"a",
                                           " ",
                                           "Zz",
                                           "\xd0\xb6",
                                           "\xd2\x9b",
                                           "\xc3\xa9",
                                           "\xc2\x80",
                                           "\xdf\xbf",
                                           "\xe2\x82\xac",
                                           "\xf0\x9f\x98\x80",
                                           "\\n",
                                           "\\\"",
                                           "\\u0416",
                                           "\"",
                                           "\\",
                                           "\x01",
                                           "\x1f",
                                           "\x7f",
                                           "\xff",
                                           "\x80",
                                           "\xbf",
                                           "\xc0\xaf",
                                           "\xc1\xbf",
                                           "\xd0",
                                           "\xe0\x80\x80",
                                           "\xed\xa0\x80",
                                           "\xf5\x80\x80\x80"};
  uint32_t rng = 17;
  auto next = [&rng](size_t n) {
    rng = rng * 1103515245u + 12345u;
    return static_cast<size_t>((rng >> 16) % n);
  };
  int fast = 0, slow = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    const size_t parts = next(40);
    // Half the lines of valid pieces only (the first ten), the others
    // mostly, so that long plain runs occur.
    for (size_t k = 0; k < parts; ++k) {
      const bool valid = i % 2 == 0 || next(4) != 0;
      text += pieces[valid ? next(10) : next(pieces.size())];
    }
    std::string line =
        "{\"id\":\"" + std::to_string(i) + "\",\"text\":\"" + text + "\"";
    if (i % 3 == 0) line += ",\"k" + text + "\":\"" + text + "\"";
    line += "}";
    if (SameAsReference(line)) {
      ++fast;
    } else {
      ++slow;
    }
  }
  EXPECT_GT(fast, 1000);
  EXPECT_GT(slow, 1000);
}

// A string's closing quote at every place of a sixteen-byte chunk, after
// ASCII, after whole Cyrillic letters, and after a sequence cut short (a
// lone lead, the first two bytes of three, a stray continuation), with the
// line going on long enough for the chunk to hold the quote: the fast path
// stops at the quote exactly where the byte-by-byte reading does, and
// refuses the cut sequences as the reference does.
TEST(ClassifyJsonlTest, ClosingQuoteAtEveryChunkOffset) {
  int fast = 0, refused = 0;
  for (const std::string tail : {"", "\xd0\xb6", "\xd0", "\xe2\x82", "\xb6",
                                 "\xd0\xb6\xd0", "\xc1", "\xd0\xb6\xb6"}) {
    for (size_t pad = 0; pad < 20; ++pad) {
      for (const std::string filler : {"a", "\xd0\xb6"}) {
        std::string value;
        for (size_t k = 0; k < pad; ++k) value += filler;
        value += tail;
        const std::string line = "{\"id\":\"" + value + "\",\"text\":\"" +
                                 value +
                                 "\",\"z\":\"0123456789abcdefghijklmnop\"}";
        ClassifyJsonl probe(true);
        if (!probe.Parse(line).empty()) ++refused;
        if (SameAsReference(line)) ++fast;
      }
    }
  }
  EXPECT_EQ(fast, 2 * 20 * 2);     // "" and a whole letter
  EXPECT_EQ(refused, 6 * 20 * 2);  // the cut sequences
}

// The team's labelled posts, as lines of their own files: whatever keys and
// types they carry, the same output.
TEST(ClassifyJsonlTest, LabelledSetsSameOutput) {
  int lines = 0, fast = 0;
  for (const char* f :
       {"/tests/data/rules_dev.jsonl", "/tests/data/text_labelled.jsonl"}) {
    std::ifstream in(std::string(SHAGYM_SOURCE_DIR) + f);
    std::string line;
    while (std::getline(in, line) && lines < 3000) {
      ++lines;
      fast += SameAsReference(line);
      // The same post as the flat objects classify usually reads.
      ClassifyJsonl c(false);
      if (c.Parse(line).empty()) {
        nlohmann::json flat = {{"id", std::to_string(lines)},
                               {"text", std::string(c.text())}};
        EXPECT_TRUE(SameAsReference(flat.dump()));
      }
    }
  }
  EXPECT_GT(lines, 500);
  std::printf("%d labelled lines, %d on the fast path as they are\n", lines,
              fast);
}

}  // namespace classify_jsonl_test
}  // namespace shagym::config
