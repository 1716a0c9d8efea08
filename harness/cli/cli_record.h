// The commands of observe-then-record: `sockspec record` (fill placeholders,
// or with --under add a guest's platform lines; a diff on stdout unless
// --write) and `sockspec run --explain` (each instance as a per-peer ladder).
// Each returns the exit code: 0 done, 1 something needs a person's eye (or
// an instance failed), 2 an error.
#ifndef SOCKSPEC_HARNESS_CLI_CLI_RECORD_H_
#define SOCKSPEC_HARNESS_CLI_CLI_RECORD_H_

#include "harness/cli/cli.h"

namespace sockspec {

int RecordCommand(const CommandLine& c);
int ExplainCommand(const CommandLine& c);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_CLI_CLI_RECORD_H_
