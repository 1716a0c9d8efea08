// gVisor as a second system under test: runs this same sockspec binary once
// inside a `runsc do` sandbox for the whole suite and reads back its results.
//
//   absl::StatusOr<SandboxRun> r = RunInGvisor("/proc/self/exe", {"cases"}, {});
#ifndef SOCKSPEC_HARNESS_GVISOR_H_
#define SOCKSPEC_HARNESS_GVISOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/report.h"

namespace sockspec {

// The hidden `sockspec run` flag the sandboxed run gets: it checks that the
// platform is detected as NAME, then prints JsonReport on stdout.
inline constexpr char kSandboxedFlag[] = "--sandboxed=";

struct SandboxRun {
  std::vector<CaseOutcome> outcomes;
  std::string runsc_version;  // "runsc version 0.0~20221219.0"
  double seconds = 0;         // wall time, sandbox start included
};

// The runsc executable: $SOCKSPEC_RUNSC, else `runsc` found on $PATH.
// FailedPrecondition when there is none, or when not running as root (runsc
// do needs root here); the message says what to install or how to run.
absl::StatusOr<std::string> FindRunsc();

// The command line that runs `self` inside gVisor with `run_args` (the
// paths and options of the outer run, the sandboxed flag added).
std::vector<std::string> GvisorCommand(const std::string& runsc,
                                       const std::string& self,
                                       const std::vector<std::string>& run_args);

// Runs `self run --sandboxed=gvisor RUN_ARGS` in one sandbox (stderr passes
// through: progress lines) and parses its results. An error names what
// failed: finding runsc, starting it, the run's exit status with no results,
// or unreadable results.
absl::StatusOr<SandboxRun> RunInGvisor(const std::string& self,
                                       const std::vector<std::string>& run_args);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GVISOR_H_
