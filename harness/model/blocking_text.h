// How blocking_fuzzer's model operations become executor steps: the Call,
// its fd and integer arguments (the layout of each call's entry in
// harness/plan/calls.cc) and the step's text in the case language.
#ifndef SOCKSPEC_HARNESS_MODEL_BLOCKING_TEXT_H_
#define SOCKSPEC_HARNESS_MODEL_BLOCKING_TEXT_H_

#include <string>

#include "harness/model/blocking_plan.h"
#include "harness/model/model_types.h"
#include "harness/plan/plan.h"

namespace sockspec {

// The call that runs `op`: kRecv for IoCall::kSend reads, kWrite for plain
// writes, kSetsockopt for kSetSndbuf, and so on.
Call CallOf(const model::ModelOp& op);

// Sets step.fds, step.ints and (SO_SNDBUF) step.data for `op`. Write data is
// the caller's.
void FillArgs(const model::ModelOp& op, Op& step);

// "send(a, w3, MSG_DONTWAIT)", "recvmsg(b, 10, MSG_PEEK)", "poll(b,
// POLLIN|POLLOUT|POLLRDHUP)": `payload` names a write's data.
std::string BlockingStepText(const model::ModelOp& op,
                             const std::string& payload);

// Appends a step for `peer` (-1: the harness, before the peers fork) to
// `out`'s plan, with `= ?` as its expectation and `step` as what it stands
// for; returns it for the caller to fill.
Op& AddBlockingStep(BlockingProgram& out, int peer, Call call, std::string text,
                    BlockingStep step);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_BLOCKING_TEXT_H_
