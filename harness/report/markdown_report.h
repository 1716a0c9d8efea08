// The conformance report in Markdown (GitHub tables): a summary per system
// and the matrix, one row per behaviour x instance, one cell per system with
// the status, expected vs observed on a mismatch and a link to the case line.
#ifndef SOCKSPEC_HARNESS_REPORT_MARKDOWN_REPORT_H_
#define SOCKSPEC_HARNESS_REPORT_MARKDOWN_REPORT_H_

#include <string>

#include "harness/report/compare.h"

namespace sockspec {

// The document; links are relative like HtmlReport's.
std::string MarkdownReport(const ConformanceRun& run);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_MARKDOWN_REPORT_H_
