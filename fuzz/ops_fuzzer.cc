// Fuzzes operation sequences on a real AF_UNIX socketpair, in process, and
// judges every result with the reference model (harness/model/model.h). A
// result the model does not allow prints the trace and aborts. The decoding
// of the input is documented in harness/model/fuzz_ops.h.
//
// Differential mode (harness/model/fuzz_diff.h): with --under=GUEST (or
// $SOCKSPEC_FUZZ_UNDER) each input also runs in a replay server inside the
// guest (gvisor, command:CMD) and a result that differs from this machine's
// aborts with both traces and a signature line; no model is involved.
// `ops_fuzzer --sockspec-ops-server` is that server.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "harness/model/fuzz_diff.h"
#include "harness/model/fuzz_ops.h"

namespace {

sockspec::Corruption g_corruption = sockspec::Corruption::kNone;
sockspec::OpsRunner* g_runner = nullptr;
sockspec::DiffRunner* g_diff = nullptr;
uint64_t g_inputs = 0;
std::chrono::steady_clock::time_point g_start;

// The operations-per-second figure that bench/ops_loop is compared with.
void PrintStats() {
  const double s = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - g_start)
                       .count();
  const uint64_t ops = g_diff != nullptr ? g_diff->ops_run() : g_runner->ops_run();
  fprintf(stderr,
          "ops_fuzzer: %llu inputs, %llu operations in %.1f s: %.0f inputs/s, "
          "%.0f operations/s%s\n",
          static_cast<unsigned long long>(g_inputs),
          static_cast<unsigned long long>(ops), s, g_inputs / s, ops / s,
          g_diff != nullptr ? " (differential: each on both sides)" : "");
}

std::string SelfPath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : std::string("/proc/self/exe");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  std::string under;
  if (const char* env = getenv("SOCKSPEC_FUZZ_UNDER")) under = env;
  for (int i = 1; i < *argc; ++i) {
    const char* a = (*argv)[i];
    if (strcmp(a, sockspec::kOpsServerFlag) == 0) {
      // Keep the protocol's stdout clean of anything else that prints.
      const int out = dup(1);
      dup2(2, 1);
      exit(sockspec::ServeOps(0, out));
    }
    if (strncmp(a, "--under=", 8) == 0) under = a + 8;
  }
  sockspec::BlockSigpipe();
  absl::StatusOr<sockspec::Corruption> c = sockspec::CorruptionFromEnv();
  if (!c.ok()) {
    fprintf(stderr, "ops_fuzzer: %s\n", c.status().ToString().c_str());
    exit(2);
  }
  g_corruption = *c;
  if (!under.empty()) {
    absl::StatusOr<std::unique_ptr<sockspec::DiffRunner>> d =
        sockspec::DiffRunner::Start(under, SelfPath());
    if (!d.ok()) {
      fprintf(stderr, "ops_fuzzer: --under=%s: %s\n", under.c_str(),
              d.status().ToString().c_str());
      exit(2);
    }
    g_diff = d->release();
    fprintf(stderr,
            "ops_fuzzer: differential mode: host %s (wmem_max %d), %s %s "
            "(wmem_max %d); SO_SNDBUF values capped at %d\n",
            g_diff->host_facts().release, g_diff->host_facts().wmem_max,
            under.c_str(), g_diff->guest_facts().release,
            g_diff->guest_facts().wmem_max, g_diff->sndbuf_cap());
  }
  g_runner = new sockspec::OpsRunner(sockspec::model::ModelLimits::FromKernel());
  g_start = std::chrono::steady_clock::now();
  atexit(PrintStats);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ++g_inputs;
  if (g_diff != nullptr) {
    absl::StatusOr<std::optional<sockspec::Difference>> d =
        g_diff->Run({data, size});
    if (!d.ok()) {
      fprintf(stderr, "ops_fuzzer: %s\n", d.status().ToString().c_str());
      abort();
    }
    if (d->has_value()) {
      fprintf(stderr, "%s", (*d)->trace.c_str());
      abort();
    }
    return 0;
  }
  absl::Status verdict =
      g_runner->Run(sockspec::DecodeOps({data, size}), g_corruption);
  if (!verdict.ok()) {
    fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
    abort();
  }
  return 0;
}
