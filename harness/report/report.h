// Results of a sockspec run and their renderings: the text summary people
// read, JUnit XML for CI (Bazel's test.xml) and JSON for tools.
#ifndef SOCKSPEC_HARNESS_REPORT_REPORT_H_
#define SOCKSPEC_HARNESS_REPORT_REPORT_H_

#include <string>
#include <vector>

#include "harness/result/outcome.h"

namespace sockspec {

// The topic a case belongs to: its folder below cases/ ("close").
std::string Topic(const std::string& path);

// One line per instance, the messages of failures and errors, and a table of
// pass/fail/error/skip per topic with totals; ends with the plain line
// "N passed, N failed" (+ ", N errors, N skipped" when nonzero).
std::string TextReport(const std::vector<CaseOutcome>& outcomes, bool verbose);

// JUnit XML: a <testsuite> per case file, a <testcase> per instance; the
// failure's headline is the message attribute, its whole text the body.
std::string JunitReport(const std::vector<CaseOutcome>& outcomes);

// outcome_json.h's OutcomesJson, dumped: {"summary": {...}, "results":
// [{..., "failure": {...}}, ...]}.
std::string JsonReport(const std::vector<CaseOutcome>& outcomes);

// `s` as XML 1.0 character data or attribute value: & < > " ' escaped,
// control bytes XML cannot carry shown as \xNN, invalid UTF-8 replaced by
// U+FFFD. The one XML escaper.
std::string XmlEscape(const std::string& s);

// The process exit code for a run: 0 all passed (or skipped), 1 any failure,
// 2 any error (errors win).
int ExitCode(const std::vector<CaseOutcome>& outcomes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_REPORT_H_
