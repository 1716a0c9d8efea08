#include "harness/report/html_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/report/report_matrix.h"
#include "harness/report/utf8.h"

namespace sockspec {
namespace {

constexpr char kStyle[] = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
h1 { font-size: 22px; margin: 0 0 4px; }
p.meta { color: #555; margin: 0 0 16px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #c8c8c8; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #eef0f3; position: sticky; top: 0; }
td.b { font-family: ui-monospace, monospace; white-space: nowrap; }
td.inst { font-family: ui-monospace, monospace; font-size: 12px; }
td.case a { color: #1d1d1f; }
td.case .path { color: #666; font-size: 12px; }
td.cell { min-width: 170px; font-size: 13px; }
td.cell a { color: inherit; }
.pass { background: #d9f2dc; }
.recorded { background: #d6e6fb; }
.xfail { background: #fbefc4; }
.fail { background: #f8d0cc; }
.error { background: #e3d3f0; }
.not-run { background: #f2f2f2; color: #777; }
.status { font-weight: 600; }
.detail { font-family: ui-monospace, monospace; font-size: 12px; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #c8c8c8; }
table.summary { margin: 8px 0 16px; }
)css";

std::string CellHtml(const ReportCell& cell) {
  std::string out = absl::StrFormat(
      "<td class=\"cell %s\"><a href=\"%s\"><span class=\"status\">%s</span></a>",
      CellStatusName(cell.status), HtmlEscape(cell.link),
      CellStatusName(cell.status));
  if (!cell.expected.empty()) {
    absl::StrAppend(&out, "<div class=\"detail\">", HtmlEscape(cell.expected_label),
                    " ", HtmlEscape(cell.expected), "<br>",
                    HtmlEscape(cell.observed_label), " ",
                    HtmlEscape(cell.observed), "</div>");
  }
  if (!cell.note.empty()) {
    absl::StrAppend(&out, "<div class=\"detail\">", HtmlEscape(cell.note),
                    "</div>");
  }
  return out + "</td>";
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : ValidUtf8(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string HtmlReport(const ConformanceRun& run) {
  std::vector<std::string> systems = MatrixSystems(run);
  std::vector<ReportRow> rows = BuildReportRows(run);
  std::string title = absl::StrCat("sockspec conformance: ",
                                   absl::StrJoin(systems, " vs "));
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>", HtmlEscape(title), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<h1>", HtmlEscape(title), "</h1>\n");
  absl::StrAppendFormat(&out, "<p class=\"meta\">%d instances", rows.size());
  if (!run.guest_version.empty()) {
    absl::StrAppend(&out, "; ", HtmlEscape(run.guest_system), ": ",
                    HtmlEscape(run.guest_version));
  }
  if (!run.xfail_file.empty()) {
    absl::StrAppend(&out, "; expected failures from ", HtmlEscape(run.xfail_file));
  }
  out += "</p>\n<table class=\"summary\" id=\"summary\">\n<tr><th>system</th>";
  for (int s = 0; s <= static_cast<int>(CellStatus::kNotRun); ++s) {
    absl::StrAppend(&out, "<th>", CellStatusName(static_cast<CellStatus>(s)), "</th>");
  }
  out += "</tr>\n";
  for (size_t i = 0; i < systems.size(); ++i) {
    absl::StrAppend(&out, "<tr><td>", HtmlEscape(systems[i]), "</td>");
    std::vector<int> counts = StatusCounts(rows, i);
    for (size_t s = 0; s < counts.size(); ++s) {
      absl::StrAppendFormat(&out, "<td class=\"%s\">%d</td>",
                            counts[s] > 0 ? CellStatusName(static_cast<CellStatus>(s)) : "",
                            counts[s]);
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
  if (!run.guest_system.empty()) {
    // Per step (each step of each instance counted once, in the guest).
    const StepCounts& n = run.steps;
    absl::StrAppendFormat(
        &out,
        "<table class=\"summary\" id=\"steps\">\n<tr><th>steps in %s</th><th>same</th>"
        "<th>recorded</th><th>xfail</th><th>differs</th><th>not run</th></tr>\n"
        "<tr><td></td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n"
        "</table>\n",
        HtmlEscape(run.guest_system), n.same, n.recorded, n.xfail, n.differs, n.not_run);
  }
  out +=
      "<p class=\"legend\"><span class=\"pass\">pass</span>"
      "<span class=\"recorded\">differs, recorded in the case</span>"
      "<span class=\"xfail\">expected failure (listed)</span>"
      "<span class=\"fail\">fail / unrecorded difference / xpass</span>"
      "<span class=\"error\">error</span></p>\n"
      "<table id=\"matrix\">\n<thead><tr><th>behaviour</th><th>case</th>"
      "<th>instance</th>";
  for (const std::string& s : systems) absl::StrAppend(&out, "<th>", HtmlEscape(s), "</th>");
  out += "</tr></thead>\n<tbody>\n";
  for (const ReportRow& r : rows) {
    absl::StrAppend(&out, "<tr><td class=\"b\">", HtmlEscape(r.behaviours),
                    "</td><td class=\"case\"><a href=\"", HtmlEscape(r.path),
                    "\">", HtmlEscape(r.title), "</a><div class=\"path\">",
                    HtmlEscape(r.path), "</div></td><td class=\"inst\">",
                    HtmlEscape(r.instance), "</td>");
    for (const ReportCell& c : r.cells) out += CellHtml(c);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace sockspec
