// The sockspec command line, parsed (with CLI11) into data that cli_run acts
// on; parsing runs nothing and prints nothing.
//
//   absl::StatusOr<CommandLine> c = ParseCommandLine({"run", "--jobs=2", "cases"});
#ifndef SOCKSPEC_HARNESS_CLI_CLI_H_
#define SOCKSPEC_HARNESS_CLI_CLI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/guest/guest.h"
#include "harness/guest/runner.h"

namespace sockspec {

// "sockspec 0.2.0": what --version prints.
inline constexpr char kSockspecVersion[] = "sockspec 0.2.0";

enum class Command {
  kPrint,   // print `text` on stdout and exit 0 (--help, help, --version)
  kUsage,   // no command: print `text` (the usage) on stderr and exit 2
  kRun,     // sockspec run
  kReport,  // sockspec report: run and write the conformance report
  kCheck,   // sockspec check: validate case files only
  kRecord,  // sockspec record: fill placeholders with observed answers
};

struct CommandLine {
  Command command = Command::kUsage;
  std::string text;  // for kPrint and kUsage

  // kRun, kReport, kCheck. config.platform is "" unless --platform was given.
  RunConfig config;
  std::vector<std::string> paths;  // never empty for kRun/kReport: "cases"
  std::string format = "text";     // text, junit, json
  std::string output, under, xfail, html, markdown;
  // Every --under, in order (repeatable); `under` is the first, "" without.
  std::vector<std::string> unders;
  std::string inner_run;  // the hidden --inner-run=GUEST (see guest.h)
  GuestOptions guest_options;  // --qemu, --append, --memory, --cpus, ...
  bool list = false, verbose = false;
  bool explain = false;  // run --explain: each instance as a per-peer ladder
  bool write = false;    // record --write: rewrite the files in place
  // --allow-empty: a filter that selects no instance is not an error.
  bool allow_empty = false;
  // --shard-index/--shard-count; -1 when not given (then Bazel's
  // TEST_SHARD_INDEX/TEST_TOTAL_SHARDS apply).
  int shard_index = -1, shard_count = -1;
};

// Parses the arguments after the program name. Help and --version give
// kPrint with the text. A usage error (unknown command or option, a missing
// or bad value, `report` without --html/--markdown) is InvalidArgument with a
// one-line message that names the argument and, for an unknown option, the
// help to read: "unknown option '--bogus' (see sockspec run --help)".
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_CLI_CLI_H_
