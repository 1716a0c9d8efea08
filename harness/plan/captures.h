// Values known only at run time: `getsockopt(a, SOL_SOCKET, SO_SNDBUF) =
// $sndbuf` captures a result; later steps use it in arguments and
// expectations (`$sndbuf / 2`, `1..$sndbuf`, `m[0:$n]`). Lowering leaves
// such places as DynamicInt entries (plan.h); the executor resolves an op
// with the values captured so far just before the op runs.
//
//   CaptureValues v(plan.capture_names.size());  v[0] = 212992;
//   absl::Status s = ResolveCaptures(plan.capture_names, v, &op);
#ifndef SOCKSPEC_HARNESS_PLAN_CAPTURES_H_
#define SOCKSPEC_HARNESS_PLAN_CAPTURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harness/plan/plan.h"

namespace sockspec {

// Capture slot -> value; nullopt until the capturing step has run.
using CaptureValues = std::vector<std::optional<int64_t>>;

// The value of `e`, or FailedPrecondition naming a capture not yet bound
// ("$n has no value: the step that captures it gave none"), or
// OutOfRange for division by zero or a 64-bit overflow.
absl::StatusOr<int64_t> EvalIntExpr(const IntExpr& e,
                                    const std::vector<std::string>& names,
                                    const CaptureValues& values);

// Whether `op` has a place that takes a run-time value (its arguments, or
// an outcome of its expectation or of a platform's).
bool HasDynamic(const Op& op);

// Writes every run-time value into `op` (ints, the data slice, expected
// ranges and data) and clears its dynamic lists. OK, or the first
// evaluation error, or OutOfRange for a slice outside its payload or a
// range whose end comes before its start.
absl::Status ResolveCaptures(const std::vector<std::string>& names,
                             const CaptureValues& values, Op* op);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_PLAN_CAPTURES_H_
