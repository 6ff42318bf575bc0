#include "store/export.h"

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace shagym::store {

namespace {

constexpr size_t kFlushBytes = 64 * 1024;

// RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled.
void AppendCsvField(std::string* out, std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(f);
    return;
  }
  out->push_back('"');
  for (char c : f) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string Join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(sep);
    out.append(v[i]);
  }
  return out;
}

void AppendCsvRow(std::string* out, const Post& p, const std::string& text) {
  std::vector<std::string> rules;
  for (const Match& m : p.labels.matches) {
    if (std::find(rules.begin(), rules.end(), m.rule) == rules.end()) {
      rules.push_back(m.rule);
    }
  }
  const std::string fields[] = {
      p.id,
      p.source,
      p.url,
      p.published_at ? FormatIso8601Utc(p.published_at) : "",
      p.fetched_at ? FormatIso8601Utc(p.fetched_at) : "",
      p.author,
      p.labels.lang,
      Join(p.labels.categories, ';'),
      p.labels.severity,
      p.labels.region,
      p.labels.school_number,
      p.duplicate_of,
      p.incident_id,
      p.review,
      p.labels.rules_version,
      Join(rules, ';'),
      text,
  };
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i) out->push_back(',');
    AppendCsvField(out, fields[i]);
  }
  out->append("\r\n");
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "jsonl") return ExportFormat::kJsonl;
  return std::nullopt;
}

const std::vector<std::string>& CsvColumns() {
  static const std::vector<std::string> kColumns = {
      "id",         "source", "url",           "published_at",
      "fetched_at", "author", "lang",          "categories",
      "severity",   "region", "school_number", "duplicate_of",
      "incident",   "review", "rules_version", "rules",
      "text"};
  return kColumns;
}

StatusOr<int64_t> ExportPosts(
    Store& store, const PostQuery& query, const ExportOptions& options,
    const std::function<Status(std::string_view)>& sink) {
  if (options.mask_personal_data && !options.mask) {
    return InvalidArgument("export: personal data masking has no masker");
  }
  std::string buf;
  buf.reserve(kFlushBytes + 4096);
  if (options.format == ExportFormat::kCsv) {
    if (options.bom) buf.append("\xEF\xBB\xBF");
    for (size_t i = 0; i < CsvColumns().size(); ++i) {
      if (i) buf.push_back(',');
      buf.append(CsvColumns()[i]);
    }
    buf.append("\r\n");
  }
  int64_t rows = 0;
  Status st = store.ForEachPost(query, [&](const Post& p) -> Status {
    if (options.format == ExportFormat::kCsv) {
      AppendCsvRow(&buf, p,
                   options.mask_personal_data ? options.mask(p.text) : p.text);
    } else if (options.mask_personal_data) {
      Post masked = p;
      masked.text = options.mask(p.text);
      buf.append(PostToJsonLine(masked)).push_back('\n');
    } else {
      buf.append(PostToJsonLine(p)).push_back('\n');
    }
    ++rows;
    if (buf.size() >= kFlushBytes) {
      SHAGYM_RETURN_IF_ERROR(sink(buf));
      buf.clear();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!buf.empty()) SHAGYM_RETURN_IF_ERROR(sink(buf));
  return rows;
}

}  // namespace shagym::store
