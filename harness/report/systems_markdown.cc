#include "harness/report/systems_markdown.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "harness/report/systems_html.h"
#include "harness/report/utf8.h"

namespace sockspec {
namespace {

// Table cells cannot hold '|' or newlines; '`' would open code spans.
std::string Escape(const std::string& s) {
  return absl::StrReplaceAll(ValidUtf8(s), {{"|", "\\|"}, {"\n", " "}, {"`", "'"}});
}

std::string Cell(const Comparison& row) {
  std::string cell = AgreementName(row.agreement);
  if (SystemsDiffer(row.agreement)) {
    absl::StrAppend(&cell, ": ",
                    Escape(row.guest ? Answer(*row.guest)
                                     : row.note.empty() ? "not run" : row.note));
  }
  return cell;
}

}  // namespace

std::string SystemsMarkdown(const std::vector<ConformanceRun>& runs,
                            const std::string& link_base) {
  std::string out = absl::StrCat("# sockspec: one suite on ", runs.size() + 1, " systems\n\n");
  for (const ConformanceRun& run : runs) {
    std::map<Agreement, int> n;
    for (const Comparison& row : run.rows) ++n[row.agreement];
    absl::StrAppend(&out, "- ", Escape(run.host_system), " vs **", Escape(run.guest_system),
                    "** (", Escape(run.guest_version), "): ", n[Agreement::kSame], " same, ",
                    n[Agreement::kRecorded], " recorded, ", n[Agreement::kXfail], " xfail, ",
                    n[Agreement::kDiffers], " differs, ", n[Agreement::kXpass], " xpass, ",
                    n[Agreement::kHostFail], " host-fail, ", n[Agreement::kError],
                    " error\n");
  }
  absl::StrAppend(&out, "\nCase files where a system differs come first.\n\n| case / instance | ",
                  Escape(runs.empty() ? "host" : runs[0].host_system), " |");
  std::string rule = "\n|---|---|";
  for (const ConformanceRun& run : runs) {
    absl::StrAppend(&out, " ", Escape(run.guest_system), " |");
    rule += "---|";
  }
  out += rule + "\n";
  for (const SystemsGroup& g : GroupSystems(runs)) {
    const std::string link =
        !g.path.empty() && g.path[0] == '/' ? "file://" + g.path : link_base + g.path;
    absl::StrAppend(&out, "| **[", Escape(g.path), "](", Escape(link), ")**", g.differs ? " (differs)" : "",
                    " |");
    for (size_t k = 0; k <= runs.size(); ++k) out += " |";
    out += "\n";
    for (size_t i : g.rows) {
      const Comparison& first = runs[0].rows[i];
      absl::StrAppend(&out, "| ", Escape(first.instance.empty() ? "(one instance)" : first.instance),
                      " | ", first.host && first.host->verdict == Verdict::kPass ? "pass" : "fail",
                      " |");
      for (const ConformanceRun& run : runs) {
        absl::StrAppend(&out, " ",
                        i >= run.rows.size() || run.rows[i].path != g.path ? "error: missing"
                                                                           : Cell(run.rows[i]),
                        " |");
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace sockspec
