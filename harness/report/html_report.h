// The conformance report as one self-contained HTML page (inline CSS, no
// scripts, no external resources): a summary per system, a legend and the
// matrix table (id="matrix", one <tr> per behaviour x instance in its
// <tbody>, one colour-coded cell per system linking to the case line).
#ifndef SOCKSPEC_HARNESS_REPORT_HTML_REPORT_H_
#define SOCKSPEC_HARNESS_REPORT_HTML_REPORT_H_

#include <string>

#include "harness/report/compare.h"

namespace sockspec {

// The page. Links are relative to the directory sockspec ran in
// ("cases/x.case#L12"), so keep the page there or next to the cases.
std::string HtmlReport(const ConformanceRun& run);

// `s` with & < > " ' escaped for HTML text and attribute values, invalid
// UTF-8 replaced by U+FFFD. The one HTML escaper.
std::string HtmlEscape(const std::string& s);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_HTML_REPORT_H_
