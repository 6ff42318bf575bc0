// Whole-run benchmark of the store, each figure beside RocksDB's own rate
// measured in the same run on the same machine:
//   ingest   posts/s through Store::IngestBatch (labels, incident link, trend
//            deltas, WAL on) vs raw Put of the same records (WAL on);
//   trends   p50/p99 of a one-year query split by 13 categories x 20 regions
//            vs a raw scan of the same counter keys;
//   export   MB/s of CSV export of every post, RSS before/after, vs a raw
//            iteration of the posts column family.
//
//   store_bench [--posts N] [--dir DIR] [--queries N]
//
// Run it on one core for the ingest figure: taskset -c 0 store_bench ...

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "store/codec.h"
#include "store/export.h"
#include "store/store.h"

namespace {

using shagym::ParseIso8601;
using shagym::Post;
using shagym::Status;
namespace store = shagym::store;
using Steady = std::chrono::steady_clock;

const char* const kCategories[] = {"bullying",
                                   "violence",
                                   "extortion_corruption",
                                   "safety_security",
                                   "infrastructure",
                                   "food",
                                   "staff_misconduct",
                                   "mental_health",
                                   "licensing_legal",
                                   "overcrowding_access",
                                   "exams",
                                   "camps_leisure",
                                   "other_complaint"};
const char* const kRegions[] = {"abai",
                                "akmola",
                                "aktobe",
                                "almaty_region",
                                "atyrau",
                                "east_kazakhstan",
                                "jambyl",
                                "jetisu",
                                "karaganda",
                                "kostanay",
                                "kyzylorda",
                                "mangystau",
                                "north_kazakhstan",
                                "pavlodar",
                                "turkistan",
                                "ulytau",
                                "west_kazakhstan",
                                "astana",
                                "almaty",
                                "shymkent"};

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

long RssKb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field, 0) == 0)
      return std::atol(line.c_str() + strlen(field));
  }
  return -1;
}

// A plausible post: ~250 bytes of Cyrillic text, a third of them complaints.
// Post n of `total` belongs to batch n / kBatch, which is one fetched page:
// one of 50 sources, messages of a few hours, pages spread over the year.
constexpr int kBatch = 100;
Post MakePost(std::mt19937_64& rng, int64_t n, int64_t total,
              int64_t year_start) {
  const int64_t page = n / kBatch;
  Post p;
  p.source = "tg_" + std::to_string(page * 7919 % 50);
  p.id = p.source + ":" + std::to_string(n);
  p.url = "https://t.me/s/channel/" + std::to_string(n);
  p.published_at = year_start + page * kBatch * (365 * 86400) / total +
                   static_cast<int64_t>(rng() % (4 * 3600));
  p.fetched_at = p.published_at + 600;
  p.author = "a" + std::to_string(rng() % 100000);
  p.text =
      "В школе №" + std::to_string(rng() % 200) +
      " опять проблемы: дети жалуются на буллинг, родители просят директора "
      "принять меры, но ничего не меняется уже месяц.";
  p.labels.lang = rng() % 3 ? "ru" : "kk";
  p.labels.region = kRegions[rng() % 20];
  p.labels.rules_version = "b3f1c2";
  if (rng() % 3 == 0) {
    int k = 1 + static_cast<int>(rng() % 2);
    for (int i = 0; i < k; ++i) {
      std::string c = kCategories[rng() % 13];
      if (std::find(p.labels.categories.begin(), p.labels.categories.end(),
                    c) == p.labels.categories.end()) {
        p.labels.categories.push_back(c);
        p.labels.matches.push_back({"ru." + c + ".1", c, 60, 74});
      }
    }
    std::sort(p.labels.categories.begin(), p.labels.categories.end());
    p.labels.severity = "medium";
    p.labels.school_number = std::to_string(rng() % 200);
  }
  if (rng() % 5 == 0) p.duplicate_of = "tg_1:" + std::to_string(n / 2);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t posts = 1000000;
  int queries = 200;
  std::string dir = "/tmp/shagym-store-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--posts")
      posts = std::atoll(argv[i + 1]);
    else if (a == "--dir")
      dir = argv[i + 1];
    else if (a == "--queries")
      queries = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: store_bench [--posts N] [--dir DIR] "
                   "[--queries N]\n");
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const int64_t year_start = ParseIso8601("2024-01-01").value();
  std::printf("store_bench: %lld posts, batches of %d, WAL on\n",
              static_cast<long long>(posts), kBatch);

  // ---- Raw RocksDB write rate: the same encoded records, one Put each, in
  // the same batches.
  double raw_rate;
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = rocksdb::kLZ4Compression;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(o, dir + "/raw", &raw).ok()) return 1;
    std::unique_ptr<rocksdb::DB> db(raw);
    std::mt19937_64 rng(1);
    const int64_t n = std::min<int64_t>(posts, 1000000);
    std::vector<Post> batch;
    auto t0 = Steady::now();
    for (int64_t i = 0; i < n; i += kBatch) {
      rocksdb::WriteBatch wb;
      for (int k = 0; k < kBatch; ++k) {
        Post p = MakePost(rng, i + k, posts, year_start);
        wb.Put(p.id, store::codec::EncodePost(p));
      }
      if (!db->Write(rocksdb::WriteOptions(), &wb).ok()) return 1;
    }
    raw_rate = static_cast<double>(n) / Seconds(t0, Steady::now());
    std::printf("ingest  raw RocksDB Put of the post records: %.0f posts/s\n",
                raw_rate);
  }
  std::filesystem::remove_all(dir + "/raw");

  store::StoreOptions so;
  so.data_dir = dir + "/store";
  auto opened = store::Store::Open(so);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<store::Store> st = std::move(opened).value();

  // ---- Store ingest.
  {
    std::mt19937_64 rng(1);
    std::vector<Post> batch;
    batch.reserve(kBatch);
    auto t0 = Steady::now();
    for (int64_t i = 0; i < posts; i += kBatch) {
      batch.clear();
      for (int k = 0; k < kBatch; ++k)
        batch.push_back(MakePost(rng, i + k, posts, year_start));
      auto r = st->IngestBatch(batch);
      if (!r.ok()) {
        std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
        return 1;
      }
    }
    double rate = static_cast<double>(posts) / Seconds(t0, Steady::now());
    std::printf(
        "ingest  Store::IngestBatch (post, labels, index, incident, counters):"
        " %.0f posts/s = %.2f x raw\n",
        rate, rate / raw_rate);
  }
  if (!st->db()->Flush().ok()) return 1;
  st->db()->raw()->CompactRange(rocksdb::CompactRangeOptions(),
                                st->db()->cf(store::Cf::kTrends), nullptr,
                                nullptr);

  // ---- Trend query: one year, 13 categories x 20 regions, monthly buckets.
  {
    store::TrendQuery q;
    q.from = year_start;
    q.to = year_start + 365 * 86400;
    q.bucket = store::Bucket::kMonth;
    q.by_category = true;
    q.by_region = true;
    std::vector<double> ms;
    size_t rows = 0;
    std::printf("trends  query: %s\n",
                "one year, monthly buckets, by_category + by_region");
    for (int i = 0; i < queries; ++i) {
      auto t0 = Steady::now();
      auto t = st->Trends(q);
      ms.push_back(1000 * Seconds(t0, Steady::now()));
      if (!t.ok()) {
        std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
        return 1;
      }
      rows = t->rows.size();
    }
    std::sort(ms.begin(), ms.end());
    // Peer: a raw scan over the same day counters.
    std::vector<double> raw_ms;
    for (int i = 0; i < queries; ++i) {
      auto t0 = Steady::now();
      std::unique_ptr<rocksdb::Iterator> it(st->db()->raw()->NewIterator(
          rocksdb::ReadOptions(), st->db()->cf(store::Cf::kTrends)));
      size_t n = 0;
      for (it->Seek("M"); it->Valid() && it->key()[0] == 'M'; it->Next()) ++n;
      raw_ms.push_back(1000 * Seconds(t0, Steady::now()));
      if (n == 0) {
        std::fprintf(stderr, "no month counters\n");
        return 1;
      }
    }
    std::sort(raw_ms.begin(), raw_ms.end());
    auto pct = [](const std::vector<double>& v, double p) {
      return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
    };
    std::printf(
        "trends  1 year x 13 categories x 20 regions (%zu rows), %d runs: "
        "p50 %.1f ms, p99 %.1f ms; raw scan of all month counters p50 %.1f ms, "
        "p99 %.1f ms\n",
        rows, queries, pct(ms, 0.5), pct(ms, 0.99), pct(raw_ms, 0.5),
        pct(raw_ms, 0.99));
  }

  // ---- Export of every post as CSV (masking: the bench's own digit mask).
  {
    long rss0 = RssKb("VmRSS:");
    size_t bytes = 0;
    long rss_max_during = rss0;
    int64_t rows_seen = 0;
    store::ExportOptions o;
    o.format = store::ExportFormat::kCsv;
    o.mask_personal_data = false;
    auto t0 = Steady::now();
    auto r =
        store::ExportPosts(*st, store::PostQuery(), o, [&](std::string_view c) {
          bytes += c.size();
          if (++rows_seen % 64 == 0) {
            rss_max_during = std::max(rss_max_during, RssKb("VmRSS:"));
          }
          return Status::Ok();
        });
    double s = Seconds(t0, Steady::now());
    if (!r.ok()) return 1;
    // Peer: raw iteration over the posts column family.
    auto t1 = Steady::now();
    size_t raw_bytes = 0;
    {
      std::unique_ptr<rocksdb::Iterator> it(st->db()->raw()->NewIterator(
          rocksdb::ReadOptions(), st->db()->cf(store::Cf::kPosts)));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        raw_bytes += it->key().size() + it->value().size();
      }
    }
    double raw_s = Seconds(t1, Steady::now());
    std::printf(
        "export  CSV of %lld posts: %.1f MB in %.1f s = %.1f MB/s, %.0f "
        "posts/s; RSS %ld MB before, at most %ld MB during; raw iteration of "
        "the posts: %.1f MB/s (%.0f posts/s)\n",
        static_cast<long long>(*r), bytes / 1e6, s, bytes / 1e6 / s,
        static_cast<double>(*r) / s, rss0 / 1024, rss_max_during / 1024,
        raw_bytes / 1e6 / raw_s, static_cast<double>(*r) / raw_s);
  }
  st.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
