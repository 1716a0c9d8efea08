// Fuzzes operation sequences on a real AF_UNIX socketpair, in process, and
// judges every result with the reference model (harness/model/model.h). A
// result the model does not allow prints the trace and aborts. The decoding
// of the input is documented in harness/model/fuzz_ops.h.
//
// Differential mode (harness/model/fuzz_diff.h): with --under=GUEST (or
// $SOCKSPEC_FUZZ_UNDER) each input also runs in a replay server inside the
// guest (gvisor, command:CMD) and a result that differs from this machine's
// aborts with both traces and a signature line; no model is involved.
// With --keep-going=DIR a difference does not abort: the input is kept as
// DIR/diff-HASH (at most 20 per signature) and the run goes on; the counts
// per signature are printed at exit, and fuzz/ops_triage groups, minimises
// and turns them into cases. `ops_fuzzer --sockspec-ops-server` is the
// guest's server.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "harness/model/fuzz_diff.h"
#include "harness/model/fuzz_ops.h"

namespace {

sockspec::Corruption g_corruption = sockspec::Corruption::kNone;
sockspec::OpsRunner* g_runner = nullptr;
sockspec::DiffRunner* g_diff = nullptr;
uint64_t g_inputs = 0;
std::string g_keep_dir;  // --keep-going=DIR
std::map<std::string, uint64_t>* g_signatures = nullptr;
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
  if (g_signatures == nullptr) return;
  fprintf(stderr, "ops_fuzzer: %zu distinct differences, inputs in %s:\n",
          g_signatures->size(), g_keep_dir.c_str());
  for (const auto& [sig, n] : *g_signatures) {
    fprintf(stderr, "  %8llu  %s\n", static_cast<unsigned long long>(n),
            sig.c_str());
  }
}

// Keeps `input` for triage, unless its signature has enough examples.
void KeepDifference(const sockspec::Difference& d, const uint8_t* data,
                    size_t size) {
  const uint64_t n = ++(*g_signatures)[d.signature];
  if (n > 20) return;
  char name[32];
  snprintf(name, sizeof name, "diff-%016llx",
           static_cast<unsigned long long>(sockspec::DataHash({data, size})));
  std::ofstream(g_keep_dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data), size);
  if (n == 1) fprintf(stderr, "ops_fuzzer: new difference: %s\n", d.signature.c_str());
}

// Ends the guest's server (for qemu: kills it and removes its files) before
// the process ends, normally or by a finding's abort().
void EndDiff() {
  delete g_diff;
  g_diff = nullptr;
}

// A finding's exit: first what the process keeps outside it goes (the
// guest's server, the socket directories of the runner and of RecordOps),
// which abort() would leave behind.
[[noreturn]] void AbortCleanly() {
  EndDiff();
  sockspec::EndRecordOps();
  delete g_runner;
  g_runner = nullptr;
  abort();
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
    if (strncmp(a, "--keep-going=", 13) == 0) g_keep_dir = a + 13;
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
    atexit(EndDiff);  // after PrintStats (atexit runs in reverse order)
    if (!g_keep_dir.empty()) g_signatures = new std::map<std::string, uint64_t>;
    fprintf(stderr,
            "ops_fuzzer: differential mode: host %s (wmem_max %d), %s %s "
            "(wmem_max %d); SO_SNDBUF values capped at %d\n",
            g_diff->host_facts().release, g_diff->host_facts().wmem_max,
            under.c_str(), g_diff->guest_facts().release,
            g_diff->guest_facts().wmem_max, g_diff->sndbuf_cap());
  }
  g_runner = new sockspec::OpsRunner(sockspec::model::ModelLimits::FromKernel());
  g_start = std::chrono::steady_clock::now();
  // Last, after the figures: the runner removes its directory of socket
  // files (an abort on a finding leaves it).
  atexit([] { delete g_runner; });
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
      AbortCleanly();
    }
    if (d->has_value() && g_signatures != nullptr) {
      KeepDifference(**d, data, size);
    } else if (d->has_value()) {
      fprintf(stderr, "%s", (*d)->trace.c_str());
      AbortCleanly();
    }
    return 0;
  }
  absl::Status verdict =
      g_runner->Run(sockspec::DecodeOps({data, size}), g_corruption);
  if (!verdict.ok()) {
    fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
    AbortCleanly();
  }
  return 0;
}
