// The coordinator's state for one run, shared by executor.cc (the run as a
// whole: setup, peers, cleanup) and executor_steps.cc (one peer step).
// Internal to the executor; use RunPlan.
#ifndef SOCKSPEC_HARNESS_EXEC_EXECUTOR_INTERNAL_H_
#define SOCKSPEC_HARNESS_EXEC_EXECUTOR_INTERNAL_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "harness/os/child.h"
#include "harness/exec/control.h"
#include "harness/exec/executor.h"
#include "harness/exec/hang_check.h"
#include "harness/exec/judge.h"
#include "harness/plan/captures.h"
#include "harness/plan/plan.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {

// A peer process as the coordinator sees it.
struct PeerProc {
  std::optional<Child> child;  // peers the harness forked; forks have none
  pid_t pid = -1;
  UniqueFd cmd;     // the coordinator's write end
  UniqueFd result;  // the coordinator's read end
  bool alive = false;    // running and its channel open
  int pending = -1;      // op index of a call seen asleep, awaiting `wakes`
  int64_t pending_fd = -1;
  int control_fd = -1;   // the peer's own end of its command pipe (same number there)
  bool pooled = false;   // from the PeerPool: goes back to it if it ends clean
  UniqueFd pool_sock;    // a pooled peer's channel for fds
  int generation = 0;    // the pool's when it was forked
};


class Coordinator {
 public:
  Coordinator(const Plan& plan, const RunOptions& options);
  InstanceResult Run();

 private:
  // executor.cc
  void RunSteps();
  bool RunSetupOp(int i);
  // One slot per peer of the plan, no pid yet, the harness's credentials.
  void ResetPeerSlots();
  bool StartPeers();
  bool StartPooledPeers();
  void StopPeers();
  std::optional<ExitStatus> ReapForked(pid_t pid, absl::Time deadline);

  // executor_steps.cc. Each returns false when the run must stop.
  bool RunPeerOp(int i);
  bool RunWakes(int i, PeerProc& proc);
  bool RunBlocked(int i, PeerProc& proc);
  // Waits for the peer's next message. nullopt after reporting a hang, death
  // or error (the run stops).
  // With `watch_fd` (the fd of the call in flight, -1 any), a certain hang
  // (hang_check.h) is reported as soon as it is seen.
  std::optional<PeerMessage> Await(int i, PeerProc& proc, absl::Time deadline,
                               PeerMessage::Kind kind,
                               std::optional<int64_t> watch_fd = std::nullopt);
  // Waits until `proc`'s result channel is readable or `deadline`; the reason
  // if the peer is seen certainly hung first.
  std::optional<std::string> WatchForCertainHang(int i, PeerProc& proc, int64_t fd,
                                                 absl::Time deadline);
  bool Judged(int i, const Op& call, const Observation& obs);
  // After step i mismatched: whether the run may go on (go_on_after_mismatch).
  bool GoesOn(int i, const Op& call, const Observation& obs) const;
  // step_lines and not_run from how far the steps got (reached_).
  void NoteStepsRun();
  // Step i with the values captured so far filled in (plan/captures.h): the
  // plan's own op when it has none to fill; nullptr after reporting an
  // error (a capture without a value, a slice out of range).
  const Op* Resolved(int i);
  // After step i passed: its `= $name` capture takes the observed value.
  void Capture(int i, const Op& call, const Observation& obs);
  void Absorb(const Op& op, const Observation& obs);
  absl::Time StepDeadline() const;

  // Reporting (executor_report.cc). Failures are records (failure.h); the
  // first failure wins, a harness error replaces a failure.
  Failure At(int i, FailureKind kind) const;  // step i's place, peer, call
  void Record(int i, std::string observed, bool ok, double detect = -1);
  void Mismatch(int i, std::string expected, std::string observed);
  void Fail(int i, FailureKind kind, std::string detail);
  void Error(int i, const std::string& message);  // i < 0: no step
  void PeerGone(int i, PeerProc& proc);
  // `certain`: the hang was seen certain (hang_check.h), not a deadline.
  void PeerHung(int i, PeerProc& proc, const std::string& detail,
                bool certain = false);
  // After step i passed: when the plan's platform has an answer of its own
  // there and the default platform's does not allow `obs` (or blocking,
  // when `obs` is null), notes a RecordedAnswer.
  void NoteRecorded(int i, const Op& call, const Observation* obs,
                    const std::string& observed);

  const Plan& plan_;
  PeerPool* pool_;  // RunOptions::peer_pool
  std::string tmp_root_;
  int step_ms_;
  double deadline_scale_ = 1.0;
  int case_ms_ = 60000;  // the case deadline, scaled
  absl::Time step_start_;  // when the step in flight was sent
  HangRules hang_rules_;
  bool settle_ip_ = false;  // MayMakeIpSockets(plan_): await loopback delivery
  absl::Time case_deadline_;
  SyscallEnv setup_env_;
  JudgeContext ctx_;
  std::vector<PeerProc> peers_;
  std::vector<int> forked_order_;  // peers made by kFork, oldest first
  InstanceResult result_;
  bool go_on_ = false;
  int reached_ = -1;  // the last op index the run started
  CaptureValues captures_;           // capture slot -> value once captured
  std::map<int, Op> resolved_ops_;   // op index -> resolved copy (stable)
  int first_placeholder_ = -1;  // the first `= ?` step run, and what it gave
  std::string placeholder_observed_;
};

}  // namespace internal
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_EXECUTOR_INTERNAL_H_
