// The sockspec command: `sockspec --help` says what it does. Parsing is
// cli.cc's, running cli_run.cc's; exit codes 0 pass, 1 fail, 2 error.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/cli/cli.h"
#include "harness/cli/cli_run.h"
#include "harness/guest/guest.h"

namespace {

int RunArguments(const std::vector<std::string>& args) {
  absl::StatusOr<sockspec::CommandLine> c = sockspec::ParseCommandLine(args);
  if (!c.ok()) {
    fprintf(stderr, "sockspec: %s\n", std::string(c.status().message()).c_str());
    return 2;
  }
  return sockspec::RunCommandLine(*c);
}

}  // namespace

int main(int argc, char** argv) {
  // The /init of a guest's boot image: its arguments are in a file.
  if (std::optional<int> code = sockspec::RunAsGuestInit(RunArguments)) return *code;
  return RunArguments(std::vector<std::string>(argv + 1, argv + argc));
}
