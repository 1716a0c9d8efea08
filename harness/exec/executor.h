// The coordinator: runs one Plan (one case instance) with real forked peer
// processes on the real kernel, lock-step, and judges every step.
//
//   InstanceResult r = RunPlan(plan, RunOptions{});
//   if (r.failure) std::cerr << FailureText(*r.failure);
#ifndef SOCKSPEC_HARNESS_EXEC_EXECUTOR_H_
#define SOCKSPEC_HARNESS_EXEC_EXECUTOR_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/exec/control.h"
#include "harness/exec/judge.h"
#include "harness/result/failure.h"
#include "harness/plan/plan.h"

namespace sockspec {

namespace internal {
struct PeerProc;
}

// Peer processes kept from one instance to the next, so that an instance
// forks only the peers its own steps fork (peer.h, ServePooled). A peer goes
// back to the pool only when its instance left it as a fresh fork would be:
// it was not killed or found hung, caught no signal, and made no call that
// changes the process (signal dispositions, alarms, limits, credentials,
// namespaces); its fds are closed and its forks reaped before it answers.
// Any other peer is killed, as without a pool.
//
// A pooled peer runs its own copy of the plan, forked from this process, so
// a plan is run with pooled peers only once admitted, and only by peers
// forked after its admission; any other plan gets fresh forks. An admitted
// plan must outlive the pool and not change.
//
//   PeerPool pool;
//   for (const Plan& p : plans) pool.Admit(p);
//   RunOptions options;
//   options.peer_pool = &pool;  // then RunPlan(plan, options) for each
//
// In a fork of the process that made it (a worker), a pool starts empty: the
// owner's peers are not that process's children.
class PeerPool {
 public:
  PeerPool();
  PeerPool(const PeerPool&) = delete;
  PeerPool& operator=(const PeerPool&) = delete;
  ~PeerPool();  // Clear()

  // Kills and reaps the idle peers (of this process; a fork's copy only
  // forgets them).
  void Clear();
  size_t idle() const;

  void Admit(const Plan& plan);
  // Whether `plan` was admitted (and may run with pooled peers).
  bool Admitted(const Plan& plan) const;

  // For the coordinator: an idle peer forked after `plan` was admitted, or
  // a new one.
  absl::StatusOr<internal::PeerProc> Take(const Plan& plan);
  void Give(internal::PeerProc proc);
  // The fds the idle peers' channels hold in this process.
  std::set<int> Fds();

 private:
  // Drops (without killing) entries inherited from the process that forked
  // this one.
  void Adopt();
  pid_t owner_;
  std::vector<std::unique_ptr<internal::PeerProc>> idle_;
  // Plan -> the generation it was admitted in; a peer serves the plans
  // admitted up to the generation it was forked in.
  std::map<const Plan*, int> admitted_;
  int generation_ = 0;
  bool forked_since_admitting_ = false;
};

struct RunOptions {
  int step_timeout_ms = 0;  // 0: the plan's
  // Multiplies the step and case deadlines: a slow guest (an emulator, a
  // sandbox) sets it above 1. The deadlines are backstops only: a hang that
  // nothing can end is reported as soon as it is seen (hang_check.h).
  double deadline_scale = 1.0;
  std::string tmp_root;     // "": $TEST_TMPDIR, else $TMPDIR, else /tmp
  // Per-step verdicts (a guest's run): after a step whose result mismatches,
  // go on where that is sound (the peers adopt the observed answer, as the
  // model does); stop where it is not: the step was to block or to wake, or
  // a call that was to make an fd failed. Other failures always stop.
  bool go_on_after_mismatch = false;
  // Peers kept across instances (PeerPool); null: every peer forked anew.
  PeerPool* peer_pool = nullptr;
};

// One executed step.
struct StepRecord {
  const Op* op = nullptr;
  int peer = -1;         // -1: the harness (setup)
  std::string observed;  // "5", "-1 EAGAIN", "blocks (seen asleep after 0.2 ms)"
  bool ok = false;
  double detect_seconds = -1;  // for a call seen asleep: how long seeing it took
  // A completed call: what the kernel returned, as data (for `sockspec
  // record` and `run --explain`), and the op that made the call (for a
  // `wakes` step, the op that blocked). Absent for blocks, forks, checks.
  std::optional<Observation> observation;
  const Op* call = nullptr;
};

struct InstanceResult {
  enum class Verdict { kPass, kFail, kError };
  Verdict verdict = Verdict::kPass;
  // Absent on a pass. kFail: the step, expected vs observed (or how the
  // peer hung or died) and the steps before it. kError: the harness or
  // environment problem (kind kHarnessError), naming the call and errno.
  std::optional<Failure> failure;
  // The steps passed only through the plan's platform's own answer (never
  // on the default platform); see RecordedAnswer.
  std::vector<RecordedAnswer> recorded;
  std::vector<StepRecord> trace;
  // With go_on_after_mismatch: the steps after `failure`'s that failed too
  // (mismatches, and the hang or death that stopped the run), each without
  // a trace, in order.
  std::vector<Failure> later_failures;
  // The plan's steps by source line (distinct, ascending; a repeated step is
  // one), and those of them the run never reached.
  std::vector<int> step_lines;
  std::vector<int> not_run;
  // The names the run resolved (peer pids, the harness's pid and ids, the
  // abstract prefix, fd identities) as of its end, to read observations by.
  JudgeContext context;
  double seconds = 0;
};

// Runs `plan`: makes a private directory and works in it, runs the setup
// steps in this process, forks the peers, runs the steps in order and cleans
// up (peers reaped, socket files and the directory removed, no fd leaked).
// A step whose result is a placeholder (`= ?`) passes whatever it returns;
// the instance then fails at the first such step, showing what it observed.
// The process ignores SIGPIPE and is a child subreaper during the run; both
// are restored afterwards. Not thread-safe: it changes the working directory.
InstanceResult RunPlan(const Plan& plan, const RunOptions& options);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_EXECUTOR_H_
