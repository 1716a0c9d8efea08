// The run as a whole: private directory, setup steps in the harness, peers
// forked with their control pipes, then the steps (executor_steps.cc), then
// cleanup and the fd-leak check.
#include "harness/exec/executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"
#include "harness/plan/calls.h"
#include "harness/exec/executor_internal.h"
#include "harness/exec/proc_watch.h"
#include "harness/exec/peer.h"
#include "harness/exec/peer_heap.h"
#include "harness/exec/rundir.h"
#include "harness/os/call_deadline.h"
#include "harness/os/interrupt_cleanup.h"
#include "harness/os/loopback_settle.h"

namespace sockspec {
namespace internal {

Coordinator::Coordinator(const Plan& plan, const RunOptions& options)
    : plan_(plan),
      pool_(options.peer_pool),
      tmp_root_(options.tmp_root),
      step_ms_(options.step_timeout_ms > 0 ? options.step_timeout_ms
                                           : plan.step_timeout_ms) {
  if (step_ms_ <= 0) step_ms_ = 5000;
  captures_.resize(plan.capture_names.size());
  if (options.deadline_scale > 1) step_ms_ = static_cast<int>(step_ms_ * options.deadline_scale);
  deadline_scale_ = options.deadline_scale > 1 ? options.deadline_scale : 1.0;
  go_on_ = options.go_on_after_mismatch;
  hang_rules_ = RulesFor(plan);
  settle_ip_ = MayMakeIpSockets(plan);
  case_ms_ = static_cast<int>(
      (plan.case_timeout_ms > 0 ? plan.case_timeout_ms : 60000) * deadline_scale_);
  setup_env_.harness_pid = getpid();
  ctx_.harness_pid = getpid();
  ctx_.fd_names = plan.fd_names;
  ctx_.uid = getuid();
  ctx_.gid = getgid();
  ctx_.fd_names = plan_.fd_names;
  std::vector<gid_t> groups(static_cast<size_t>(std::max(0, getgroups(0, nullptr))));
  const int n = getgroups(static_cast<int>(groups.size()), groups.data());
  for (int i = 0; i < n; ++i) ctx_.harness_groups.push_back(groups[static_cast<size_t>(i)]);
}

InstanceResult Coordinator::Run() {
  const absl::Time start = absl::Now();
  case_deadline_ = start + absl::Milliseconds(case_ms_);
  const std::set<int> fds_before = OpenFds();
  // One allocation for the trace: growing it step by step writes a new block
  // each time, and every page written after the peers are forked faults.
  result_.trace.reserve(plan_.ops.size());

  // A write to a dead peer's pipe must be an EPIPE, not the harness's death;
  // a peer's orphaned forks must come back to the harness to be reaped.
  struct sigaction ignore = {}, old_pipe = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);
  int old_subreaper = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper);
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  // A case that names no pathname socket needs no directory: making and
  // removing one is a tenth of a small case's cost (bench/case_cost).
  absl::StatusOr<RunDir> dir =
      NamesPathnameSockets(plan_) ? RunDir::Enter(tmp_root_) : RunDir::None();
  if (!dir.ok()) {
    Error(-1, absl::StrCat("cannot make the private directory: ", dir.status().message()));
  } else {
    setup_env_.abstract_prefix = ctx_.abstract_prefix = RandomAbstractPrefix();
    RunSteps();
    NoteStepsRun();
    if (first_placeholder_ >= 0) {
      Mismatch(first_placeholder_, "? (not yet known)", placeholder_observed_);
    }
    StopPeers();
    CloseAll(setup_env_);
    if (absl::Status s = dir->Leave(); !s.ok()) {
      Error(-1, absl::StrCat("cleaning up the private directory: ", s.message()));
    }
  }

  prctl(PR_SET_CHILD_SUBREAPER, old_subreaper);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  const std::set<int> fds_after = OpenFds();
  std::set<int> leaked;
  std::set_difference(fds_after.begin(), fds_after.end(), fds_before.begin(),
                      fds_before.end(), std::inserter(leaked, leaked.end()));
  if (pool_ != nullptr) {
    for (int fd : pool_->Fds()) leaked.erase(fd);
  }
  if (!leaked.empty()) Error(-1, absl::StrCat("harness leaked fds: ", DescribeFds(leaked)));
  result_.context = ctx_;
  result_.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return std::move(result_);
}

void Coordinator::RunSteps() {
  const int n = plan_.ops.size();
  int i = 0;
  for (; i < n && plan_.ops[i].peer < 0; ++i) {
    reached_ = i;
    if (!RunSetupOp(i)) return;
  }
  if (!StartPeers()) return;
  for (; i < n; ++i) {
    reached_ = i;
    if (plan_.ops[i].peer < 0) {
      Error(i, "a setup step after the first peer step");
      return;
    }
    if (absl::Now() >= case_deadline_) {
      Fail(i, FailureKind::kDeadline,
           absl::StrCat("the case deadline of ", case_ms_,
                        " ms passed before this step"));
      return;
    }
    if (!RunPeerOp(i)) return;
  }
}

void Coordinator::NoteStepsRun() {
  std::set<int> all, run;
  for (size_t k = 0; k < plan_.ops.size(); ++k) {
    all.insert(plan_.ops[k].loc.line);
    if (static_cast<int>(k) <= reached_) run.insert(plan_.ops[k].loc.line);
  }
  result_.step_lines.assign(all.begin(), all.end());
  std::set_difference(all.begin(), all.end(), run.begin(), run.end(),
                      std::back_inserter(result_.not_run));
}

bool Coordinator::RunSetupOp(int i) {
  const Op* resolved = Resolved(i);
  if (resolved == nullptr) return false;
  const Op& op = *resolved;
  if (SpecOf(op.call).peer_only || AllowsBlocking(op.expect)) {
    Error(i, "a setup step runs in the harness itself and cannot block, "
             "fork, wake, raise or drop privileges");
    return false;
  }
  // Nothing watches the harness's own calls as it watches a peer's, so a
  // call that sleeps (a broken implementation: a connect or accept that
  // never completes) is interrupted at the step deadline.
  Observation obs;
  {
    CallDeadline deadline(StepDeadline() - absl::Now());
    obs = RunCall(op, setup_env_);
    if (deadline.Expired() && obs.ret < 0 && obs.err == EINTR) {
      const bool at_case_deadline = absl::Now() >= case_deadline_;
      Fail(i, at_case_deadline ? FailureKind::kDeadline : FailureKind::kHang,
           absl::StrCat("the harness hung in ", op.text,
                        ": a setup step's call sleeps in the harness itself; ",
                        at_case_deadline
                            ? absl::StrCat("interrupted at the case deadline of ", case_ms_, " ms")
                            : absl::StrCat("interrupted after ", step_ms_, " ms")));
      return false;
    }
  }
  if (settle_ip_) AwaitLoopbackDelivery();
  return Judged(i, op, obs);
}

void Coordinator::ResetPeerSlots() {
  const size_t n = plan_.peers.size();
  peers_.resize(n);
  ctx_.peer_pids.assign(n, 0);
  ctx_.peer_uids.assign(n, ctx_.uid);
  ctx_.peer_gids.assign(n, ctx_.gid);
}

bool Coordinator::StartPeers() {
  if (pool_ != nullptr && pool_->Admitted(plan_) && FitsPooledBegin(plan_)) {
    return StartPooledPeers();
  }
  const size_t n = plan_.peers.size();
  ResetPeerSlots();
  std::vector<ControlPipes> pipes;
  PeerSetup base;
  base.plan = &plan_;
  base.setup_fds = setup_env_.fds;
  base.abstract_prefix = setup_env_.abstract_prefix;
  base.harness_pid = getpid();
  base.await_loopback = settle_ip_;
  for (size_t p = 0; p < n; ++p) {
    absl::StatusOr<ControlPipes> made = ControlPipes::Make();
    if (!made.ok()) {
      Error(-1, absl::StrCat("control pipes for peer ", plan_.peers[p].name, ": ",
                         made.status().message()));
      return false;
    }
    pipes.push_back(std::move(*made));
    base.ends.push_back({pipes[p].cmd_read.get(), pipes[p].result_write.get()});
    base.coordinator_ends.push_back(pipes[p].cmd_write.get());
    base.coordinator_ends.push_back(pipes[p].result_read.get());
  }
  for (size_t p = 0; p < n; ++p) {
    PeerProc& proc = peers_[p];
    proc.cmd = std::move(pipes[p].cmd_write);
    proc.result = std::move(pipes[p].result_read);
    proc.control_fd = base.ends[p].cmd_read;
    if (plan_.peers[p].forked_by >= 0) continue;
    absl::StatusOr<Child> child = Child::Spawn([&] {
      // In the child: `base` is its own copy-on-write image, used as is
      // rather than copied (a copy allocates, and each allocation writes a
      // page shared with the harness).
      UsePeerHeap();
      ResetInterruptSignals();
      base.self = p;
      return RunPeer(base);
    });
    if (!child.ok()) {
      Error(-1, absl::StrCat("forking peer ", plan_.peers[p].name, ": ",
                         child.status().message()));
      return false;
    }
    proc.pid = child->pid();
    proc.child = std::move(*child);
    proc.alive = true;
    ctx_.peer_pids[p] = proc.pid;
  }
  // Only the peers hold their ends and the setup fds now: EOF and every
  // close in the case depend on it. `pipes` closes the peer ends on return.
  CloseAll(setup_env_);
  return true;
}

bool Coordinator::StartPooledPeers() {
  const size_t n = plan_.peers.size();
  ResetPeerSlots();
  // Forks get new pipes, handed to the pooled peer that will fork them.
  std::vector<ControlPipes> pipes(n);
  for (size_t p = 0; p < n; ++p) {
    if (plan_.peers[p].forked_by < 0) continue;
    absl::StatusOr<ControlPipes> made = ControlPipes::Make();
    if (!made.ok()) {
      Error(-1, absl::StrCat("control pipes for peer ", plan_.peers[p].name, ": ",
                             made.status().message()));
      return false;
    }
    pipes[p] = std::move(*made);
    peers_[p].cmd = std::move(pipes[p].cmd_write);
    peers_[p].result = std::move(pipes[p].result_read);
  }
  // The kept peers work where a fork would: in this instance's directory.
  UniqueFd cwd(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (cwd.get() < 0) {
    Error(-1, absl::StrCat("opening the working directory for the peers: ", strerror(errno)));
    return false;
  }
  for (size_t p = 0; p < n; ++p) {
    if (plan_.peers[p].forked_by >= 0) continue;
    absl::StatusOr<PeerProc> proc = pool_->Take(plan_);
    if (!proc.ok()) {
      Error(-1, absl::StrCat("starting peer ", plan_.peers[p].name, ": ",
                             proc.status().message()));
      return false;
    }
    PooledBegin b;
    b.plan = &plan_;
    b.self = static_cast<int>(p);
    b.await_loopback = settle_ip_;
    b.harness_pid = getpid();
    b.abstract_prefix = setup_env_.abstract_prefix;
    b.cwd = cwd.get();
    for (int slot : plan_.peers[p].holds) {
      auto it = setup_env_.fds.find(slot);
      if (it != setup_env_.fds.end()) b.setup_fds[slot] = it->second;
    }
    for (size_t d = 0; d < n; ++d) {
      if (d == p || !IsSelfOrDescendant(plan_, d, p)) continue;
      b.descendant_ends.emplace_back(
          static_cast<int>(d), PeerEnds{pipes[d].cmd_read.get(), pipes[d].result_write.get()});
    }
    absl::Status sent = SendPooledBegin(proc->pool_sock.get(), b);
    if (!sent.ok()) {
      Error(-1, absl::StrCat("starting pooled peer ", plan_.peers[p].name, ": ",
                             sent.message()));
      return false;
    }
    peers_[p] = std::move(*proc);
    peers_[p].alive = true;
    ctx_.peer_pids[p] = peers_[p].pid;
  }
  // Each pooled peer answers with its descendants' command-end numbers.
  const absl::Time deadline = absl::Now() + absl::Milliseconds(step_ms_);
  for (size_t p = 0; p < n; ++p) {
    if (plan_.peers[p].forked_by >= 0) continue;
    absl::StatusOr<std::optional<std::string>> f =
        ReadFrameUntil(peers_[p].result.get(), deadline);
    if (!f.ok() || !f->has_value()) {
      Error(-1, absl::StrCat("pooled peer ", plan_.peers[p].name, " did not start"));
      return false;
    }
    std::vector<int64_t> numbers = DecodeInts(**f);
    for (size_t k = 0; k + 1 < numbers.size(); k += 2) {
      if (numbers[k] >= 0 && static_cast<size_t>(numbers[k]) < n) {
        peers_[numbers[k]].control_fd = static_cast<int>(numbers[k + 1]);
      }
    }
  }
  CloseAll(setup_env_);
  return true;
}

void Coordinator::StopPeers() {
  PeerCommand exit_cmd;
  exit_cmd.kind = PeerCommand::Kind::kExit;
  const std::string exit = EncodeCommand(exit_cmd);
  for (PeerProc& proc : peers_) {
    if (proc.alive) WriteFrame(proc.cmd.get(), exit).IgnoreError();
  }
  // A pooled peer reaps its forks before it answers: one asleep in a call
  // would keep it waiting.
  for (PeerProc& proc : peers_) {
    if (!proc.child && proc.alive && proc.pending >= 0) kill(proc.pid, SIGKILL);
  }
  // Peers not inside a call exit at once; give them the step deadline.
  const absl::Time deadline = absl::Now() + absl::Milliseconds(step_ms_);
  std::vector<bool> clean(peers_.size());
  for (size_t p = 0; p < peers_.size(); ++p) {
    PeerProc& proc = peers_[p];
    if (!proc.alive || proc.pending >= 0) continue;
    for (;;) {
      absl::StatusOr<std::optional<std::string>> f =
          ReadFrameUntil(proc.result.get(), deadline);
      if (!f.ok() || !f->has_value()) break;  // EOF, or the deadline
      if (proc.pooled && (**f == kPooledClean || **f == kPooledChanged)) {
        clean[p] = **f == kPooledClean;
        break;
      }
    }
  }
  for (size_t p = 0; p < peers_.size(); ++p) {
    if (clean[p]) {
      peers_[p].alive = false;
      pool_->Give(std::move(peers_[p]));
      peers_[p] = PeerProc();
    }
  }
  // Whatever is left (calls still asleep, hangs) is killed with its group.
  for (PeerProc& proc : peers_) {
    if (!proc.child) continue;
    proc.child->Signal(SIGKILL);
    proc.child->Wait().IgnoreError();
  }
  // Forks came back to this subreaper when their parent died; reap them in
  // the order they were made, so a fork's own forks have been re-parented.
  for (int p : forked_order_) {
    pid_t pid = peers_[p].pid;
    int status;
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);  // still ours and alive: not a recycled pid
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  peers_.clear();
}

std::optional<ExitStatus> Coordinator::ReapForked(pid_t pid, absl::Time deadline) {
  absl::Duration backoff = absl::Microseconds(50);
  for (;;) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitStatus::FromWaitStatus(status);
    if (r < 0) {
      // Not our child: its parent peer has not reaped it (peers never wait),
      // so its zombie still shows the wait status.
      absl::StatusOr<ProcState> s = ReadProcState(pid);
      if (!s.ok()) return std::nullopt;
      if (s->state == 'Z' && s->exit_code >= 0) {
        return ExitStatus::FromWaitStatus(s->exit_code);
      }
    }
    if (absl::Now() >= deadline) return std::nullopt;
    timespec ts = absl::ToTimespec(backoff);
    nanosleep(&ts, nullptr);
    backoff = std::min(backoff * 2, absl::Milliseconds(2));
  }
}

}  // namespace internal

PeerPool::PeerPool() : owner_(getpid()) {}

PeerPool::~PeerPool() { Clear(); }

void PeerPool::Adopt() {
  if (owner_ == getpid()) return;
  for (std::unique_ptr<internal::PeerProc>& proc : idle_) {
    close(proc->cmd.release());
    close(proc->result.release());
    close(proc->pool_sock.release());
    proc.release();  // its Child would kill the owner's peer
  }
  idle_.clear();
  owner_ = getpid();
}

void PeerPool::Clear() {
  Adopt();
  idle_.clear();  // each Child kills its peer's group and reaps it
}

size_t PeerPool::idle() const { return owner_ == getpid() ? idle_.size() : 0; }

void PeerPool::Admit(const Plan& plan) {
  if (admitted_.count(&plan) != 0) return;  // admitted plans do not change
  // Peers forked before now do not have it.
  if (forked_since_admitting_) ++generation_;
  forked_since_admitting_ = false;
  admitted_[&plan] = generation_;
}

bool PeerPool::Admitted(const Plan& plan) const { return admitted_.count(&plan) != 0; }

absl::StatusOr<internal::PeerProc> PeerPool::Take(const Plan& plan) {
  Adopt();
  const int needed = admitted_.at(&plan);
  for (size_t k = idle_.size(); k-- > 0;) {
    if (idle_[k]->generation < needed) continue;
    internal::PeerProc proc = std::move(*idle_[k]);
    idle_.erase(idle_.begin() + static_cast<long>(k));
    return proc;
  }
  absl::StatusOr<ControlPipes> pipes = ControlPipes::Make();
  if (!pipes.ok()) return pipes.status();
  // Raw system calls: a fault-injection preload's socket wrappers stay out
  // of the harness's own channel.
  int sv[2];
  if (syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    return ErrnoStatus("socketpair()", errno);
  }
  UniqueFd mine(sv[0]), theirs(sv[1]);
  absl::StatusOr<Child> child = Child::Spawn([&] {
    UsePeerHeap();
    ResetInterruptSignals();
    return ServePooled(theirs.get(), pipes->cmd_read.get(), pipes->result_write.get());
  });
  if (!child.ok()) return child.status();
  internal::PeerProc proc;
  proc.pid = child->pid();
  proc.child = std::move(*child);
  proc.cmd = std::move(pipes->cmd_write);
  proc.result = std::move(pipes->result_read);
  proc.control_fd = pipes->cmd_read.get();
  proc.pooled = true;
  proc.pool_sock = std::move(mine);
  proc.generation = generation_;
  forked_since_admitting_ = true;
  return proc;
}

void PeerPool::Give(internal::PeerProc proc) {
  Adopt();
  proc.alive = false;
  proc.pending = -1;
  proc.pending_fd = -1;
  idle_.push_back(std::make_unique<internal::PeerProc>(std::move(proc)));
}

std::set<int> PeerPool::Fds() {
  Adopt();
  std::set<int> fds;
  for (const std::unique_ptr<internal::PeerProc>& proc : idle_) {
    fds.insert(proc->cmd.get());
    fds.insert(proc->result.get());
    fds.insert(proc->pool_sock.get());
  }
  return fds;
}

InstanceResult RunPlan(const Plan& plan, const RunOptions& options) {
  return internal::Coordinator(plan, options).Run();
}

}  // namespace sockspec
