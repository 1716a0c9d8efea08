// Compares one suite's results on two systems, instance by instance: the
// host kernel (judged by the Linux expectations) and a guest such as gVisor
// (judged by its own recorded answers, Linux's where none is recorded), with
// the guest's expected-failure list applied.
//
//   ConformanceRun run = Compare("gvisor", host, guest, recorded, &xfail);
//   std::cout << ComparisonText(run);  return ComparisonExitCode(run);
#ifndef SOCKSPEC_HARNESS_COMPARE_H_
#define SOCKSPEC_HARNESS_COMPARE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/report.h"
#include "harness/xfail.h"

namespace sockspec {

// What one instance says about the guest, worst last.
enum class Agreement {
  kSame,      // both pass (or the guest was not run)
  kRecorded,  // both pass; the case records the guest's own answer
  kXfail,     // the guest fails and the xfail list says why
  kDiffers,   // the guest fails where the host passes, unrecorded: a failure
  kXpass,     // listed as failing but passes: a failure (stale list)
  kHostFail,  // the host fails its own expectations: a failure
  kError,     // either side could not run it, or ran it on one side only
};

// "same", "recorded", "xfail", "differs", "xpass", "host-fail", "error".
const char* AgreementName(Agreement a);

// A step whose guest answer the case records (`on gvisor = ...`).
struct RecordedAnswer {
  int line = 0;              // the step's line in the case file
  std::string step;          // "B: write(b, \"x\")"
  std::string host_answer;   // "EPIPE signal SIGPIPE", as written
  std::string guest_answer;  // "EPIPE", as written
};
// DisplayName ("path [instance]") -> the recorded steps of that instance.
using RecordedAnswers = std::map<std::string, std::vector<RecordedAnswer>>;

struct Comparison {
  std::string path, instance, title;
  std::vector<std::string> covers;
  std::optional<CaseOutcome> host;   // absent: not run on the host
  std::optional<CaseOutcome> guest;  // absent: not run in the guest
  Agreement agreement = Agreement::kSame;
  std::string xfail_reason;  // the list's reason, for kXfail and kXpass
  std::string note;          // why kError, when neither message says
  std::vector<RecordedAnswer> recorded;  // the case's answers for the guest
};

struct ConformanceRun {
  std::string host_system = "linux";
  std::string guest_system;  // "" when only the host ran
  std::string guest_version;  // "runsc version 0.0~20221219.0"
  std::string xfail_file;
  double host_seconds = 0, guest_seconds = 0;
  std::vector<Comparison> rows;
};

// Pairs `host` and `guest` outcomes by DisplayName (and order, for
// --repeat). `recorded` gives the instances whose plans carry an
// `on GUEST` answer; `xfail` may be null. With `guest_system` empty only the
// host outcomes are used.
ConformanceRun Compare(const std::string& guest_system,
                       const std::vector<CaseOutcome>& host,
                       const std::vector<CaseOutcome>& guest,
                       const RecordedAnswers& recorded,
                       const XfailList* xfail);

// 0 when every row is same, recorded or xfail; 2 if any error; else 1.
int ComparisonExitCode(const ConformanceRun& run);

// The first line of a failure message split into its parts:
// "cases/x.case:12:3: B: read(b, 10): expected 0, got -1 ECONNRESET".
struct Mismatch {
  std::string path;
  int line = 0;
  std::string step;      // "B: read(b, 10)"
  std::string expected;  // "0"
  std::string observed;  // "-1 ECONNRESET"
};
// Empty fields for parts the message does not have (line 0: no location).
Mismatch SplitMismatch(const std::string& message);

// What a system answered, in one line: "as expected", "-1 ECONNRESET
// (expected 0) at B: read(b, 10)", or the message's first line.
std::string Answer(const CaseOutcome& o);

// A link to the case line a row is about: "cases/x.case#L12" (the failing
// step when there is one, else the file).
std::string CaseLink(const Comparison& row);

// Every row that is not kSame with both answers, then counts per agreement
// and the wall times of both systems.
std::string ComparisonText(const ConformanceRun& run, bool verbose);

// {"summary": {...}, "rows": [{"path", "instance", "agreement", "host":
// {...}, "guest": {...}, "xfail_reason"}, ...]}.
std::string ComparisonJson(const ConformanceRun& run);

// The rows as outcomes (for JUnit): same/recorded/xfail pass, differs/xpass/
// host-fail fail, error errors; messages carry both answers.
std::vector<CaseOutcome> ComparisonOutcomes(const ConformanceRun& run);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_COMPARE_H_
