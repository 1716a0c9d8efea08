#include "harness/report/markdown_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "harness/report/report_matrix.h"
#include "harness/report/utf8.h"

namespace sockspec {
namespace {

// The one Markdown escaper: table cells cannot hold '|' or newlines; '`'
// would open code spans; invalid UTF-8 becomes U+FFFD.
std::string Cell(const std::string& s) {
  return absl::StrReplaceAll(ValidUtf8(s), {{"|", "\\|"}, {"\n", " "}, {"`", "'"}});
}

const char* Mark(CellStatus s) {
  switch (s) {
    case CellStatus::kPass: return "✅ pass";
    case CellStatus::kRecorded: return "🔷 recorded";
    case CellStatus::kXfail: return "🟨 xfail";
    case CellStatus::kFail: return "❌ fail";
    case CellStatus::kError: return "🟪 error";
    case CellStatus::kNotRun: return "⬜ not run";
  }
  return "?";
}

}  // namespace

std::string MarkdownReport(const ConformanceRun& run) {
  std::vector<std::string> systems = MatrixSystems(run);
  std::vector<ReportRow> rows = BuildReportRows(run);
  std::string out = absl::StrCat("# sockspec conformance: ",
                                 absl::StrJoin(systems, " vs "), "\n\n");
  absl::StrAppend(&out, rows.size(), " instances");
  if (!run.guest_version.empty()) {
    absl::StrAppend(&out, "; ", Cell(run.guest_system), ": ", Cell(run.guest_version));
  }
  if (!run.xfail_file.empty()) {
    absl::StrAppend(&out, "; expected failures from ", Cell(run.xfail_file));
  }
  out += ".\n\n| system |";
  for (int s = 0; s <= static_cast<int>(CellStatus::kNotRun); ++s) {
    absl::StrAppend(&out, " ", CellStatusName(static_cast<CellStatus>(s)), " |");
  }
  out += "\n|---|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < systems.size(); ++i) {
    absl::StrAppend(&out, "| ", Cell(systems[i]), " |");
    for (int n : StatusCounts(rows, i)) absl::StrAppend(&out, " ", n, " |");
    out += "\n";
  }
  out += "\n## Matrix\n\n| behaviour | case | instance |";
  for (const std::string& s : systems) absl::StrAppend(&out, " ", Cell(s), " |");
  out += "\n|---|---|---|";
  for (size_t i = 0; i < systems.size(); ++i) out += "---|";
  out += "\n";
  for (const ReportRow& r : rows) {
    absl::StrAppend(&out, "| ", Cell(r.behaviours), " | [", Cell(r.title), "](",
                    Cell(r.path), ") | ", Cell(r.instance), " |");
    for (const ReportCell& c : r.cells) {
      absl::StrAppend(&out, " [", Mark(c.status), "](", Cell(c.link), ")");
      if (!c.expected.empty()) {
        absl::StrAppend(&out, "<br>", Cell(c.expected_label), " `", Cell(c.expected),
                        "`<br>", Cell(c.observed_label), " `", Cell(c.observed), "`");
      }
      if (!c.note.empty()) absl::StrAppend(&out, "<br>", Cell(c.note));
      out += " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace sockspec
