// How blocking_fuzzer makes its two ends (BlockingSetup): the setup steps,
// the peers, and which end each peer holds once the setup is done.
#ifndef SOCKSPEC_HARNESS_MODEL_BLOCKING_SETUP_H_
#define SOCKSPEC_HARNESS_MODEL_BLOCKING_SETUP_H_

#include "harness/model/blocking_plan.h"

namespace sockspec {

inline constexpr int kMaxBlockingPeers = 4;

// After the setup: holds[p][end] when peer p holds end 0 (a) or 1 (b).
struct BlockingPeers {
  int count = 0;
  bool holds[kMaxBlockingPeers][2] = {};
};

// Adds to `out` (whose type and setup are set) the peers and the steps that
// make a (fd slot 0) and b (slot 1), each with its stated result; the
// blocking ones count in out.blocking_calls. With `misplace_blocks` a named
// setup's blocking call comes after the step that frees it (the oracle
// self-test).
BlockingPeers AddBlockingSetup(BlockingProgram& out, bool abstract,
                               bool misplace_blocks);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_BLOCKING_SETUP_H_
