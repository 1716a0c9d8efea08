// Compares one suite's results on two systems, instance by instance: the
// host kernel (judged by the Linux expectations) and a guest such as gVisor
// (judged by its own recorded answers, Linux's where none is recorded), with
// the guest's expected-failure list applied.
//
//   ConformanceRun run = Compare("gvisor", host, guest, &xfail);
//   run.guest_system = "gvisor-20221219";  // the display name, if another
//   std::cout << ComparisonText(run);  return ComparisonExitCode(run);
#ifndef SOCKSPEC_HARNESS_REPORT_COMPARE_H_
#define SOCKSPEC_HARNESS_REPORT_COMPARE_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/report/report.h"
#include "harness/report/xfail.h"

namespace sockspec {

// What one instance says about the guest, worst last.
enum class Agreement {
  kSame,      // both pass (or the guest was not run)
  kSkipped,   // a side skipped it: a prerequisite is unmet (note says which)
  kRecorded,  // both pass, and at some step the guest passed only through
              // its platform's own recorded answer (CaseOutcome::recorded)
  kXfail,     // the guest fails and the xfail list says why
  kDiffers,   // the guest fails where the host passes, unrecorded: a failure
  kXpass,     // listed as failing but passes: a failure (stale list)
  kHostFail,  // the host fails its own expectations: a failure
  kError,     // either side could not run it, or ran it on one side only
};

// "same", "skipped", "recorded", "xfail", "differs", "xpass", "host-fail",
// "error".
const char* AgreementName(Agreement a);

// The guest's steps of one instance (or of a run), each counted once by its
// source line: passed as the host did, passed through the guest's own
// recorded answer, failed as the xfail list says, failed unlisted, or never
// reached (the run stopped before them).
struct StepCounts {
  int same = 0, recorded = 0, xfail = 0, differs = 0, not_run = 0;
};

// A step the guest failed, with the list's reason when it is listed.
struct FailingStep {
  Failure failure;
  bool listed = false;
  std::string xfail_reason;
};

struct Comparison {
  std::string path, instance, title;
  std::vector<std::string> covers;
  std::optional<CaseOutcome> host;   // absent: not run on the host
  std::optional<CaseOutcome> guest;  // absent: not run in the guest
  Agreement agreement = Agreement::kSame;
  std::string xfail_reason;  // the list's reason, for kXfail and kXpass
  std::string note;          // why kError, when neither message says
  // The steps the guest passed through its own recorded answer (from the
  // guest's outcome); never empty on a kRecorded row.
  std::vector<RecordedAnswer> recorded;
  // Per step, in the guest: every failing step (the first one, then those
  // the run went on to), the lines it never reached, the lines a step entry
  // of the list names that passed (each makes the row kXpass), the counts.
  std::vector<FailingStep> failing;
  std::vector<int> not_run;
  std::vector<int> xpass_lines;
  StepCounts steps;
};

struct ConformanceRun {
  // Display names of the systems ("linux", "gvisor-20221219"), set by the
  // caller; Compare sets guest_system to the guest's platform name.
  std::string host_system = "linux";
  std::string guest_system;  // "" when only the host ran
  // Whose recorded answers apply in the guest ("gvisor").
  std::string guest_platform;
  std::string guest_version;  // "runsc version 0.0~20221219.0"
  std::string xfail_file;
  double host_seconds = 0, guest_seconds = 0;
  std::vector<Comparison> rows;
  StepCounts steps;  // the rows' counts added up
};

// Pairs `host` and `guest` outcomes by DisplayName (and order, for
// --repeat). `guest_platform` names whose recorded answers the guest run
// applied ("gvisor"); a guest pass is kRecorded when its outcome lists
// recorded answers. `xfail` may be null. With `guest_platform` empty only
// the host outcomes are used.
ConformanceRun Compare(const std::string& guest_platform,
                       const std::vector<CaseOutcome>& host,
                       const std::vector<CaseOutcome>& guest,
                       const XfailList* xfail);

// "12 same, 1 recorded, 2 xfail, 0 differs, 3 not run".
std::string StepCountsText(const StepCounts& s);

// 0 when every row is same, skipped, recorded or xfail; 2 if any error;
// else 1.
int ComparisonExitCode(const ConformanceRun& run);

// What a system answered, in one line: "as expected", "-1 ECONNRESET
// (expected 0) at B: read(b, 10)" for a mismatch, else the failure's
// headline.
std::string Answer(const CaseOutcome& o);

// A link to the case line a row is about: "cases/x.case#L12" (the failing
// step when there is one, else the file).
std::string CaseLink(const Comparison& row);

// Every row that is not kSame with both answers, then counts per agreement
// and the wall times of both systems.
std::string ComparisonText(const ConformanceRun& run, bool verbose);

// {"summary": {...}, "rows": [{"path", "instance", "agreement", "host":
// {"verdict", "answer", "seconds", "message", "failure"}, "guest": {...},
// "recorded": [...], "xfail_reason"}, ...]}, through outcome_json.h.
std::string ComparisonJson(const ConformanceRun& run);

// The rows as outcomes (for JUnit, KTAP, TAP): same/recorded pass, xfail
// is skipped (its reason in the message), differs/xpass/host-fail fail,
// error errors; the headline names the agreement and where the systems
// parted ("differs at cases/x.case:27:1 B: sockatmark(b)"), the message
// carries both answers.
std::vector<CaseOutcome> ComparisonOutcomes(const ConformanceRun& run);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_COMPARE_H_
