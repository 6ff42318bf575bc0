// Whole-run benchmark of the store, each figure beside RocksDB's own rate
// measured in the same run on the same machine:
//   ingest   posts/s through Store::IngestBatch (labels, incident link, trend
//            deltas, WAL on) vs raw Put of the same records (WAL on), by wall
//            time and by process CPU time (all threads, RocksDB's flushes
//            and compactions included);
//   trends   p50/p99 of one-year queries split by 13 categories x 20 regions
//            (monthly and daily buckets) and of a one-category daily series,
//            vs a raw scan of the same counter keys;
//   export   MB/s of a masked CSV export of the oldest --export-posts posts,
//            RSS sampled along the way, vs a raw iteration of as many post
//            records (RocksDB iterator only: no decoding, no formatting).
//
//   store_bench [--posts N] [--dir DIR] [--queries N] [--raw-posts N]
//               [--export-posts N] [--keep] [--reuse]
//
// --keep leaves the store in DIR/store; --reuse measures trends and export on
// a store kept by an earlier run with the same --posts (no ingest), so a
// store of millions of posts is generated once:
//   taskset -c 0 store_bench --posts 5000000 --dir /tmp/sb5m --keep
//   store_bench --posts 5000000 --dir /tmp/sb5m --reuse --keep

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "nlp/entities.h"
#include "nlp/privacy.h"
#include "nlp/rules/rule_spec.h"
#include "store/codec.h"
#include "store/export.h"
#include "store/store.h"

namespace {

using shagym::ParseIso8601;
using shagym::Post;
using shagym::Status;
namespace nlp = shagym::nlp;
namespace store = shagym::store;
using Steady = std::chrono::steady_clock;

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU seconds of the whole process (every thread) so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU milliseconds of the calling thread so far: what a query cost, whatever
// else the machine was doing.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e3 * static_cast<double>(ts.tv_sec) +
         static_cast<double>(ts.tv_nsec) / 1e6;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
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
  p.labels.region = nlp::SpecRegionIds()[rng() % 20];
  p.labels.rules_version = "b3f1c2";
  if (rng() % 3 == 0) {
    int k = 1 + static_cast<int>(rng() % 2);
    for (int i = 0; i < k; ++i) {
      std::string c = nlp::CategoryIds()[rng() % 13];
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
  int64_t raw_posts = -1, export_posts = -1;
  int queries = 200;
  bool keep = false, reuse = false;
  std::string dir = "/tmp/shagym-store-bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--keep") {
      keep = true;
    } else if (a == "--reuse") {
      reuse = true;
    } else if (a == "--posts" && has_value) {
      posts = std::atoll(argv[++i]);
    } else if (a == "--raw-posts" && has_value) {
      raw_posts = std::atoll(argv[++i]);
    } else if (a == "--export-posts" && has_value) {
      export_posts = std::atoll(argv[++i]);
    } else if (a == "--dir" && has_value) {
      dir = argv[++i];
    } else if (a == "--queries" && has_value) {
      queries = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: store_bench [--posts N] [--dir DIR] [--queries N] "
                   "[--raw-posts N] [--export-posts N] [--keep] [--reuse]\n");
      return 2;
    }
  }
  if (posts < kBatch || queries < 1) {
    std::fprintf(stderr, "store_bench: --posts >= %d and --queries >= 1\n",
                 kBatch);
    return 2;
  }
  if (raw_posts < 0) raw_posts = std::min<int64_t>(posts, 1000000);
  if (export_posts < 0) export_posts = std::min<int64_t>(posts, 1000000);
  raw_posts = std::min(raw_posts, posts) / kBatch * kBatch;
  const std::string marker = dir + "/store.posts";
  if (reuse) {
    std::ifstream m(marker);
    int64_t kept = -1;
    if (!(m >> kept) || kept != posts) {
      std::fprintf(stderr,
                   "store_bench: --reuse: no store of %lld posts kept in %s "
                   "(run once with --keep)\n",
                   static_cast<long long>(posts), dir.c_str());
      return 2;
    }
  } else {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  const int64_t year_start = ParseIso8601("2024-01-01").value();
  std::printf("store_bench: %lld posts over one year, batches of %d, WAL on\n",
              static_cast<long long>(posts), kBatch);

  // ---- Raw RocksDB write rate: the same encoded records, one Put each, in
  // the same batches, on the first raw_posts posts.
  double raw_rate = 0, raw_cpu_rate = 0;
  if (!reuse && raw_posts > 0) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.compression = rocksdb::kLZ4Compression;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(o, dir + "/raw", &raw).ok()) return 1;
    std::unique_ptr<rocksdb::DB> db(raw);
    std::mt19937_64 rng(1);
    auto t0 = Steady::now();
    const double c0 = CpuSeconds();
    for (int64_t i = 0; i < raw_posts; i += kBatch) {
      rocksdb::WriteBatch wb;
      for (int k = 0; k < kBatch; ++k) {
        Post p = MakePost(rng, i + k, posts, year_start);
        wb.Put(p.id, store::codec::EncodePost(p));
      }
      if (!db->Write(rocksdb::WriteOptions(), &wb).ok()) return 1;
    }
    const double n = static_cast<double>(raw_posts);
    raw_rate = n / Seconds(t0, Steady::now());
    raw_cpu_rate = n / (CpuSeconds() - c0);
    std::printf(
        "ingest  raw RocksDB Put of the post records, %lld posts: %.0f "
        "posts/s wall, %.0f posts per CPU second\n",
        static_cast<long long>(raw_posts), raw_rate, raw_cpu_rate);
    db.reset();
    std::filesystem::remove_all(dir + "/raw");
  }

  store::StoreOptions so;
  so.data_dir = dir + "/store";
  auto opened = store::Store::Open(so);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<store::Store> st = std::move(opened).value();

  // ---- Store ingest, progress every million posts.
  if (!reuse) {
    std::mt19937_64 rng(1);
    std::vector<Post> batch;
    batch.reserve(kBatch);
    auto t0 = Steady::now(), tm = t0;
    const double c0 = CpuSeconds();
    double cm = c0;
    for (int64_t i = 0; i < posts; i += kBatch) {
      batch.clear();
      for (int k = 0; k < kBatch; ++k)
        batch.push_back(MakePost(rng, i + k, posts, year_start));
      auto r = st->IngestBatch(batch);
      if (!r.ok()) {
        std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
        return 1;
      }
      const int64_t done = i + kBatch;
      if (done == raw_posts && raw_posts > 0) {
        const double n = static_cast<double>(raw_posts);
        const double rate = n / Seconds(t0, Steady::now());
        const double cpu_rate = n / (CpuSeconds() - c0);
        std::printf(
            "ingest  Store::IngestBatch, first %lld posts (post, labels, "
            "index, incident, counters): %.0f posts/s wall = %.2f x raw, "
            "%.0f posts per CPU second = %.2f x raw\n",
            static_cast<long long>(raw_posts), rate, rate / raw_rate, cpu_rate,
            cpu_rate / raw_cpu_rate);
      }
      if (done % 1000000 == 0) {
        const auto now = Steady::now();
        const double c = CpuSeconds();
        std::printf(
            "ingest  posts %lld: last million %.0f posts/s wall, %.0f "
            "per CPU second\n",
            static_cast<long long>(done), 1e6 / Seconds(tm, now),
            1e6 / (c - cm));
        std::fflush(stdout);
        tm = now;
        cm = c;
      }
    }
    const double n = static_cast<double>(posts);
    std::printf(
        "ingest  Store::IngestBatch, all %lld posts: %.0f posts/s wall, %.0f "
        "posts per CPU second\n",
        static_cast<long long>(posts), n / Seconds(t0, Steady::now()),
        n / (CpuSeconds() - c0));
    if (!st->db()->Flush().ok()) return 1;
    st->db()->raw()->CompactRange(rocksdb::CompactRangeOptions(),
                                  st->db()->cf(store::Cf::kTrends), nullptr,
                                  nullptr);
    if (keep) {
      std::ofstream m(marker);
      m << posts << "\n";
    }
  }
  {
    uint64_t live = 0;
    st->db()->raw()->GetIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize,
                                    &live);
    std::printf(
        "store   %lld posts, %.0f MB of SST files in the default family"
        " (see du for all)\n",
        static_cast<long long>(posts), live / 1e6);
  }

  // ---- Trend queries over one year.
  {
    struct Case {
      const char* name;
      store::TrendQuery q;
    };
    std::vector<Case> cases;
    store::TrendQuery base;
    base.from = year_start;
    base.to = year_start + 365 * 86400;
    {
      store::TrendQuery q = base;
      q.bucket = store::Bucket::kMonth;
      q.by_category = q.by_region = true;
      cases.push_back({"1 year, monthly, by category x region", q});
    }
    {
      store::TrendQuery q = base;
      q.bucket = store::Bucket::kDay;
      q.by_category = q.by_region = true;
      cases.push_back({"1 year, daily, by category x region", q});
    }
    {
      store::TrendQuery q = base;
      q.bucket = store::Bucket::kWeek;
      q.category = "bullying";
      cases.push_back({"1 year, weekly, one category, all regions", q});
    }
    {
      // The dashboard's Trends page by default: the last 30 days, daily.
      store::TrendQuery q = base;
      q.from = base.to - 30 * 86400;
      q.bucket = store::Bucket::kDay;
      q.by_category = true;
      cases.push_back({"30 days daily, by category (dashboard default)", q});
    }
    // Peer: a raw scan over the same month counters (every key, values
    // touched), the least any query over them must read.
    std::vector<double> raw_ms, raw_cpu_ms;
    size_t raw_keys = 0;
    for (int i = 0; i < queries; ++i) {
      auto t0 = Steady::now();
      const double c0 = ThreadCpuMs();
      std::unique_ptr<rocksdb::Iterator> it(st->db()->raw()->NewIterator(
          rocksdb::ReadOptions(), st->db()->cf(store::Cf::kTrends)));
      size_t n = 0, bytes = 0;
      for (it->Seek("M"); it->Valid() && it->key()[0] == 'M'; it->Next()) {
        ++n;
        bytes += it->value().size();
      }
      raw_ms.push_back(1000 * Seconds(t0, Steady::now()));
      raw_cpu_ms.push_back(ThreadCpuMs() - c0);
      raw_keys = n;
      if (n == 0 || bytes == 0) {
        std::fprintf(stderr, "no month counters\n");
        return 1;
      }
    }
    std::printf(
        "trends  peer: raw scan of all %zu month counter keys, %d runs: p50 "
        "%.1f ms, p99 %.1f ms; CPU p50 %.1f ms, p99 %.1f ms\n",
        raw_keys, queries, Percentile(raw_ms, 0.5), Percentile(raw_ms, 0.99),
        Percentile(raw_cpu_ms, 0.5), Percentile(raw_cpu_ms, 0.99));
    for (const Case& c : cases) {
      std::vector<double> ms, cpu_ms;
      size_t rows = 0;
      int64_t volume = 0;
      for (int i = 0; i < queries; ++i) {
        auto t0 = Steady::now();
        const double c0 = ThreadCpuMs();
        auto t = st->Trends(c.q);
        cpu_ms.push_back(ThreadCpuMs() - c0);
        ms.push_back(1000 * Seconds(t0, Steady::now()));
        if (!t.ok()) {
          std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
          return 1;
        }
        rows = t->rows.size();
        volume = 0;
        for (const auto& tot : t->totals) volume += tot.volume;
      }
      std::printf(
          "trends  %s (%zu rows, volume %lld), %d runs: p50 %.1f ms, "
          "p99 %.1f ms = %.2f x raw scan p99; CPU p50 %.1f ms, p99 %.1f ms\n",
          c.name, rows, static_cast<long long>(volume), queries,
          Percentile(ms, 0.5), Percentile(ms, 0.99),
          Percentile(ms, 0.99) / Percentile(raw_ms, 0.99),
          Percentile(cpu_ms, 0.5), Percentile(cpu_ms, 0.99));
    }
  }

  // ---- Export of the oldest export_posts posts as masked CSV.
  if (export_posts > 0) {
    store::PostQuery query;
    query.from = year_start;
    // Posts are spread evenly over the year: this range holds about
    // export_posts of them.
    query.to =
        year_start + static_cast<int64_t>(static_cast<double>(365 * 86400) *
                                          static_cast<double>(export_posts) /
                                          static_cast<double>(posts));
    if (export_posts >= posts) query.to = 0;
    const long rss0 = RssKb("VmRSS:");
    size_t bytes = 0;
    std::vector<std::pair<int64_t, long>> rss_samples;
    store::ExportOptions o;
    o.format = store::ExportFormat::kCsv;
    o.mask_personal_data = true;
    o.mask = [](std::string_view t) {
      return shagym::nlp::MaskPersonalData(t);
    };
    auto t0 = Steady::now();
    const double export_cpu0 = CpuSeconds();
    // RSS every 40 MB of output (the sink gets chunks of about 64 KB).
    size_t next_sample = 40u << 20;
    auto r = store::ExportPosts(*st, query, o, [&](std::string_view c) {
      bytes += c.size();
      if (bytes >= next_sample) {
        rss_samples.push_back(
            {static_cast<int64_t>(bytes >> 20), RssKb("VmRSS:")});
        next_sample += 40u << 20;
      }
      return Status::Ok();
    });
    double s = Seconds(t0, Steady::now());
    const double export_cpu = CpuSeconds() - export_cpu0;
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    // Peer: raw iteration over the same number of post records, where they
    // are kept (the time index, schema 3), from the same start.
    auto t1 = Steady::now();
    const double raw_cpu0 = CpuSeconds();
    size_t raw_bytes = 0;
    int64_t raw_n = 0;
    {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      std::unique_ptr<rocksdb::Iterator> it(st->db()->raw()->NewIterator(
          ro, st->db()->cf(store::Cf::kTimeIndex)));
      std::string start;
      store::codec::PutBe64(&start, store::codec::TimeKey(query.from));
      for (it->Seek(start); it->Valid() && raw_n < *r; it->Next()) {
        raw_bytes += it->key().size() + it->value().size();
        ++raw_n;
      }
    }
    double raw_s = Seconds(t1, Steady::now());
    const double raw_cpu = CpuSeconds() - raw_cpu0;
    std::printf(
        "export  masked CSV of %lld posts: %.1f MB in %.1f s = %.1f MB/s, "
        "%.0f posts/s; raw iteration of as many post records: %.1f MB/s "
        "(%.0f posts/s) -> %.2f x raw posts/s\n",
        static_cast<long long>(*r), bytes / 1e6, s, bytes / 1e6 / s,
        static_cast<double>(*r) / s, raw_bytes / 1e6 / raw_s,
        static_cast<double>(raw_n) / raw_s,
        (static_cast<double>(*r) / s) / (static_cast<double>(raw_n) / raw_s));
    std::printf(
        "export  per CPU second: %.0f posts (%.1f MB) exported, %.0f post "
        "records iterated raw -> %.2f x raw\n",
        static_cast<double>(*r) / export_cpu, bytes / 1e6 / export_cpu,
        static_cast<double>(raw_n) / raw_cpu,
        (static_cast<double>(*r) / export_cpu) /
            (static_cast<double>(raw_n) / raw_cpu));
    std::printf("export  RSS MB: %ld before", rss0 / 1024);
    for (const auto& [mb, kb] : rss_samples) {
      std::printf(", %ld at %lld MB out", kb / 1024,
                  static_cast<long long>(mb));
    }
    std::printf(", %ld at the end\n", RssKb("VmRSS:") / 1024);
  }
  st.reset();
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
