// Near-duplicate recall on realistic rewrites: a news item and its forwards
// with a comment added before or after, reworded reposts, truncated
// previews; and no link between different items. SimHash alone (Hamming
// <= 3) is measured beside SimHash + MinHash in the same run.

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/ingest.h"
#include "nlp/normalize.h"
#include "nlp/simhash.h"
#include "store/db.h"
#include "store/dedupe_index.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace dedupe_recall_test {

std::vector<std::string> SplitWords(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string JoinWords(const std::vector<std::string>& words, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < words.size(); ++i) {
    if (i) out.push_back(' ');
    out += words[i];
  }
  return out;
}

const char* const kComments[] = {
    "Вот что пишут, родители, будьте внимательны!",
    "Ужас. Куда смотрит администрация и акимат? Позор!",
    "Репост. Поделитесь, пусть все знают что происходит",
    "Қараңыздар, не болып жатыр! Бұл қалай болады?",
    "Мы писали об этом ещё на прошлой неделе, никто не отреагировал",
    "Комментарий редакции: ждём ответа от управления образования",
    "Это уже не первый случай в нашем городе, сколько можно терпеть",
};

enum Kind { kPrefix, kSuffix, kReword, kTruncate, kMixed, kKinds };
const char* const kKindNames[] = {
    "forward + comment before", "forward + comment, tags, footer after",
    "reworded (1 word in 7 replaced)", "truncated preview (70%)",
    "comment + reworded (1 in 10)"};

std::string Rewrite(Kind kind, const std::string& text,
                    const std::vector<std::string>& vocabulary,
                    std::mt19937& rng) {
  const std::string comment = kComments[rng() % std::size(kComments)];
  auto reword = [&](const std::string& t, unsigned one_in) {
    std::vector<std::string> w = SplitWords(t);
    for (auto& x : w) {
      if (rng() % one_in == 0) x = vocabulary[rng() % vocabulary.size()];
    }
    return JoinWords(w, w.size());
  };
  switch (kind) {
    case kPrefix:
      return comment + "\n\n" + text;
    case kSuffix:
      return text + "\n\n" + comment +
             " #новости #школа\nПодписывайтесь на наш канал @kz_news_today";
    case kReword:
      return reword(text, 7);
    case kTruncate: {
      std::vector<std::string> w = SplitWords(text);
      return JoinWords(w, w.size() * 7 / 10) + "… Читать далее";
    }
    case kMixed:
      return comment + " " + reword(text, 10);
    case kKinds:
      break;
  }
  return text;
}

struct Fingerprint {
  std::string hash;
  uint64_t simhash = 0;
  nlp::MinHash minhash{};
};

class DedupeRecallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = nlp::Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    normalizer_ = std::move(n).value();
  }
  Fingerprint Of(const std::string& text) const {
    Fingerprint f;
    const std::string norm = normalizer_->Normalize(text).text;
    f.hash = ContentHash(norm);
    f.simhash = nlp::SimHash(norm);
    f.minhash = nlp::MinHashOf(norm);
    return f;
  }
  // Fraction of `queries` that find `expected` (index i of queries expects
  // expected[i]; "" = must find nothing).
  struct Score {
    int hits = 0, total = 0, wrong = 0;
  };

  std::unique_ptr<nlp::Normalizer> normalizer_;
};

TEST_F(DedupeRecallTest, ForwardsWithCommentsAndRewordingsAreLinked) {
  // A news item about a school and what channels make of it.
  const std::string item =
      "В школе №12 города Тараз ученики седьмого класса третий месяц "
      "отбирают деньги у младших, родители несколько раз обращались к "
      "директору, но никаких мер принято не было. Сегодня один из "
      "мальчиков попал в больницу с травмой руки.";
  const std::vector<std::string> reposts = {
      "Вот что пишут, родители, будьте внимательны!\n\n" + item,
      item +
          "\n\nПозор администрации! #Тараз #школа12\nПодписывайтесь: "
          "@taraz_news",
      "В школе №12 Тараза семиклассники уже третий месяц отбирают деньги у "
      "младших, родители несколько раз обращались к директору, но никаких "
      "мер не приняли. Сегодня один из мальчиков попал в больницу с "
      "травмой руки.",
  };
  const std::string other =
      "В школе №12 города Тараз прошёл праздничный концерт ко Дню "
      "учителя, ученики седьмого класса подготовили песни и танцы, "
      "родители поблагодарили директора за организацию.";
  testing::TempDir dir;
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  store::DedupeIndex index(db->get());
  Fingerprint f = Of(item);
  ASSERT_TRUE(
      index.Add("orig", "orig", f.hash, f.simhash, 100, f.minhash).ok());
  for (size_t i = 0; i < reposts.size(); ++i) {
    Fingerprint r = Of(reposts[i]);
    auto m = index.Find("r" + std::to_string(i), r.hash, r.simhash, r.minhash);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(m->has_value()) << reposts[i];
    EXPECT_EQ((*m)->original_id, "orig");
    EXPECT_GE((*m)->similarity, 0.4);
  }
  Fingerprint o = Of(other);
  auto m = index.Find("other", o.hash, o.simhash, o.minhash);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_value()) << "similarity " << (*m)->similarity;
  // With MinHash off only near-identical texts match.
  store::DedupeIndex simhash_only(db->get(), 3, 2.0);
  Fingerprint r = Of(reposts[0]);
  m = simhash_only.Find("r0", r.hash, r.simhash, r.minhash);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_value());
}

// Recall per kind of rewrite over news-like items built from the real
// Russian sentences of ../shared/realworld/corpora (UD Taiga): items of four
// consecutive sentences, half of them indexed, the other half must match
// nothing.
TEST_F(DedupeRecallTest, RecallOnRealSentences) {
  const std::string path = shagym::testing::RealworldDir() +
                           "/corpora/ru_taiga_ud_dev_test_sentences.tsv";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no real-world corpus at " << path;
  std::vector<std::string> sentences;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    size_t tab = line.rfind('\t');
    if (tab != std::string::npos) sentences.push_back(line.substr(tab + 1));
  }
  std::vector<std::string> items, vocabulary;
  for (size_t i = 0; i + 4 <= sentences.size(); i += 4) {
    std::string t = sentences[i] + " " + sentences[i + 1] + " " +
                    sentences[i + 2] + " " + sentences[i + 3];
    std::vector<std::string> w = SplitWords(t);
    if (w.size() < 25 || w.size() > 150) continue;
    for (auto& x : w) vocabulary.push_back(x);
    items.push_back(std::move(t));
  }
  ASSERT_GE(items.size(), 200u) << path;
  const size_t indexed = items.size() / 2;
  testing::TempDir dir;
  auto db = store::Db::Open(dir.path() + "/db");
  ASSERT_TRUE(db.ok());
  store::DedupeIndex with_minhash(db->get(), 3, 0.4);
  store::DedupeIndex simhash_only(db->get(), 3, 2.0);
  for (size_t i = 0; i < indexed; ++i) {
    Fingerprint f = Of(items[i]);
    ASSERT_TRUE(with_minhash
                    .Add("i" + std::to_string(i), "i" + std::to_string(i),
                         f.hash, f.simhash, static_cast<int64_t>(i), f.minhash)
                    .ok());
  }
  std::mt19937 rng(7);
  struct Counts {
    int simhash = 0, minhash = 0, wrong = 0;
  };
  Counts counts[kKinds];
  for (int k = 0; k < kKinds; ++k) {
    for (size_t i = 0; i < indexed; ++i) {
      Fingerprint f =
          Of(Rewrite(static_cast<Kind>(k), items[i], vocabulary, rng));
      const std::string want = "i" + std::to_string(i);
      auto a = simhash_only.Find("q", f.hash, f.simhash, f.minhash);
      auto b = with_minhash.Find("q", f.hash, f.simhash, f.minhash);
      ASSERT_TRUE(a.ok() && b.ok());
      if (a->has_value() && (*a)->original_id == want) ++counts[k].simhash;
      if (b->has_value()) {
        if ((*b)->original_id == want) {
          ++counts[k].minhash;
        } else {
          ++counts[k].wrong;
        }
      }
    }
  }
  int false_links = 0;
  for (size_t i = indexed; i < items.size(); ++i) {
    Fingerprint f = Of(items[i]);
    auto b = with_minhash.Find("q", f.hash, f.simhash, f.minhash);
    ASSERT_TRUE(b.ok());
    if (b->has_value()) ++false_links;
  }
  const double n = static_cast<double>(indexed);
  for (int k = 0; k < kKinds; ++k) {
    std::printf(
        "recall %-40s SimHash<=3 %5.1f%%   + MinHash>=0.4 %5.1f%%  "
        "(wrong item %d)\n",
        kKindNames[k], 100.0 * counts[k].simhash / n,
        100.0 * counts[k].minhash / n, counts[k].wrong);
  }
  std::printf("false links among %zu unrelated items: %d\n",
              items.size() - indexed, false_links);
  EXPECT_GE(counts[kPrefix].minhash / n, 0.95);
  EXPECT_GE(counts[kSuffix].minhash / n, 0.90);
  EXPECT_GE(counts[kReword].minhash / n, 0.85);
  EXPECT_GE(counts[kTruncate].minhash / n, 0.90);
  EXPECT_GE(counts[kMixed].minhash / n, 0.85);
  for (int k = 0; k < kKinds; ++k) EXPECT_EQ(counts[k].wrong, 0) << k;
  EXPECT_LE(false_links, static_cast<int>(items.size() - indexed) / 100);
}

}  // namespace dedupe_recall_test
}  // namespace shagym::crawler
