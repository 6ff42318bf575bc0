#pragma once

// Internal: the key layouts of the store's column families and the counter
// contributions of a post. Shared by store.cc and its tests; not for other
// modules.
//
//   posts       id                                  -> EncodePostPointer
//                                                      (BE64(time))
//   time_index  BE64(time) id                       -> EncodeIndexValue
//                                                      (summary + record)
//   labels      id \0 rules_version                 -> EncodeLabels of the
//                                                      labels it replaced
//   incidents   "m" incident \0 BE64(time) id       -> "" (members other
//                                                      than the post whose
//                                                      id is the incident)
//               "w" id                              -> "" (reposts stored
//                                                      before their original
//                                                      id wait for it)
//   reviews     "h" id \0 BE64(at_ms) BE32(seq)     -> review event
//   trends      "h" cat \0 region \0 lang \0 source \0 BE32(hour)
//                                                   -> [volume, incidents]
//               "M" cat \0 region \0 BE32(month)    -> [volume, incidents]
//                                                      per day of the month
//               "s" source \0 BE32(day)             -> [posts]
//               "f" source \0 BE32(day)             -> [fetches, errors, 304s]
//               "r" rule                            -> [hits, confirmed, fp]
//   sources     source                              -> health record
//   meta        "schema_version", "retention_cutoff"
//
// cat is a category id or "*" (any complaint, each post once). Times are
// biased big-endian (codec::TimeKey) so that byte order is time order.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/post.h"
#include "store/store.h"

namespace shagym::store::internal {

inline constexpr char kAnyCategory[] = "*";

std::string TimeIndexKey(int64_t time, const std::string& id);
std::string TrendHourKey(const std::string& cat, const std::string& region,
                         const std::string& lang, const std::string& source,
                         uint32_t hour);
// Per (category, region, month): 31 day slots of [volume, incidents].
std::string TrendMonthKey(const std::string& cat, const std::string& region,
                          uint32_t month);
// Months since year 0 (y * 12 + m - 1) of a day index, and back.
uint32_t MonthOfDay(int64_t day);
int64_t FirstDayOfMonth(uint32_t month);
std::string SourceDayKey(const std::string& source, uint32_t day);
std::string FetchDayKey(const std::string& source, uint32_t day);
std::string RuleKey(const std::string& rule);

// Hours/days since the epoch of a post time (negative times clamp to 0).
uint32_t HourOf(int64_t t);
uint32_t DayOf(int64_t t);

// Every counter a stored post adds to (key -> values).
using Counters = std::map<std::string, std::vector<int64_t>>;
void AddContributions(const Post& post, int64_t sign, Counters* out);

// Runs `hook` inside every later ApplyRetention of `store`, with its locks
// held, just before it writes (tests of what may interleave with it).
void SetRetentionHookForTesting(Store* store, std::function<void()> hook);

// Runs `hook` in every later Store::DropUnreferencedEvidence of `store`
// after its scan chose pages to remove and before it locks them to look
// again (tests of an ingest racing the sweep).
void SetEvidenceSweepHookForTesting(Store* store, std::function<void()> hook);

// Tests only, process-wide: schema migrations on open write their rewrites
// `batch_size` records at a time (0: the default, 10,000) and call
// `after_batch(from_version)` after each batch they commit (e.g. to kill the
// process there). Pass 0 and {} to reset.
void SetMigrationHookForTesting(size_t batch_size,
                                std::function<void(int)> after_batch);

// True for counter keys bucketed by time ('h', 'M', 's', 'f'); their bucket
// start in Unix seconds goes to *start.
bool CounterBucketStart(const std::string& key, int64_t* start);

}  // namespace shagym::store::internal
