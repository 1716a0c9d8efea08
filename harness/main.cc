// The sockspec command: `sockspec --help` says what it does. Parsing is
// cli.cc's, running cli_run.cc's; exit codes 0 pass, 1 fail, 2 error.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/cli/cli.h"
#include "harness/cli/cli_run.h"

int main(int argc, char** argv) {
  absl::StatusOr<sockspec::CommandLine> c =
      sockspec::ParseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  if (!c.ok()) {
    fprintf(stderr, "sockspec: %s\n", std::string(c.status().message()).c_str());
    return 2;
  }
  return sockspec::RunCommandLine(*c);
}
