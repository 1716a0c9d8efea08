// `sockspec run --explain`: one instance's run as a per-peer ladder, for
// learners: each step in its peer's column with what that peer observed
// (in the case's own notation), which calls slept, and which step of which
// peer woke them.
//
//   absl::StatusOr<std::string> text = ExplainFile("cases/x.case", RecordOptions{});
//
//   boundaries/x.case [SOCK_STREAM]: A stream merges writes
//     line  harness                 A                       B
//     5     socketpair(...) -> ok
//     9                             write(a, m1) -> 100
//     11                                                    read(b, 200) -> m1 + m2
#ifndef SOCKSPEC_HARNESS_RECORD_EXPLAIN_H_
#define SOCKSPEC_HARNESS_RECORD_EXPLAIN_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/exec/executor.h"
#include "harness/record/recorder.h"

namespace sockspec {

// The ladder of one run of `plan`; `payloads` name data in answers.
std::string ExplainRun(const Plan& plan, const InstanceResult& result,
                       const std::vector<std::pair<std::string, std::string>>& payloads);

// Runs every instance of `path` (whose names match `filter`, an ECMAScript
// regex on "PATH [INSTANCE]"; "" for all) and explains each. The bool is
// true when every instance passed. An unreadable or invalid file is an error
// holding the diagnostics.
absl::StatusOr<std::pair<std::string, bool>> ExplainFile(const std::string& path,
                                                         const std::string& filter,
                                                         const RecordOptions& options);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RECORD_EXPLAIN_H_
