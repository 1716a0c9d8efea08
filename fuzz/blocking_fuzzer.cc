// Fuzzes operation sequences on a connected AF_UNIX pair, a socketpair or
// named sockets connected by blocking calls, spread over forked peers run by
// the executor, so a read or a write may sleep in one peer and be woken by
// another's step; the reference model places `blocks`/`wakes` and judges
// every result (harness/model/blocking_plan.h). The input is an ops_fuzzer
// input (harness/model/fuzz_ops.h), optionally behind a prefix naming the
// setup (kBlockingMagic). A finding prints the steps and the program as a
// case file for `sockspec record`, and aborts. SOCKSPEC_CORRUPT as for
// ops_fuzzer, or misplace-blocks: a call the model says completes (a named
// setup's accept, connect or recv, else the first blocking-mode read or
// write) is planned as `blocks` (the oracle self-test,
// //fuzz:blocking_corrupt_test).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness/model/blocking_plan.h"
#include "harness/model/fuzz_ops.h"

namespace {

sockspec::Corruption g_corruption = sockspec::Corruption::kNone;
bool g_misplace_blocks = false;
sockspec::model::ModelLimits* g_limits = nullptr;
uint64_t g_inputs = 0, g_steps = 0, g_blocks = 0, g_block_writes = 0, g_close_wakes = 0;
std::chrono::steady_clock::time_point g_start;

void PrintStats() {
  const double s = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - g_start).count();
  fprintf(stderr,
          "blocking_fuzzer: %llu inputs, %llu steps, %llu blocking calls "
          "(%llu writes), %llu woken by a close or shutdown in %.1f s: "
          "%.1f inputs/s\n",
          static_cast<unsigned long long>(g_inputs),
          static_cast<unsigned long long>(g_steps),
          static_cast<unsigned long long>(g_blocks),
          static_cast<unsigned long long>(g_block_writes),
          static_cast<unsigned long long>(g_close_wakes), s, g_inputs / s);
}

}  // namespace

// Every input forks three peers: a small ASan quarantine keeps the process,
// and so each fork, small (the default 256 MB made the run slow down as it
// filled). ASAN_OPTIONS still overrides it.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=16";
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* env = getenv("SOCKSPEC_CORRUPT");
  if (env != nullptr && strcmp(env, "misplace-blocks") == 0) {
    g_misplace_blocks = true;
    unsetenv("SOCKSPEC_CORRUPT");
  }
  absl::StatusOr<sockspec::Corruption> c = sockspec::CorruptionFromEnv();
  if (!c.ok()) {
    fprintf(stderr, "blocking_fuzzer: %s\n", c.status().ToString().c_str());
    exit(2);
  }
  g_corruption = *c;
  g_limits = new sockspec::model::ModelLimits(
      sockspec::model::ModelLimits::FromKernel());
  g_start = std::chrono::steady_clock::now();
  atexit(PrintStats);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ++g_inputs;
  const sockspec::BlockingProgram p = sockspec::BuildBlockingProgram(
      sockspec::DecodeBlockingInput({data, size}), *g_limits, g_misplace_blocks);
  g_steps += p.plan.ops.size();
  g_blocks += p.blocking_calls;
  g_block_writes += p.blocking_writes;
  g_close_wakes += p.woken_by_close_or_shutdown;
  absl::Status verdict = sockspec::RunBlockingProgram(p, *g_limits, g_corruption);
  if (!verdict.ok()) {
    fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
    abort();
  }
  return 0;
}
