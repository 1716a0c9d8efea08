// The harness's cost per case instance, in process (no command start-up, the
// case file loaded once): RunPlan on one instance many times. Also how long
// the harness takes to see that a peer is blocked (StepRecord::detect_seconds
// of every `blocks` step), as a distribution. Compare with bench/plain_case.
//
//   bazel-bin/bench/case_cost [--fresh-peers] --iterations=2000
//       cases/close/eof-waits-for-every-copy.case SOCK_STREAM/socketpair
// (one command line). Peers are kept across instances (PeerPool), as
// `sockspec run` keeps them; --fresh-peers forks every peer anew.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/cpu_time.h"
#include "harness/exec/executor.h"
#include "harness/lang/frontend.h"
#include "harness/os/fork_image.h"

namespace {

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}


}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000;
  bool fresh_peers = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--fresh-peers") == 0) {
      fresh_peers = true;
    } else if (strncmp(argv[i], "--iterations=", 13) == 0) {
      iterations = atoi(argv[i] + 13);
    } else {
      args.push_back(argv[i]);
    }
  }
  if (args.size() != 2) {
    fprintf(stderr, "usage: case_cost [--fresh-peers] [--iterations=N] CASE_FILE INSTANCE\n");
    return 2;
  }
  absl::StatusOr<sockspec::LoadedCase> loaded = sockspec::LoadCaseFile(args[0], "linux");
  if (!loaded.ok() || !loaded->errors.empty()) {
    fprintf(stderr, "case_cost: %s does not load\n", args[0].c_str());
    return 2;
  }
  const sockspec::Plan* plan = nullptr;
  for (const sockspec::Plan& p : loaded->plans) {
    if (p.InstanceName() == args[1]) plan = &p;
  }
  if (plan == nullptr) {
    fprintf(stderr, "case_cost: no instance %s\n", args[1].c_str());
    return 2;
  }

  // As `sockspec run` does before its first instance (harness/guest/runner.cc).
  sockspec::CopyFileMappingsOnFork();
  sockspec::BackAnonymousMemoryWithHugePages();
  sockspec::PeerPool pool;
  pool.Admit(*plan);
  sockspec::RunOptions options;
  if (!fresh_peers) options.peer_pool = &pool;
  sockspec::RunPlan(*plan, options);  // warm up
  // The CPU time of a pooled peer counts once it is reaped: the warm-up's
  // peers now, the measured instances' peers before the CPU is read.
  pool.Clear();
  std::vector<double> detect;
  int bad = 0;
  // Rounds of iterations/10: the fastest round is the least disturbed by
  // other processes on the machine.
  const int per_round = std::max(1, iterations / 10);
  double best = 1e9, total = 0;
  const double cpu0 = sockspec::CpuSeconds();
  for (int done = 0; done < iterations; done += per_round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < per_round; ++i) {
      sockspec::InstanceResult r = sockspec::RunPlan(*plan, options);
      if (r.verdict != sockspec::InstanceResult::Verdict::kPass) {
        if (bad++ == 0) fprintf(stderr, "%s\n", r.failure ? FailureText(*r.failure).c_str() : "");
      }
      for (const sockspec::StepRecord& s : r.trace) {
        if (s.detect_seconds >= 0) detect.push_back(s.detect_seconds * 1e6);
      }
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s / per_round);
    total += s;
  }
  const int n = (iterations + per_round - 1) / per_round * per_round;
  pool.Clear();
  printf("case_cost: %s [%s]%s\n", args[0].c_str(), args[1].c_str(),
         fresh_peers ? ", every peer forked anew" : "");
  printf("  %d iterations in %.3f s: %.1f us per instance (best round %.1f us), "
         "CPU %.1f us per instance\n",
         n, total, total / n * 1e6, best * 1e6, (sockspec::CpuSeconds() - cpu0) / n * 1e6);
  if (!detect.empty()) {
    printf("  seeing a blocked peer (%zu observations): median %.0f us, p90 %.0f us, "
           "max %.0f us\n",
           detect.size(), Percentile(detect, 0.5), Percentile(detect, 0.9),
           Percentile(detect, 1.0));
  }
  if (bad != 0) {
    printf("  %d iterations failed\n", bad);
    return 1;
  }
  return 0;
}
