// The engine of fuzz/blocking_fuzzer: spreads a decoded operation sequence
// (fuzz_ops.h) over three forked peers that run it through the real executor
// (harness/exec), so a read may block in one peer and be woken by another
// peer's step; every result is judged by the reference model (model.h).
//
//   BlockingProgram p = BuildBlockingProgram(DecodeOps(bytes), limits);
//   absl::Status verdict = RunBlockingProgram(p, limits, Corruption::kNone);
//   if (!verdict.ok()) puts(verdict.message());  // steps, observed, reason
//
// Peers: A holds a, B holds b, C holds both. The model decides, before the
// run, whether a read without MSG_DONTWAIT sleeps (its only allowed answer
// on the socket as it would then be is EAGAIN): the step is then `blocks`,
// and the step after which the model says it can complete is followed by
// `wakes`. The executor checks the sleep in /proc and that the call wakes.
#ifndef SOCKSPEC_HARNESS_MODEL_BLOCKING_PLAN_H_
#define SOCKSPEC_HARNESS_MODEL_BLOCKING_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/model.h"
#include "harness/plan/plan.h"

namespace sockspec {

// What one step of BlockingProgram::plan stands for.
struct BlockingStep {
  enum class Role {
    kSetup,       // the socketpair
    kCall,        // ops[op] run to completion, judged by the model
    kBlocks,      // ops[op] seen asleep
    kWakes,       // ops[op] completes: judged by the model here
    kCloseCopy,   // closing one of several copies of an end: must return 0
    kSndbufRead,  // getsockopt(SO_SNDBUF) after ops[op]'s setsockopt
  };
  Role role = Role::kSetup;
  int op = -1;  // index into BlockingProgram::ops
};

struct BlockingProgram {
  model::SockType type = model::SockType::kStream;
  Plan plan;
  std::vector<model::ModelOp> ops;  // as run (flags may differ from input)
  std::vector<BlockingStep> steps;  // one per plan.ops entry
  int blocking_calls = 0;           // `blocks` steps in the plan
};

// Builds the plan for `program`. An operation whose result the model cannot
// predict uniquely (a partial write near a full buffer) is left out, so the
// plan's `blocks`/`wakes` placement holds for every allowed run; a write
// that would sleep runs with MSG_DONTWAIT (blocking writes are not planned);
// a blocking read loses MSG_WAITALL. At most one read per end is asleep at
// a time; one still asleep at the end is woken by shutdown(SHUT_RD) of its
// end.
// `misplace_blocks` (the oracle self-test, SOCKSPEC_CORRUPT=misplace-blocks
// for fuzz/blocking_fuzzer) plans the first blocking-mode read the model says
// completes as `blocks`: the executor must then report it.
BlockingProgram BuildBlockingProgram(const OpsProgram& program,
                                     const model::ModelLimits& limits,
                                     bool misplace_blocks = false);

// Runs the plan with the executor (RunPlan) and judges the trace with a fresh
// model. Returns OK when the executor saw every `blocks` asleep and every
// `wakes` complete and the model allowed every result; otherwise
// FailedPrecondition with the steps (peer, call, observed), the failing one
// marked, its reason, and the program as a case file to `sockspec record`.
// `corruption` falsifies one observed result (the oracle self-test).
absl::Status RunBlockingProgram(const BlockingProgram& program,
                                const model::ModelLimits& limits,
                                Corruption corruption);

// The program as a case file (peers, payloads, steps with `= ?` results,
// `blocks` and `wakes = ?`), for `sockspec record` to fill.
std::string BlockingProgramCase(const BlockingProgram& program,
                                const std::string& source);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_BLOCKING_PLAN_H_
