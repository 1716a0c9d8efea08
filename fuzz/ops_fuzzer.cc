// Fuzzes operation sequences on a real AF_UNIX socketpair, in process, and
// judges every result with the reference model (harness/model.h). A result
// the model does not allow prints the trace and aborts. The decoding of the
// input is documented in harness/fuzz_ops.h.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "harness/model/fuzz_ops.h"

namespace {

sockspec::Corruption g_corruption = sockspec::Corruption::kNone;
sockspec::OpsRunner* g_runner = nullptr;
uint64_t g_inputs = 0;
std::chrono::steady_clock::time_point g_start;

// The operations-per-second figure that bench/ops_loop is compared with.
void PrintStats() {
  const double s = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - g_start)
                       .count();
  fprintf(stderr,
          "ops_fuzzer: %llu inputs, %llu operations in %.1f s: %.0f inputs/s, "
          "%.0f operations/s\n",
          static_cast<unsigned long long>(g_inputs),
          static_cast<unsigned long long>(g_runner->ops_run()), s,
          g_inputs / s, g_runner->ops_run() / s);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  sockspec::BlockSigpipe();
  absl::StatusOr<sockspec::Corruption> c = sockspec::CorruptionFromEnv();
  if (!c.ok()) {
    fprintf(stderr, "ops_fuzzer: %s\n", c.status().ToString().c_str());
    exit(2);
  }
  g_corruption = *c;
  g_runner = new sockspec::OpsRunner(sockspec::model::ModelLimits::FromKernel());
  g_start = std::chrono::steady_clock::now();
  atexit(PrintStats);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ++g_inputs;
  absl::Status verdict =
      g_runner->Run(sockspec::DecodeOps({data, size}), g_corruption);
  if (!verdict.ok()) {
    fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
    abort();
  }
  return 0;
}
