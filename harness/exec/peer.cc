#include "harness/exec/peer.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

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

int RunPeer(PeerSetup& setup) {
  const Plan& plan = *setup.plan;
  InstallSignalRecorders();
  for (int fd : setup.coordinator_ends) close(fd);
  KeepOwnEnds(plan, setup.self, setup.ends);

  SyscallEnv env;
  env.abstract_prefix = setup.abstract_prefix;
  env.harness_pid = setup.harness_pid;
  const std::vector<int>& holds = plan.peers[setup.self].holds;
  for (const auto& [slot, fd] : setup.setup_fds) {
    if (std::find(holds.begin(), holds.end(), slot) != holds.end()) {
      env.fds[slot] = fd;
    } else {
      close(fd);
    }
  }

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
      ClearCaughtSignals();
      result.obs = RunCallWatchingFds(op, env);
      if (setup.await_loopback) AwaitLoopbackDelivery();
      result.obs.signals = CaughtSignals();
    }
    if (!Send(setup.ends[self].result_write, result)) break;
  }
  CloseAll(env);
  return 0;
}

}  // namespace sockspec
