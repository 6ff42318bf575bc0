#pragma once

// Streaming export of stored posts as CSV (RFC 4180) or JSON Lines, for
// `shagym export` and `GET /api/export`. Constant memory whatever the size:
// rows go to `sink` as they are read. Every row carries the stable post id
// and the rule-set version of its labels; authors are the pseudonyms stored
// at ingest; personal data in the text is masked unless told otherwise.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace shagym::store {

enum class ExportFormat { kCsv, kJsonl };
// "csv" or "jsonl"; nullopt otherwise.
std::optional<ExportFormat> ParseExportFormat(std::string_view name);

struct ExportOptions {
  ExportFormat format = ExportFormat::kJsonl;  // Default: JSON Lines.
  // Start CSV with a UTF-8 byte order mark (for Excel). Default: false.
  bool bom = false;
  // Mask phone numbers, e-mail addresses and IIN in the text with `mask`.
  // Default: true.
  bool mask_personal_data = true;
  // The masker (nlp/privacy.h). REQUIRES: set when mask_personal_data.
  std::function<std::string(std::string_view)> mask;
};

// The CSV columns, in order.
const std::vector<std::string>& CsvColumns();

// Writes every post matching `query` (oldest first) to `sink`, which gets
// whole rows (a CSV header first). Stops at the first non-OK status from
// `sink` and returns it. Returns the number of posts written.
StatusOr<int64_t> ExportPosts(
    Store& store, const PostQuery& query, const ExportOptions& options,
    const std::function<Status(std::string_view)>& sink);

}  // namespace shagym::store
