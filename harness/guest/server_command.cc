#include "harness/guest/server_command.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sockspec {

absl::StatusOr<std::vector<std::string>> ServerCommand(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (under == "gvisor") {
    if (geteuid() != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "`runsc do` needs root here (uid ", geteuid(), ")"));
    }
    const char* runsc = getenv("SOCKSPEC_RUNSC");
    // The flags of GvisorCommand (gvisor_guest.cc): ptrace needs no KVM,
    // no network but loopback, cgroups ignored where they are read-only.
    argv = {runsc != nullptr && *runsc != '\0' ? runsc : "runsc",
            "--network=none", "--platform=ptrace", "--ignore-cgroups",
            "do", "-quiet", binary};
  } else if (absl::StartsWith(under, "command:") && under.size() > 8) {
    argv = {"/bin/sh", "-c", absl::StrCat(under.substr(8), " \"$@\""), "sh",
            binary};
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown guest '", under,
        "' for a server (known: gvisor, command:CMD)"));
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace sockspec
