// Results of a sockspec run and their renderings: the text summary people
// read, JUnit XML for CI (Bazel's test.xml) and JSON for tools.
#ifndef SOCKSPEC_HARNESS_REPORT_H_
#define SOCKSPEC_HARNESS_REPORT_H_

#include <string>
#include <vector>

namespace sockspec {

enum class Verdict { kPass, kFail, kError, kSkip };

// "PASS", "FAIL", "ERROR", "SKIP".
const char* VerdictName(Verdict v);

// One matrix instance of one case file (or the whole file, when it could not
// be loaded: instance is empty and message holds the diagnostics).
struct CaseOutcome {
  std::string path;      // "cases/close/read-after-peer-close-is-eof.case"
  std::string instance;  // "SOCK_DGRAM/abstract", "" without a matrix
  std::string title;
  std::vector<std::string> covers;
  Verdict verdict = Verdict::kPass;
  std::string message;  // failure report or error text; empty on pass
  double seconds = 0;
};

// "cases/close/x.case [SOCK_DGRAM]".
std::string DisplayName(const CaseOutcome& o);

// The topic a case belongs to: its folder below cases/ ("close").
std::string Topic(const std::string& path);

// One line per instance, the messages of failures and errors, and a table of
// pass/fail/error/skip per topic with totals; ends with the plain line
// "N passed, N failed" (+ ", N errors, N skipped" when nonzero).
std::string TextReport(const std::vector<CaseOutcome>& outcomes, bool verbose);

// JUnit XML: a <testsuite> per case file, a <testcase> per instance.
std::string JunitReport(const std::vector<CaseOutcome>& outcomes);

// {"summary": {...}, "results": [{...}, ...]}.
std::string JsonReport(const std::vector<CaseOutcome>& outcomes);

// The process exit code for a run: 0 all passed (or skipped), 1 any failure,
// 2 any error (errors win).
int ExitCode(const std::vector<CaseOutcome>& outcomes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_H_
