// Several systems in one HTML page: behaviours down (instances folded under
// their case file), systems across (the host first, then each --under), the
// cases where a system differs first, and a "differences only" switch that
// works without scripts (a checkbox and a CSS rule). One self-contained file.
//
//   std::string page = SystemsHtml({gvisor_run, qemu61_run, qemu612_run});
#ifndef SOCKSPEC_HARNESS_REPORT_SYSTEMS_HTML_H_
#define SOCKSPEC_HARNESS_REPORT_SYSTEMS_HTML_H_

#include <string>
#include <vector>

#include "harness/report/compare.h"

namespace sockspec {

// `runs` are comparisons of one host run with each guest (same rows, same
// order, as cli_run makes them). A cell shows the agreement ("same",
// "differs", ...) and, when not same, that system's answer and a folded
// per-peer ladder of its steps up to where it parted; a case file's
// rows come first when any of its cells is not same or recorded.
// Case links are `link_base` + the case's path ("../" when the page is
// written one folder below where the paths are relative to); an absolute
// path becomes a file:// link.
std::string SystemsHtml(const std::vector<ConformanceRun>& runs,
                        const std::string& link_base = "");

// Whether a cell counts as a difference (anything but same and recorded).
bool SystemsDiffer(Agreement a);

// One case file's rows (indices into runs[0].rows, which every run shares).
struct SystemsGroup {
  std::string path;
  std::vector<size_t> rows;
  bool differs = false;  // some system's cell differs, or its row is missing
};

// The case files in first-seen order, those that differ first (stable).
// The HTML page and SystemsMarkdown share it.
std::vector<SystemsGroup> GroupSystems(const std::vector<ConformanceRun>& runs);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_SYSTEMS_HTML_H_
