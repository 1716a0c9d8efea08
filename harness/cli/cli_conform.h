// Comparing systems for `sockspec run --under=...` (and `report`): resolves
// each guest, runs it, compares it with the host's outcomes and writes the
// reports (text, JSON, JUnit, KTAP, TAP, HTML, Markdown). Internal to the CLI.
#ifndef SOCKSPEC_HARNESS_CLI_CLI_CONFORM_H_
#define SOCKSPEC_HARNESS_CLI_CLI_CONFORM_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "harness/cli/cli.h"
#include "harness/guest/guest.h"
#include "harness/report/compare.h"
#include "harness/report/xfail.h"
#include "harness/result/outcome.h"

namespace sockspec {
namespace internal {

// The system --under names, ready to run, with its expected-failure list.
struct GuestSide {
  std::unique_ptr<Guest> guest;  // null: no --under
  XfailList xfail;
  bool have_xfail = false;
};

// Resolves --under and --xfail and checks the guest's prerequisites, before
// anything runs; returns 0 to go on, else the exit code (a message printed).
int PrepareGuest(const CommandLine& c, GuestSide& side);

// With a guest, --html or --markdown: runs the guest (if any), compares,
// writes the report pages and the chosen format into `report`; returns the
// comparison's exit code. The rows and the run are also handed out when
// asked (for ConformSeveral).
int Conform(const CommandLine& c, GuestSide& side,
            const std::vector<std::string>& files, const Guest& host_guest,
            const GuestRun& host_run, std::string& report,
            std::vector<CaseOutcome>* rows_out = nullptr,
            ConformanceRun* run_out = nullptr);

// Several --under: every guest's prerequisites checked first, then each run
// and compared with the host in turn; one report (text: each comparison;
// json: an array of them; junit, ktap, tap: every row, named by system;
// --html and --markdown: the systems matrix). Returns the worst exit code.
int ConformSeveral(const CommandLine& c, const std::vector<std::string>& files,
                   const Guest& host, const GuestRun& host_run, std::string& report);

// Prints "sockspec: MESSAGE" on stderr; returns 2.
int Fail(const absl::Status& status);

// Writes `text` to `path`; false (a message printed) when it cannot.
bool WriteFile(const std::string& path, const std::string& text);

}  // namespace internal
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_CLI_CLI_CONFORM_H_
