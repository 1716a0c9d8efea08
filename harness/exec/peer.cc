#include "harness/exec/peer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "harness/plan/calls.h"
#include "harness/plan/captures.h"
#include "harness/exec/control.h"
#include "harness/exec/rundir.h"
#include "harness/exec/signal_record.h"
#include "harness/os/loopback_settle.h"

namespace sockspec {
namespace {

// Closes the control ends of peers that are neither `self` nor forked by it.
void KeepOwnEnds(const Plan& plan, int self, std::vector<PeerEnds>& ends) {
  for (size_t p = 0; p < ends.size(); ++p) {
    if (IsSelfOrDescendant(plan, p, self)) continue;
    if (ends[p].cmd_read >= 0) close(ends[p].cmd_read);
    if (ends[p].result_write >= 0) close(ends[p].result_write);
    ends[p] = PeerEnds();
  }
}

bool Send(int fd, const PeerMessage& m) {
  return WriteFrame(fd, EncodeMessage(m)).ok();
}

// "socket" for "socket:[1234]", "pipe" for "pipe:[5]", else the link text.
std::string FdKind(int fd) {
  char target[256];
  ssize_t n = readlink(absl::StrCat("/proc/self/fd/", fd).c_str(), target,
                       sizeof target - 1);
  if (n <= 0) return "closed";
  std::string t(target, n);
  size_t bracket = t.find(":[");
  if (bracket != std::string::npos && t.front() != '/') t.resize(bracket);
  return t;
}

// RunCall, and for the calls ChecksFdLeaks names, the fds it left open
// unnamed (reported, then closed: nothing else could close them).
Observation RunCallWatchingFds(const Op& op, SyscallEnv& env) {
  if (!ChecksFdLeaks(op)) return RunCall(op, env);
  const std::set<int> before = OpenFds();
  Observation obs = RunCall(op, env);
  obs.leaked = UnheldNewFds(before, OpenFds(), env);
  for (const auto& [fd, what] : obs.leaked) close(fd);
  return obs;
}

}  // namespace

// Calls that make as many fds as arrive (recvmsg's SCM_RIGHTS): one the case
// does not name must not stay open.
bool ChecksFdLeaks(const Op& op) { return SpecOf(op.call).FdsMade() < 0; }

std::vector<std::pair<int, std::string>> UnheldNewFds(
    const std::set<int>& before, const std::set<int>& after,
    const SyscallEnv& env) {
  std::set<int> held;
  for (const auto& [slot, fd] : env.fds) held.insert(fd);
  std::vector<std::pair<int, std::string>> out;
  for (int fd : after) {
    if (before.count(fd) || held.count(fd)) continue;
    out.emplace_back(fd, FdKind(fd));
  }
  return out;
}

bool SendsStarting(const Op& op) {
  if (SpecOf(op.call).blocking != Blocking::kNever) return true;
  for (const Outcome& o : op.expect.any_of) {
    if (o.kind == Outcome::Kind::kBlocks) return true;
  }
  return false;
}

bool IsSelfOrDescendant(const Plan& plan, int p, int ancestor) {
  // A fork chain is at most as long as the peer list; the bound also stops
  // a malformed plan's cycle.
  for (size_t steps = 0; p >= 0 && steps <= plan.peers.size(); ++steps) {
    if (p == ancestor) return true;
    if (static_cast<size_t>(p) >= plan.peers.size()) return false;
    p = plan.peers[p].forked_by;
  }
  return false;
}

namespace {

// The calls after which a peer process is not what a fresh fork would be
// (its signal dispositions, limits, credentials, namespaces or timers
// changed): a pooled peer that ran one is not used again.
bool ChangesTheProcess(Call c) {
  switch (c) {
    case Call::kRaise:
    case Call::kDropPrivileges:
    case Call::kSigaction:
    case Call::kAlarm:
    case Call::kSetrlimit:
    case Call::kUnshare:
      return true;
    default:
      return false;
  }
}

// The step loop: runs the commands of setup.ends[self] until "exit" or the
// coordinator goes away. Returns the peer index this process ended as (a
// fork continues the loop as the new peer). Sets *changed when a call
// changed the process (ChangesTheProcess) or a signal was caught.
int ServeSteps(PeerSetup& setup, SyscallEnv& env, bool* changed) {
  const Plan& plan = *setup.plan;
  int self = setup.self;
  for (;;) {
    const PeerEnds& mine = setup.ends[self];
    absl::StatusOr<std::string> frame = ReadFrame(mine.cmd_read);
    if (!frame.ok()) break;  // the coordinator is gone
    absl::StatusOr<PeerCommand> cmd = DecodeCommand(*frame);
    if (!cmd.ok() || cmd->kind == PeerCommand::Kind::kExit) break;

    PeerMessage result;
    if (cmd->op_index < 0 || static_cast<size_t>(cmd->op_index) >= plan.ops.size()) {
      result.obs.harness_error = absl::StrCat("no op ", cmd->op_index);
      if (!Send(mine.result_write, result)) break;
      continue;
    }
    // An op whose arguments use captured values runs with them filled in.
    Op resolved;
    const Op* run = &plan.ops[cmd->op_index];
    if (!cmd->captures.empty() && HasDynamic(*run)) {
      resolved = *run;
      CaptureValues values(plan.capture_names.size());
      for (const auto& [slot, v] : cmd->captures) {
        if (slot >= 0 && static_cast<size_t>(slot) < values.size()) values[slot] = v;
      }
      if (absl::Status s = ResolveCaptures(plan.capture_names, values, &resolved); !s.ok()) {
        result.obs.harness_error = std::string(s.message());
        if (!Send(mine.result_write, result)) break;
        continue;
      }
      run = &resolved;
    }
    const Op& op = *run;
    env.bound = std::map<int, std::string>(cmd->bound.begin(), cmd->bound.end());
    env.peer_pids = cmd->peer_pids;

    if (SendsStarting(op)) {
      PeerMessage starting;
      starting.kind = PeerMessage::Kind::kStarting;
      starting.fd_arg = FirstFdArg(op, env);
      if (!Send(mine.result_write, starting)) break;
    }

    if (op.call == Call::kFork) {
      const int child_peer = op.new_peer;
      if (child_peer < 0 || static_cast<size_t>(child_peer) >= setup.ends.size() ||
          setup.ends[child_peer].cmd_read < 0) {
        result.obs.harness_error = "fork: no control pipes for the new peer";
      } else {
        pid_t pid = fork();
        if (pid == 0) {
          // The new peer: same fds, its own channel; the parent reports.
          self = child_peer;
          KeepOwnEnds(plan, self, setup.ends);
          for (int fd : setup.close_in_forks) close(fd);
          setup.close_in_forks.clear();
          continue;
        }
        if (pid < 0) {
          result.obs.ret = -1;
          result.obs.err = errno;
        } else {
          result.obs.ret = pid;
          for (size_t p = 0; p < setup.ends.size(); ++p) {
            if (!IsSelfOrDescendant(plan, p, child_peer)) continue;
            close(setup.ends[p].cmd_read);
            close(setup.ends[p].result_write);
            setup.ends[p] = PeerEnds();
          }
        }
      }
    } else {
      if (ChangesTheProcess(op.call)) *changed = true;
      ClearCaughtSignals();
      result.obs = RunCallWatchingFds(op, env);
      if (setup.await_loopback) AwaitLoopbackDelivery();
      result.obs.signals = CaughtSignals();
      if (!result.obs.signals.empty()) *changed = true;
    }
    if (!Send(setup.ends[self].result_write, result)) break;
  }
  return self;
}

// The slot -> fd map of a peer's env: the setup fds it holds; closes the rest.
void TakeSetupFds(const PeerSetup& setup, SyscallEnv& env) {
  const std::vector<int>& holds = setup.plan->peers[setup.self].holds;
  for (const auto& [slot, fd] : setup.setup_fds) {
    if (std::find(holds.begin(), holds.end(), slot) != holds.end()) {
      env.fds[slot] = fd;
    } else {
      close(fd);
    }
  }
}

// Closes every fd of this process but 0-2 and `keep`.
void CloseAllBut(std::initializer_list<int> keep) {
  for (int fd : OpenFds()) {
    if (fd <= 2 || std::find(keep.begin(), keep.end(), fd) != keep.end()) continue;
    close(fd);
  }
}

// raw sendmsg/recvmsg: a fault-injection preload's wrappers stay out of the
// harness's own channel.
ssize_t RawRecvmsg(int fd, msghdr* m, int flags) {
  return syscall(SYS_recvmsg, fd, m, flags);
}

}  // namespace

bool FitsPooledBegin(const Plan& plan) {
  for (size_t p = 0; p < plan.peers.size(); ++p) {
    if (plan.peers[p].forked_by >= 0) continue;
    size_t descendants = 0;
    for (size_t d = 0; d < plan.peers.size(); ++d) {
      descendants += d != p && IsSelfOrDescendant(plan, d, p);
    }
    const size_t holds = plan.peers[p].holds.size();
    const size_t fds = 1 + holds + 2 * descendants;
    // The fixed words, two per setup fd, one per descendant, and the
    // abstract prefix ("sockspec-" + 16 hex digits + "-") a word a byte.
    const size_t words = 10 + 2 * holds + descendants + 64;
    if (fds > kMaxPooledFds || words > kMaxPooledWords) return false;
  }
  return true;
}

std::vector<int64_t> EncodePooledBegin(const PooledBegin& b, std::vector<int>* fds) {
  std::vector<int64_t> w = {0x506f6f6c, reinterpret_cast<int64_t>(b.plan),
                            static_cast<int64_t>(b.plan->ops.size()), b.self,
                            b.await_loopback, b.harness_pid, b.cwd >= 0};
  if (b.cwd >= 0) fds->push_back(b.cwd);
  w.push_back(static_cast<int64_t>(b.setup_fds.size()));
  for (const auto& [slot, fd] : b.setup_fds) {
    const int flags = fcntl(fd, F_GETFD);
    w.push_back(slot);
    w.push_back(flags >= 0 && (flags & FD_CLOEXEC));
    fds->push_back(fd);
  }
  w.push_back(static_cast<int64_t>(b.descendant_ends.size()));
  for (const auto& [p, ends] : b.descendant_ends) {
    w.push_back(p);
    fds->push_back(ends.cmd_read);
    fds->push_back(ends.result_write);
  }
  w.push_back(static_cast<int64_t>(b.abstract_prefix.size()));
  for (char c : b.abstract_prefix) w.push_back(static_cast<unsigned char>(c));
  return w;
}

absl::Status SendPooledBegin(int sock, const PooledBegin& b) {
  std::vector<int> fds;
  std::vector<int64_t> words = EncodePooledBegin(b, &fds);
  iovec iov = {words.data(), words.size() * sizeof(int64_t)};
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  msghdr m = {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (!fds.empty()) {
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t sent;
  do {
    sent = syscall(SYS_sendmsg, sock, &m, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return absl::InternalError(absl::StrCat("sendmsg: ", strerror(errno)));
  return absl::OkStatus();
}

absl::StatusOr<PooledBegin> DecodePooledBegin(absl::Span<const int64_t> w,
                                              const std::vector<int>& fds) {
  const auto bad = [] { return absl::InvalidArgumentError("malformed begin message"); };
  size_t k = 0, f = 0;
  auto next = [&](int64_t* v) {
    if (k >= w.size()) return false;
    *v = w[k++];
    return true;
  };
  auto next_fd = [&]() { return f < fds.size() ? fds[f++] : -1; };
  int64_t magic, plan, nops, self, loop, pid, has_cwd, n;
  if (!next(&magic) || magic != 0x506f6f6c || !next(&plan) || !next(&nops) ||
      !next(&self) || !next(&loop) || !next(&pid) || !next(&has_cwd) || !next(&n)) {
    return bad();
  }
  PooledBegin b;
  b.plan = reinterpret_cast<const Plan*>(plan);
  if (b.plan == nullptr || static_cast<int64_t>(b.plan->ops.size()) != nops ||
      self < 0 || static_cast<size_t>(self) >= b.plan->peers.size()) {
    return bad();
  }
  b.self = static_cast<int>(self);
  b.await_loopback = loop != 0;
  b.harness_pid = pid;
  if (has_cwd) b.cwd = next_fd();
  for (int64_t i = 0; i < n; ++i) {
    int64_t slot, cloexec;
    if (!next(&slot) || !next(&cloexec)) return bad();
    const int fd = next_fd();
    if (fd < 0) return bad();
    if (cloexec) fcntl(fd, F_SETFD, FD_CLOEXEC);
    b.setup_fds[static_cast<int>(slot)] = fd;
  }
  if (!next(&n)) return bad();
  for (int64_t i = 0; i < n; ++i) {
    int64_t p;
    if (!next(&p) || p < 0 || static_cast<size_t>(p) >= b.plan->peers.size()) return bad();
    PeerEnds ends;
    ends.cmd_read = next_fd();
    ends.result_write = next_fd();
    if (ends.result_write < 0) return bad();
    b.descendant_ends.emplace_back(static_cast<int>(p), ends);
  }
  if (!next(&n) || n < 0 || static_cast<size_t>(n) > w.size() - k) return bad();
  for (int64_t i = 0; i < n; ++i) b.abstract_prefix.push_back(static_cast<char>(w[k++]));
  if (k != w.size() || f != fds.size()) return bad();
  return b;
}

std::string EncodeInts(const std::vector<int64_t>& v) {
  std::string out(v.size() * sizeof(int64_t), '\0');
  if (!v.empty()) memcpy(out.data(), v.data(), out.size());
  return out;
}

std::vector<int64_t> DecodeInts(absl::string_view bytes) {
  std::vector<int64_t> v(bytes.size() / sizeof(int64_t));
  if (!v.empty()) memcpy(v.data(), bytes.data(), v.size() * sizeof(int64_t));
  return v;
}

int RunPeer(PeerSetup& setup) {
  InstallSignalRecorders();
  for (int fd : setup.coordinator_ends) close(fd);
  KeepOwnEnds(*setup.plan, setup.self, setup.ends);

  SyscallEnv env;
  env.abstract_prefix = setup.abstract_prefix;
  env.harness_pid = setup.harness_pid;
  TakeSetupFds(setup, env);
  bool changed = false;
  ServeSteps(setup, env, &changed);
  CloseAll(env);
  return 0;
}

int ServePooled(int sock, int cmd_read, int result_write) {
  CloseAllBut({sock, cmd_read, result_write});
  InstallSignalRecorders();
  // One buffer for every begin message: the peer heap gives back only the
  // newest block.
  std::vector<int64_t> words(kMaxPooledWords);
  for (;;) {
    // One instance: its begin message (EncodePooledBegin's layout) and fds.
    iovec iov = {words.data(), words.size() * sizeof(int64_t)};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPooledFds)];
    msghdr m = {};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ssize_t n;
    do {
      n = RawRecvmsg(sock, &m, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return 0;  // the harness is gone
    if (m.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) return 3;  // not a begin we can use
    std::vector<int> fds;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      const size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      const int* got = reinterpret_cast<const int*>(CMSG_DATA(c));
      fds.insert(fds.end(), got, got + k);
    }
    absl::StatusOr<PooledBegin> begin =
        DecodePooledBegin(absl::Span<const int64_t>(words.data(), n / sizeof(int64_t)), fds);
    if (!begin.ok()) return 3;
    PeerSetup setup;
    setup.plan = begin->plan;
    setup.self = begin->self;
    setup.abstract_prefix = begin->abstract_prefix;
    setup.harness_pid = begin->harness_pid;
    setup.await_loopback = begin->await_loopback;
    setup.ends.assign(setup.plan->peers.size(), PeerEnds());
    setup.ends[setup.self] = {cmd_read, result_write};
    for (const auto& [p, ends] : begin->descendant_ends) setup.ends[p] = ends;
    setup.setup_fds = begin->setup_fds;
    setup.close_in_forks = {sock};
    if (begin->cwd >= 0) {
      if (fchdir(begin->cwd) != 0) return 4;
      close(begin->cwd);
    }
    // The descendants' command ends, as numbered here: the coordinator
    // watches a fork's own command pipe by its number.
    std::vector<int64_t> numbers;
    for (const auto& [p, ends] : begin->descendant_ends) {
      numbers.push_back(p);
      numbers.push_back(ends.cmd_read);
    }
    if (!WriteFrame(result_write, EncodeInts(numbers)).ok()) return 0;

    SyscallEnv env;
    env.abstract_prefix = setup.abstract_prefix;
    env.harness_pid = setup.harness_pid;
    TakeSetupFds(setup, env);
    bool changed = false;
    ClearCaughtSignals();
    const int self = ServeSteps(setup, env, &changed);
    if (self != begin->self) {  // a fork of this instance: done
      CloseAll(env);
      return 0;
    }
    CloseAll(env);
    // The forks this instance made end with it (the coordinator stops them).
    int status;
    while (waitpid(-1, &status, 0) > 0 || errno == EINTR) {
    }
    CloseAllBut({sock, cmd_read, result_write});
    if (!CaughtSignals().empty()) changed = true;
    if (!WriteFrame(result_write, changed ? kPooledChanged : kPooledClean).ok()) return 0;
    if (changed) return 0;
  }
}

}  // namespace sockspec
