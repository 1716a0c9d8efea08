// A sizes_fuzzer input as an ops_fuzzer program, so that crash_to_case turns
// its findings into case files too: the writer's sends on end a, the
// reader's receives on end b, interleaved so that at most a few writes are
// queued (the case runs in one process on a non-blocking socketpair, where
// the fuzzer's blocking writer would wait).
//
//   OpsProgram p = SizesAsOps(DecodeSizes(bytes));  // at most kMaxFuzzOps
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_SIZES_OPS_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_SIZES_OPS_H_

#include "harness/model/fuzz_ops.h"
#include "harness/model/fuzz_sizes.h"

namespace sockspec {

// Each write is send(a, n, MSG_NOSIGNAL); reads are recv(b, size) (STREAM)
// or recvmsg(b, size, MSG_TRUNC if the program asks) with the program's
// sizes in turn, made before a write would leave more than 4 writes or 64
// KiB queued, and at the end until every byte is read. Cut at kMaxFuzzOps
// operations.
OpsProgram SizesAsOps(const SizesProgram& sizes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_SIZES_OPS_H_
