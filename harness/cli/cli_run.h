// Carries out a parsed sockspec command line: check, run, report (with a
// guest when --under names one), record (cli_record.h), printing reports
// and messages.
#ifndef SOCKSPEC_HARNESS_CLI_CLI_RUN_H_
#define SOCKSPEC_HARNESS_CLI_CLI_RUN_H_

#include "harness/cli/cli.h"

namespace sockspec {

// Runs `c` and returns the exit code: 0 all passed, 1 a case failed (or a
// guest differs unrecorded), 2 an error (a bad case file, a missing
// prerequisite of the guest, a file that cannot be written). Messages go to
// stderr, reports to stdout or --output.
int RunCommandLine(const CommandLine& c);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_CLI_CLI_RUN_H_
