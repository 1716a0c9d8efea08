// What a run records about one instance beyond its verdict, as data: the
// failure (where, which call, expected vs observed, what kind, the steps
// before it) and the steps a platform passed only through its own recorded
// answer. Made where it happens (the executor), carried unchanged to every
// output; the text people read is rendered from it by FailureText.
//
//   Failure f = ...;  std::cerr << FailureText(f);
//   // cases/x.case:12:3: B: read(b, 10): expected 0 (EOF), got -1 ECONNRESET
#ifndef SOCKSPEC_HARNESS_RESULT_FAILURE_H_
#define SOCKSPEC_HARNESS_RESULT_FAILURE_H_

#include <string>
#include <vector>

#include "harness/plan/plan.h"

namespace sockspec {

enum class FailureKind {
  kMismatch,      // a call's result is not one the case allows
  kHang,          // a peer neither finished nor slept by the step deadline
  kDeadline,      // the case deadline passed (before or during a step)
  kPeerDied,      // a peer was killed by a signal (or its channel closed)
  kHarnessError,  // the harness or the environment failed, not the system
  kCaseError,     // the case file does not load: `detail` holds diagnostics
  kDisagreement,  // two systems' results disagree: `detail` holds both
};

// "mismatch", "hang", "deadline", "peer-died", "harness-error",
// "case-error", "disagreement".
const char* FailureKindName(FailureKind k);
// The kind named `name`; false when `name` is none of them.
bool ParseFailureKind(const std::string& name, FailureKind* out);

// One step run before the failing one, with what it gave.
struct TraceStep {
  Location loc;
  std::string peer;      // "B"; "" for a setup step
  std::string call;      // Op::text
  std::string observed;  // "5", "-1 EAGAIN", "blocks (seen asleep after ...)"
  bool ok = true;
  // For a per-peer ladder (the text output does not use them): a call seen
  // asleep in the kernel, and the index in the failure's trace of the
  // `wakes` step where it completed (trace.size(): the failing step itself;
  // -1: not within the trace).
  bool asleep = false;
  int woken_at = -1;
  // A `wakes` step: the index in the trace of the step that woke it (the
  // last one another peer or the setup took before it); -1: none.
  int woken_by = -1;
};

struct Failure {
  FailureKind kind = FailureKind::kMismatch;
  Location loc;          // the step's; line 0: no step (e.g. a leak check)
  std::string peer;      // the step's peer, "" for setup or none
  std::string call;      // the call as written: "read(b, 10)"
  std::string expected_text;  // the answer as written: "0 or EAGAIN"
  std::string expected;  // the judge's description: "0 (EOF) or -1 EAGAIN"
  std::string observed;  // "-1 ECONNRESET"; for a hang, the state seen
  // kHang, kDeadline, kPeerDied, kHarnessError: what happened, one line
  // ("peer B hung in read(b, 1); killed after 5000 ms"). kCaseError and
  // kDisagreement: the whole text.
  std::string detail;
  std::vector<std::string> more_errors;  // kHarnessError: later errors, as text
  std::vector<TraceStep> trace;
  // When the failing step is a `wakes`: the index in `trace` of the step
  // that woke it (as TraceStep::woken_by); -1 otherwise.
  int woken_by = -1;
};

// A step the instance passed only because its platform records an answer
// of its own (`on gvisor = EPIPE because "..."`): the default platform's
// answer did not match what was observed.
struct RecordedAnswer {
  Location loc;
  std::string peer;
  std::string call;              // "write(b, \"x\")"
  std::string default_platform;  // "linux"
  std::string default_answer;    // "EPIPE signal SIGPIPE", as written
  std::string platform;          // "gvisor"
  std::string platform_answer;   // "EPIPE", as written
  std::string source;            // the `because` text
  std::string observed;          // "-1 EPIPE"
};

// "path:line:col: PEER: call" ("path:line:col: call" for setup steps).
std::string StepName(const Location& loc, const std::string& peer,
                     const std::string& call);

// The text people read, ending in a newline:
//   kMismatch  "STEP: expected E, got O\ntrace:\n  STEP -> OBS\n..."
//   kHang, kDeadline, kPeerDied  "STEP: DETAIL\ntrace:\n..."
//   kHarnessError  "harness error: STEP: DETAIL\n" (no STEP without a
//                  location), then one "harness error: ..." per more_errors
//   kCaseError, kDisagreement  DETAIL
std::string FailureText(const Failure& f);

// The first line of FailureText, without the newline.
std::string FailureHeadline(const Failure& f);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RESULT_FAILURE_H_
