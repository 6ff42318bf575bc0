// Writes every observable result of the text step (normalised text, a digest
// of both offset arrays, capitalised-word offsets, tokens, language and its
// scores, entities with every region mention) for a fixed set of texts: the
// real corpora of the shared realworld folder, every line of the team's
// tests/data/*.jsonl sets, and 30,000 generated texts mixing homoglyphs,
// Latin Kazakh, combining marks, emoji, URLs, mentions and invalid UTF-8.
// Two builds whose dumps are byte-identical (`cmp`) give the same results, so
// an optimisation of nlp/ can be checked against the code before it.
//
//   build/bench/text_step_dump [--realworld DIR] [--gazetteer FILE] OUT
//
// Also checks that the entry points taking a NormalizedText or a string
// agree with the ones taking an AnalyzedText, and that the tokens Analyze()
// cuts while normalising are Tokenize() of the normalised text; exits 1 when
// not.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench/realworld_corpus.h"
#include "bench/text_step_tools.h"
#include "config/gazetteer_loader.h"
#include "nlp/analysis.h"
#include "nlp/entities.h"
#include "nlp/langid.h"
#include "nlp/normalize.h"
#include "nlp/tokenize.h"

namespace {

using shagym::bench::CsvSecondColumn;
using shagym::bench::Lines;
using shagym::bench::ReadAll;

uint64_t Fnv(const void* p, size_t n, uint64_t h) {
  const auto* s = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    h ^= s[i];
    h *= 1099511628211ull;
  }
  return h;
}

// Texts built from pieces that exercise every path of the normaliser.
std::vector<std::string> GeneratedTexts(int count) {
  static const char* const kPieces[] = {"a",
                                        "b",
                                        "c",
                                        "e",
                                        "h",
                                        "k",
                                        "m",
                                        "o",
                                        "p",
                                        "t",
                                        "x",
                                        "y",
                                        "i",
                                        "n",
                                        "u",
                                        "r",
                                        "q",
                                        "g",
                                        "s",
                                        "z",
                                        "j",
                                        "A",
                                        "B",
                                        "E",
                                        "H",
                                        "K",
                                        "M",
                                        "O",
                                        "P",
                                        "T",
                                        "X",
                                        "Y",
                                        "I",
                                        "а",
                                        "б",
                                        "в",
                                        "е",
                                        "ё",
                                        "Ё",
                                        "ж",
                                        "к",
                                        "л",
                                        "м",
                                        "н",
                                        "о",
                                        "р",
                                        "с",
                                        "т",
                                        "у",
                                        "ы",
                                        "і",
                                        "І",
                                        "ә",
                                        "Ә",
                                        "ғ",
                                        "қ",
                                        "Қ",
                                        "ң",
                                        "ө",
                                        "ұ",
                                        "ү",
                                        "һ",
                                        "ъ",
                                        "ь",
                                        "я",
                                        "ю",
                                        "Я",
                                        "Ж",
                                        "Ш",
                                        " ",
                                        " ",
                                        " ",
                                        "  ",
                                        "-",
                                        ".",
                                        ",",
                                        "!",
                                        "?",
                                        "'",
                                        "’",
                                        "ʼ",
                                        "`",
                                        "#",
                                        "@",
                                        "№",
                                        "\n",
                                        "\t",
                                        "0",
                                        "1",
                                        "2",
                                        "5",
                                        "12",
                                        "мектеп",
                                        "школа",
                                        "школе",
                                        "№12",
                                        "Тараз",
                                        "Таразда",
                                        "в ",
                                        "Шымкент",
                                        "Алматы",
                                        "Семей",
                                        "семей",
                                        "абай болыңыз",
                                        "Абай ауданы",
                                        "СОШ",
                                        "гимназия",
                                        "бала бақша",
                                        "https://x.kz/a",
                                        "www.site.ru",
                                        "mail.ru/x",
                                        "@user_1",
                                        "#тег",
                                        "😀",
                                        "👍🏽",
                                        "👨‍👩‍👧",
                                        "🇰🇿",
                                        "❤️",
                                        "©",
                                        "\xCC\x81",
                                        "\xCC\x88",
                                        "\xCC\xA7",
                                        "\xD2\x83",
                                        "ä",
                                        "ğ",
                                        "ı",
                                        "ñ",
                                        "ö",
                                        "ş",
                                        "ū",
                                        "ü",
                                        "á",
                                        "ǵ",
                                        "ń",
                                        "ó",
                                        "ú",
                                        "ç",
                                        "é",
                                        "İ",
                                        "ﬁ",
                                        "Ⅻ",
                                        "ＡＢ",
                                        "①",
                                        "ß",
                                        "ẞ",
                                        "Ω",
                                        "\xAD",
                                        "\u200B",
                                        "\xEF\xBB\xBF",
                                        "\xFF",
                                        "\xC3",
                                        "\xE2\x82",
                                        "\xF0\x9F",
                                        "\xED\xA0\x80",
                                        "ааа",
                                        "ооо",
                                        "ыыы",
                                        "aaa",
                                        "iii",
                                        "sh",
                                        "ch",
                                        "zh",
                                        "gh",
                                        "ng",
                                        "ya",
                                        "yu",
                                        "o'",
                                        "g'",
                                        "n'",
                                        "qazaq",
                                        "mektepte",
                                        "balalar",
                                        "the",
                                        "school",
                                        "v shkole",
                                        "don't",
                                        "oqituvchi",
                                        "ш",
                                        "щ",
                                        "э",
                                        "ф",
                                        "ц",
                                        "日本",
                                        "ع",
                                        "ℌ",
                                        "ǅ",
                                        "ǈ",
                                        "Ꭰ",
                                        "\xEF\xBF\xBD",
                                        "\xF4\x90\x80\x80"};
  const size_t n = sizeof(kPieces) / sizeof(kPieces[0]);
  std::mt19937 rng(12345);
  std::vector<std::string> out;
  for (int t = 0; t < count; ++t) {
    std::string s;
    const int len = 1 + static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) s += kPieces[rng() % n];
    out.push_back(std::move(s));
  }
  out.emplace_back();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source = SHAGYM_SOURCE_DIR;
  std::string realworld = source + "/../shared/realworld";
  if (const char* env = std::getenv("SHAGYM_REALWORLD")) realworld = env;
  std::string gazetteer = source + "/config/gazetteer/regions.yaml";
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--realworld") && i + 1 < argc) {
      realworld = argv[++i];
    } else if (!std::strcmp(argv[i], "--gazetteer") && i + 1 < argc) {
      gazetteer = argv[++i];
    } else {
      out_path = argv[i];
    }
  }
  if (out_path.empty()) {
    std::fprintf(stderr,
                 "usage: text_step_dump [--realworld DIR] [--gazetteer FILE] "
                 "OUT\n");
    return 2;
  }
  const std::string dir = realworld + "/corpora/";
  std::vector<std::string> texts;
  auto add = [&](std::vector<std::string> v) {
    for (std::string& s : v) texts.push_back(std::move(s));
  };
  add(CsvSecondColumn(ReadAll(dir + "kk_kazsandra_sc_test.csv")));
  add(Lines(ReadAll(dir + "kk_kaznerd_test_sentences.txt"), -1));
  add(Lines(ReadAll(dir + "ru_taiga_ud_dev_test_sentences.tsv"), 3));
  add(Lines(ReadAll(dir + "kk_ktb_ud_test_sentences.txt"), -1));
  add(Lines(ReadAll(dir + "kk_ktb-ud-test.conllu"), -1));
  add(Lines(ReadAll(dir + "kk_kaznerd_test_IOB2.txt"), -1));
  for (const char* f :
       {"rules_dev.jsonl", "rules_fresh.jsonl", "rules_heldout.jsonl",
        "text_heldout.jsonl", "text_labelled.jsonl"}) {
    add(Lines(ReadAll(source + "/tests/data/" + f), -1));
  }
  add(GeneratedTexts(30000));

  std::optional<shagym::bench::TextStepTools> tools =
      shagym::bench::MakeTextStepTools(gazetteer);
  if (!tools) return 1;
  const auto& normalizer = tools->normalizer;
  const auto& extractor = tools->extractor;
  FILE* out = std::fopen(out_path.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "%s: cannot write\n", out_path.c_str());
    return 1;
  }
  uint64_t all = 1469598103934665603ull;
  for (const std::string& p : texts) {
    namespace nlp = shagym::nlp;
    const nlp::AnalyzedText a = nlp::Analyze(*normalizer, p);
    const nlp::NormalizedText& t = a.normalized;
    nlp::LanguageScores sc;
    const nlp::Language lang = nlp::DetectLanguage(a, &sc);
    const nlp::Entities e = extractor->Extract(a);
    const nlp::NormalizedText again = normalizer->Normalize(p);
    const nlp::Entities e2 = extractor->Extract(t);
    const std::vector<nlp::Token> retokenized = nlp::Tokenize(t.text);
    const bool same_tokens =
        retokenized.size() == a.tokens.size() &&
        std::equal(retokenized.begin(), retokenized.end(), a.tokens.begin(),
                   [](const nlp::Token& x, const nlp::Token& y) {
                     return x.begin == y.begin && x.end == y.end &&
                            x.numeric == y.numeric &&
                            x.cyrillic == y.cyrillic &&
                            x.letter_groups == y.letter_groups;
                   });
    if (!same_tokens || again.text != t.text ||
        again.orig_begin != t.orig_begin || again.orig_end != t.orig_end ||
        again.capitalized != t.capitalized || nlp::DetectLanguage(t) != lang ||
        nlp::DetectLanguage(t.text) != lang || e2.region != e.region ||
        e2.school_number != e.school_number ||
        e2.institution != e.institution) {
      std::fprintf(stderr, "entry points disagree on: %s\n", p.c_str());
      std::fclose(out);
      return 1;
    }
    uint64_t h = Fnv(t.orig_begin.data(), t.orig_begin.size() * 4,
                     1469598103934665603ull);
    h = Fnv(t.orig_end.data(), t.orig_end.size() * 4, h);
    std::string line = "N " + t.text + "\nO ";
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%016llx %zu %zu\nC",
                  static_cast<unsigned long long>(h), t.orig_begin.size(),
                  t.orig_end.size());
    line += buf;
    for (uint32_t c : t.capitalized) line += " " + std::to_string(c);
    line += "\nT";
    for (const nlp::Token& k : a.tokens) {
      line += " " + std::to_string(k.begin) + "-" + std::to_string(k.end) +
              (k.numeric ? "n" : "");
    }
    std::snprintf(buf, sizeof(buf), "\nL %s %.6f %.6f %d %d\nE ",
                  std::string(nlp::LanguageCode(lang)).c_str(), sc.kazakh,
                  sc.russian, sc.cyrillic_words, sc.latin_words);
    line += buf;
    line += e.region + "|" + e.school_number + "|" + e.institution + "|" +
            std::to_string(e.region_span.begin) + "-" +
            std::to_string(e.region_span.end) + "|" +
            std::to_string(e.school_span.begin) + "-" +
            std::to_string(e.school_span.end);
    for (const nlp::RegionMention& m : e.regions) {
      line += " " + m.region + "/" + std::to_string(static_cast<int>(m.kind)) +
              "/" + std::to_string(m.span.begin) + "-" +
              std::to_string(m.span.end);
    }
    line += "\n";
    std::fwrite(line.data(), 1, line.size(), out);
    all = Fnv(line.data(), line.size(), all);
  }
  std::fclose(out);
  std::printf("%zu texts, digest %016llx\n", texts.size(),
              static_cast<unsigned long long>(all));
  return 0;
}
