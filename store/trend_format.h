#pragma once

// Renderings of trend tables and spikes shared by `shagym trends` and the
// HTTP API: a text table, CSV and JSON. Pure functions of their input.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"

namespace shagym::store {

// Aligned text table: bucket, [category], [region], incidents, change,
// volume, change; then one total line per series vs the previous period.
std::string TrendTableToText(const TrendTable& table);
// RFC 4180 CSV with a header row; one row per TrendRow.
std::string TrendTableToCsv(const TrendTable& table);
// {"bucket":"day","from":"...","to":"...","rows":[...],"totals":[...]}.
nlohmann::ordered_json TrendTableToJson(const TrendTable& table);

std::string SpikesToText(const std::vector<Spike>& spikes);
std::string SpikesToCsv(const std::vector<Spike>& spikes);
nlohmann::ordered_json SpikesToJson(const std::vector<Spike>& spikes);

}  // namespace shagym::store
