// How to start a long-lived process inside a guest system that talks over its
// stdin and stdout (the fuzzers' differential mode, fuzz/ops_fuzzer
// --under=...): one process per run, fed inputs through a pipe, instead of one
// sandbox start per input.
//
//   absl::StatusOr<std::vector<std::string>> argv =
//       ServerCommand("gvisor", "/proc/self/exe", {"--sockspec-ops-server"});
#ifndef SOCKSPEC_HARNESS_GUEST_SERVER_COMMAND_H_
#define SOCKSPEC_HARNESS_GUEST_SERVER_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sockspec {

// The argv (for execvp) that runs `binary args...` in guest `under`:
//   "gvisor"       `runsc do` ($SOCKSPEC_RUNSC, else runsc on PATH), the
//                  flags the gVisor guest uses; needs root (FailedPrecondition
//                  otherwise);
//   "command:CMD"  CMD as a wrapper: /bin/sh -c 'CMD "$@"' sh binary args...
//                  (`command:env` runs on this machine; tests use it).
// InvalidArgument for any other name, saying which are known (a kernel
// under qemu has no stdin/stdout transport for a server yet).
absl::StatusOr<std::vector<std::string>> ServerCommand(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_SERVER_COMMAND_H_
