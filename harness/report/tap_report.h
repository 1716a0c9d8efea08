// Results as the Test Anything Protocol, for kernel CI: KTAP version 1 (the
// kernel's Documentation/dev-tools/ktap.rst, what kselftest and KUnit print)
// and TAP version 13. One test per instance (and repeat), in run order.
//
//   KTAP version 1
//   1..2
//   ok 1 cases/close/x.case [SOCK_DGRAM]
//   # cases/close/y.case:12:3: B: read(b, 10): expected 0, got -1 ECONNRESET
//   not ok 2 cases/close/y.case
#ifndef SOCKSPEC_HARNESS_REPORT_TAP_REPORT_H_
#define SOCKSPEC_HARNESS_REPORT_TAP_REPORT_H_

#include <string>
#include <vector>

#include "harness/result/outcome.h"

namespace sockspec {

// KTAP version 1: the version line, the plan, then per instance its
// diagnostic lines ("# " + each line of a failure's or error's message)
// followed by "ok N NAME", "not ok N NAME" or "ok N NAME # SKIP". NAME is
// DisplayName with '#' shown as '_' and a repeat's index appended
// (" (repeat 2)") when --repeat gives one name twice, so names are unique.
std::string KtapReport(const std::vector<CaseOutcome>& outcomes);

// TAP version 13: the same tests as "ok N - NAME"; a failure's message as a
// YAML block ("  ---" / "  message: |" / "  ...") after its line.
std::string TapReport(const std::vector<CaseOutcome>& outcomes);

// The test names of `outcomes`, unique: DisplayName, and " (repeat K)" for
// K >= 2 when a name occurs more than once.
std::vector<std::string> UniqueTestNames(const std::vector<CaseOutcome>& outcomes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_TAP_REPORT_H_
