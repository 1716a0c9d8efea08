// The engine of fuzz/blocking_fuzzer: spreads a decoded operation sequence
// (fuzz_ops.h) over forked peers that run it through the real executor
// (harness/exec), so a read or a write may block in one peer and be woken by
// another peer's step; every result is judged by the reference model
// (model.h).
//
//   BlockingInput in = DecodeBlockingInput(bytes);
//   BlockingProgram p = BuildBlockingProgram(in, limits);
//   absl::Status verdict = RunBlockingProgram(p, limits, Corruption::kNone);
//   if (!verdict.ok()) puts(verdict.message());  // steps, observed, reason
//
// The two ends a and b are a socketpair (peers: A holds a, B holds b, C
// holds both) or a named connection made by blocking calls (BlockingSetup;
// peers A and C hold a, B and D hold b). The model decides, before the run,
// whether a call without MSG_DONTWAIT sleeps: a read or a write whose only
// allowed answer on the socket as it would then be is EAGAIN. The step is
// then `blocks`, and the step after which the model is certain it completes
// is followed by `wakes`. The executor checks the sleep in /proc and that
// the call wakes.
#ifndef SOCKSPEC_HARNESS_MODEL_BLOCKING_PLAN_H_
#define SOCKSPEC_HARNESS_MODEL_BLOCKING_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/model.h"
#include "harness/plan/plan.h"

namespace sockspec {

// How the two ends are made. The named ones bind a path("...") or an
// abstract("...") address and block on the way (cases/blocking/ pins each):
enum class BlockingSetup {
  kSocketpair,  // socketpair(AF_UNIX, TYPE) = a, b
  // STREAM/SEQPACKET: A's accept(l) sleeps on an empty listener until B's
  // connect(b); the connection accepted is a.
  kAccept,
  // STREAM/SEQPACKET: listen(l, 0) with one connection already queued, so
  // B's connect(b) sleeps until A accepts that one; A then accepts a.
  kBacklog,
  // DGRAM: a and b are bound; A's recv(a) sleeps until B's sendto(b, ...,
  // addr of a); then a and b connect to each other.
  kBoundDgram,
};

// A blocking_fuzzer input: how the ends are made, then the operations.
struct BlockingInput {
  BlockingSetup setup = BlockingSetup::kSocketpair;
  bool abstract = false;  // named setups: abstract("...") instead of path("...")
  OpsProgram program;
};

// The first bytes of an input that names its setup: kBlockingMagic, then a
// setup byte s (s % 3: socketpair, named, named with a full backlog; s & 4:
// abstract addresses), then an ops_fuzzer input (fuzz_ops.h). A DGRAM input
// names kBoundDgram for either named setup. Any other input is an ops_fuzzer
// input on a socketpair, as before setups existed.
inline constexpr uint8_t kBlockingMagic[3] = {0xf5, 'S', 'B'};

// Decodes any bytes; never fails.
BlockingInput DecodeBlockingInput(absl::Span<const uint8_t> data);

// What one step of BlockingProgram::plan stands for.
struct BlockingStep {
  enum class Role {
    kSetup,       // the socketpair
    kFixed,       // a step of a named setup, judged by the executor against
                  // its stated result (`stated`)
    kCall,        // ops[op] run to completion, judged by the model
    kBlocks,      // ops[op] seen asleep
    kWakes,       // ops[op] completes: judged by the model here
    kCloseCopy,   // closing one of several copies of an end: must return 0
    kSndbufRead,  // getsockopt(SO_SNDBUF) after ops[op]'s setsockopt
  };
  Role role = Role::kSetup;
  int op = -1;  // index into BlockingProgram::ops
  std::string stated;  // kSetup, kFixed: "= 0", "blocks", "= a"
};

struct BlockingProgram {
  model::SockType type = model::SockType::kStream;
  BlockingSetup setup = BlockingSetup::kSocketpair;
  Plan plan;
  std::vector<model::ModelOp> ops;  // as run (flags may differ from input)
  std::vector<BlockingStep> steps;  // one per plan.ops entry
  // By peer: the ends (0 = a, 1 = b) it holds once the setup is done.
  std::vector<std::vector<int>> ends_held;
  int blocking_calls = 0;           // `blocks` steps in the plan
  int blocking_writes = 0;          // ... of them writes
  // Sleepers woken by the other end's close or shutdown, or by another
  // holder's shutdown, at the step where the input (not the planner's own
  // shutdowns at the end) has it.
  int woken_by_close_or_shutdown = 0;
};

// Builds the plan for `input`. An operation whose result the model cannot
// predict uniquely (a partial write near a full buffer) is left out, so the
// plan's `blocks`/`wakes` placement holds for every allowed run. A write
// without MSG_DONTWAIT sleeps where the model allows it only EAGAIN and the
// buffer, once the peer has read everything, takes it whole; an operation
// after which the model cannot tell whether that writer still sleeps (the
// peer reads part of the queue, SO_SNDBUF changes) is left out, and it is
// woken by the peer reading everything queued or by a shutdown. Any other
// write that could sleep runs with MSG_DONTWAIT; a blocking read loses
// MSG_WAITALL. At most one read and one write per end are asleep at a time;
// one still asleep at the end is woken by a shutdown of its end (SHUT_RD for
// a read, SHUT_WR for a write). The other end's close and shutdowns are
// planned while a call sleeps: the model says which wake it (a read at the
// peer's close or SHUT_WR on a connection, a write at the peer's close on
// every type and its SHUT_RD on a connection) and with what answer.
// `misplace_blocks` (the oracle self-test, SOCKSPEC_CORRUPT=misplace-blocks
// for fuzz/blocking_fuzzer) plans as `blocks` a call that completes: a named
// setup's blocking call after the step that frees it, else the first
// blocking-mode read or write the model says completes. The executor must
// then report it.
BlockingProgram BuildBlockingProgram(const BlockingInput& input,
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

// The program as a case file (setup, peers, payloads, steps with `= ?`
// results, `blocks` and `wakes = ?`), for `sockspec record` to fill.
std::string BlockingProgramCase(const BlockingProgram& program,
                                const std::string& source);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_BLOCKING_PLAN_H_
