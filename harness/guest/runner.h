// Runs case files: finds them, loads and validates each, expands the matrix,
// runs every instance (in forked workers when jobs > 1) and returns the
// outcomes in a stable order: file order, then matrix order, then repeat.
#ifndef SOCKSPEC_HARNESS_GUEST_RUNNER_H_
#define SOCKSPEC_HARNESS_GUEST_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/exec/executor.h"
#include "harness/report/report.h"

namespace sockspec {

struct RunConfig {
  std::string platform = "linux";  // whose expectations apply
  // Which instances run, by DisplayName ("cases/x.case [SOCK_DGRAM]", as
  // --list prints it): FilterMatches. "" runs all.
  std::string filter;
  // Bazel's test sharding: of the instances the filter selects, in order,
  // run those whose index % shard_count == shard_index.
  int shard_index = 0;
  int shard_count = 1;
  int jobs = 1;
  int repeat = 1;
  // Each worker (or, with one job, this process while it runs instances)
  // is pinned to one CPU, its peers with it (PinToCpu says why); true lets
  // them run on any CPU the process may use.
  bool spread_cpus = false;
  // Fork every peer anew for each instance instead of keeping them in a
  // PeerPool (executor.h): slower, for telling the pool apart from a finding.
  bool fresh_peers = false;
  RunOptions exec;
  // Called after each instance finishes, in completion order.
  std::function<void(const CaseOutcome&, int done, int total)> progress;
};

// The number of CPUs this process may run on (its affinity mask), at least
// 1: the default of `sockspec run --jobs`.
int DefaultJobs();

// Whether `name` is selected by `pattern`: the whole name matches, where `*`
// stands for any run of characters and `?` for one; every other character,
// `[` and `]` included, stands for itself (so a name pasted from --list
// selects exactly that instance). An empty pattern selects everything.
bool FilterMatches(const std::string& pattern, const std::string& name);

// The .case files named by `paths`: files as given, directories searched
// recursively (skipping folders named "invalid", whose files are wrong on
// purpose), sorted. An error names a path that does not exist.
absl::StatusOr<std::vector<std::string>> FindCaseFiles(
    const std::vector<std::string>& paths);

// One outcome per instance and repeat. A file that does not load gives one
// kError outcome holding its diagnostics.
std::vector<CaseOutcome> RunCases(const std::vector<std::string>& files,
                                  const RunConfig& config);

// The instances `RunCases` would run, as outcomes with verdict kSkip and no
// message (for --list); load errors are returned as kError outcomes.
std::vector<CaseOutcome> ListCases(const std::vector<std::string>& files,
                                   const RunConfig& config);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_RUNNER_H_
