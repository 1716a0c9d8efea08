// The result of one case instance as every output sees it: verdict, time,
// the failure record and the steps passed only by a recorded answer.
#ifndef SOCKSPEC_HARNESS_RESULT_OUTCOME_H_
#define SOCKSPEC_HARNESS_RESULT_OUTCOME_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/result/failure.h"

namespace sockspec {

enum class Verdict { kPass, kFail, kError, kSkip };

// "PASS", "FAIL", "ERROR", "SKIP".
const char* VerdictName(Verdict v);

// One matrix instance of one case file (or the whole file, when it could not
// be loaded: instance is empty and the failure, kind kCaseError, holds the
// diagnostics).
struct CaseOutcome {
  std::string path;      // "cases/close/read-after-peer-close-is-eof.case"
  std::string instance;  // "SOCK_DGRAM/abstract", "" without a matrix
  std::string title;
  std::vector<std::string> covers;
  Verdict verdict = Verdict::kPass;
  std::optional<Failure> failure;  // absent on a pass or skip
  // kSkip: why, naming the unmet prerequisite and where the case states it:
  // "cases/x.case:9: requires ipv6: socket(AF_INET6) failed EAFNOSUPPORT".
  std::string skip_reason;
  std::vector<RecordedAnswer> recorded;  // see InstanceResult::recorded
  // A guest's run goes on after a mismatch where that is sound: the later
  // failing steps (no trace each), the plan's steps by line and the lines it
  // never reached (see InstanceResult; empty for a skip or a load error).
  std::vector<Failure> later_failures;
  std::vector<int> step_lines;
  std::vector<int> not_run;
  double seconds = 0;
};

// "cases/close/x.case [SOCK_DGRAM]".
std::string DisplayName(const CaseOutcome& o);

// FailureText of its failure; a skip's reason; "" otherwise.
std::string Message(const CaseOutcome& o);

// A failure of `kind` whose whole text is `text` (kCaseError,
// kDisagreement) or whose detail is `text` (kHarnessError, no location).
Failure TextFailure(FailureKind kind, std::string text);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RESULT_OUTCOME_H_
