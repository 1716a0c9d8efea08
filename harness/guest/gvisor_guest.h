// gVisor as a system under test: runs this same sockspec binary once inside
// a `runsc do` sandbox for the whole list of case files and reads back its
// JSON results. The only code that knows runsc and gVisor's kernel banner.
//
//   std::unique_ptr<Guest> g = MakeGvisorGuest();  // or MakeGuest("gvisor")
#ifndef SOCKSPEC_HARNESS_GUEST_GVISOR_GUEST_H_
#define SOCKSPEC_HARNESS_GUEST_GVISOR_GUEST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "harness/guest/guest.h"

namespace sockspec {

// The gVisor guest: system "gvisor-20221219" (from `runsc --version`, known
// after CheckPrerequisites), platform "gvisor". Prerequisites: runsc found
// ($SOCKSPEC_RUNSC or PATH) and root.
std::unique_ptr<Guest> MakeGvisorGuest();

// True for a /proc/version line written by gVisor's sentry, which reports a
// fixed old kernel with its own banner.
bool IsGvisorKernelBanner(absl::string_view proc_version);

// "runsc version 0.0~20221219.0" -> "gvisor-20221219"; "gvisor" when the
// line holds no release date.
std::string GvisorSystemName(absl::string_view runsc_version);

// The runsc executable: $SOCKSPEC_RUNSC, else `runsc` found on $PATH.
// FailedPrecondition when there is none, or when not running as root (runsc
// do needs root here); the message says what to install or how to run.
absl::StatusOr<std::string> FindRunsc();

// The command line that runs `self` with `inner_args` (InnerRunArguments)
// inside one gVisor sandbox.
std::vector<std::string> GvisorCommand(const std::string& runsc,
                                       const std::string& self,
                                       const std::vector<std::string>& inner_args);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_GVISOR_GUEST_H_
