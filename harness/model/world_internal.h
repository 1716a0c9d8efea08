// Private to World (world.cc, world_dgram.cc): the one-answer judgement.
#ifndef SOCKSPEC_HARNESS_MODEL_WORLD_INTERNAL_H_
#define SOCKSPEC_HARNESS_MODEL_WORLD_INTERNAL_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "harness/model/model_types.h"

namespace sockspec::model::internal {

// OK if `obs` is `ret` (and, when ret is -1, errno `err`) without SIGPIPE;
// otherwise FailedPrecondition "OP: expected R (WHY), got R'". A view, so
// that the literal most callers pass makes no string when the result is OK.
absl::Status Expect(const ModelOp& op, const Observed& obs, ssize_t ret,
                    int err, absl::string_view why);

// Internal "OP: no rule on WHERE for an OpScope::kAnySocket operation": a
// kAnySocket operation (model_types.h ScopeOf) that World's own rules for
// WHERE do not handle yet.
absl::Status NoRule(const ModelOp& op, const std::string& where);

}  // namespace sockspec::model::internal

#endif  // SOCKSPEC_HARNESS_MODEL_WORLD_INTERNAL_H_
