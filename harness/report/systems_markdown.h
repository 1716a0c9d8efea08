// Several systems in one Markdown document (GitHub tables), the Markdown
// form of SystemsHtml: behaviours down (a bold linked row per case file,
// its instances under it), systems across (the host first), the case files
// where a system differs first, and each differing cell's answer.
//
//   std::string md = SystemsMarkdown({gvisor_run, qemu61_run}, "../");
#ifndef SOCKSPEC_HARNESS_REPORT_SYSTEMS_MARKDOWN_H_
#define SOCKSPEC_HARNESS_REPORT_SYSTEMS_MARKDOWN_H_

#include <string>
#include <vector>

#include "harness/report/compare.h"

namespace sockspec {

// `runs` and `link_base` as for SystemsHtml. Table cells never hold '|',
// a newline or '`' from a case's text.
std::string SystemsMarkdown(const std::vector<ConformanceRun>& runs,
                            const std::string& link_base = "");

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_SYSTEMS_MARKDOWN_H_
