#include "harness/exec/hang_check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sockspec {
namespace {

using Role = HangView::Role;

// A sleep that only another process can end: which call, given its
// arguments. nullptr: time could end it (a poll timeout, ppoll with a
// timespec, recvmmsg with a timeout, the TCP timers of an inet connect or
// accept) or it is not a call we know.
const char* UntimedSleep(const ProcState& s, const HangRules& rules) {
  const char* name = UntimedCallName(s.nr);
  if (name == nullptr) return nullptr;
  switch (s.nr) {
#ifdef SYS_poll
    case SYS_poll:  // timeout (an int) in args[2]: only a negative one waits for ever
      return static_cast<int32_t>(s.args[2] & 0xffffffffu) < 0 ? name : nullptr;
#endif
    case SYS_ppoll:  // a null timespec waits for ever
      return s.args[2] == 0 ? name : nullptr;
    case SYS_epoll_wait:  // timeout (an int) in args[3]
    case SYS_epoll_pwait:
      return static_cast<int32_t>(s.args[3] & 0xffffffffu) < 0 ? name : nullptr;
    case SYS_select:  // a null timeval / timespec waits for ever
    case SYS_pselect6:
      return s.args[4] == 0 ? name : nullptr;
    case SYS_accept:
    case SYS_accept4:
    // An AF_UNIX connect sleeps until the listener's backlog has room (an
    // accept, or the listener's close); a TCP one also ends on SYN retries.
    case SYS_connect:
      return rules.inet ? nullptr : name;
    case SYS_recvmmsg:  // its timeout (args[4]) is checked only between
      // messages on Linux, but a sleep with one is not counted as certain
      return s.args[4] == 0 ? name : nullptr;
    default:
      return name;
  }
}

// Asleep, stable across the two snapshots, nothing pending.
bool StillAsleep(const ProcState& a, const ProcState& b) {
  return a.state == 'S' && b.state == 'S' && a.has_syscall && b.has_syscall &&
         a.in_syscall && a.syscall_line == b.syscall_line && a.switches >= 0 &&
         a.switches == b.switches && !a.signal_pending && !b.signal_pending;
}

bool WaitsForCommand(const ProcState& s, int control_fd) {
  return s.nr == SYS_read && control_fd >= 0 &&
         s.arg0 == static_cast<uint64_t>(control_fd);
}

bool Dead(const std::optional<ProcState>& s) {
  return !s || s->state == 'Z' || s->state == 'X';
}

// The pids listed in /proc/PID/task/PID/children (empty if unreadable: the
// file needs CONFIG_PROC_CHILDREN; only `fork` steps make processes).
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  int fd = open(absl::StrCat("/proc/", pid, "/task/", pid, "/children").c_str(),
                O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  std::string text;
  char buf[256];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) text.append(buf, r);
  close(fd);
  for (absl::string_view w : absl::StrSplit(text, ' ', absl::SkipWhitespace())) {
    pid_t c;
    if (absl::SimpleAtoi(w, &c)) out.push_back(c);
  }
  return out;
}

std::vector<std::optional<ProcState>> Snapshot(const std::vector<HangView>& peers) {
  std::vector<std::optional<ProcState>> out;
  for (const HangView& v : peers) {
    absl::StatusOr<ProcState> s =
        v.role == Role::kGone ? absl::NotFoundError("gone") : ReadProcDetail(v.pid);
    out.push_back(s.ok() ? std::optional<ProcState>(*s) : std::nullopt);
  }
  return out;
}

}  // namespace

const char* UntimedCallName(int64_t nr) {
  switch (nr) {
    case SYS_read: return "read";
    case SYS_write: return "write";
    case SYS_readv: return "readv";
    case SYS_writev: return "writev";
    case SYS_recvfrom: return "recvfrom";
    case SYS_sendto: return "sendto";
    case SYS_recvmsg: return "recvmsg";
    case SYS_sendmsg: return "sendmsg";
    case SYS_recvmmsg: return "recvmmsg";
    case SYS_sendmmsg: return "sendmmsg";
    case SYS_connect: return "connect";
    case SYS_accept: return "accept";
    case SYS_accept4: return "accept4";
#ifdef SYS_poll
    case SYS_poll: return "poll";
#endif
    case SYS_ppoll: return "ppoll";
    case SYS_epoll_wait: return "epoll_wait";
    case SYS_epoll_pwait: return "epoll_pwait";
    case SYS_select: return "select";
    case SYS_pselect6: return "pselect6";
    default: return nullptr;
  }
}

namespace {

// Whether `op` expects SIGALRM in some outcome: the alarm has fired by then.
bool ExpectsSigalrm(const Op& op) {
  for (const Outcome& o : op.expect.any_of) {
    for (int sig : o.signals) {
      if (sig == SIGALRM) return true;
    }
  }
  return false;
}

}  // namespace

HangRules RulesFor(const Plan& plan) {
  HangRules r;
  // Per peer: an alarm() that may still fire, from its step until the step
  // of that peer that expects SIGALRM or sets another alarm (inclusive).
  std::vector<bool> pending(plan.peers.size(), false);
  r.alarm_armed.assign(plan.ops.size(), false);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const Op& op = plan.ops[i];
    const bool own = op.peer >= 0 && static_cast<size_t>(op.peer) < pending.size();
    bool any = false;
    for (bool p : pending) any = any || p;
    r.alarm_armed[i] = any;
    if (own && op.call == Call::kAlarm) {
      pending[op.peer] = !op.ints.empty() && op.ints[0] > 0;
    } else if (own && ExpectsSigalrm(op)) {
      pending[op.peer] = false;
    }
    // Both forms: SO_RCVTIMEO is SO_RCVTIMEO_OLD here, _NEW a second number.
    if (op.call == Call::kSetsockopt && op.ints.size() >= 2 && op.ints[0] == SOL_SOCKET &&
        (op.ints[1] == SO_RCVTIMEO || op.ints[1] == SO_SNDTIMEO ||
         op.ints[1] == SO_RCVTIMEO_NEW || op.ints[1] == SO_SNDTIMEO_NEW)) {
      r.timeouts_armed = true;
    }
    if ((op.call == Call::kSocket || op.call == Call::kSocketpair) && !op.ints.empty() &&
        (op.ints[0] == AF_INET || op.ints[0] == AF_INET6)) {
      r.inet = true;
    }
    if (op.call == Call::kPair && !op.ints.empty() &&
        (op.ints[0] == static_cast<int64_t>(PairKind::kInet4) ||
         op.ints[0] == static_cast<int64_t>(PairKind::kInet6))) {
      r.inet = true;
    }
  }
  return r;
}

HangRules RulesAtOp(const HangRules& rules, int op) {
  HangRules r = rules;
  if (op >= 0 && static_cast<size_t>(op) < rules.alarm_armed.size() &&
      rules.alarm_armed[op]) {
    r.timeouts_armed = true;
  }
  return r;
}

std::optional<std::string> DecideCertainHang(
    const std::vector<HangView>& peers,
    const std::vector<std::optional<ProcState>>& first,
    const std::vector<std::optional<ProcState>>& second,
    const HangRules& rules) {
  if (rules.timeouts_armed) return std::nullopt;
  if (first.size() != peers.size() || second.size() != peers.size()) return std::nullopt;
  std::string asleep;
  std::vector<std::string> others;
  bool saw_in_flight = false;
  for (size_t k = 0; k < peers.size(); ++k) {
    const HangView& v = peers[k];
    if (v.role == Role::kGone) continue;
    if (Dead(first[k]) || Dead(second[k])) {
      if (v.role == Role::kInFlight) return std::nullopt;  // it is answering
      others.push_back(absl::StrCat(v.name, " has exited"));
      continue;
    }
    const ProcState& a = *first[k];
    if (!StillAsleep(a, *second[k])) return std::nullopt;
    const char* call = UntimedSleep(a, rules);
    switch (v.role) {
      case Role::kInFlight:
        if (call == nullptr || WaitsForCommand(a, v.control_fd)) return std::nullopt;
        if (v.call_fd >= 0 && a.arg0 != static_cast<uint64_t>(v.call_fd)) return std::nullopt;
        saw_in_flight = true;
        // select's first argument is nfds; its fds sit in the sets.
        asleep = a.nr == SYS_select || a.nr == SYS_pselect6
                     ? absl::StrCat(v.name, " is asleep in ", call, " (nfds ", a.arg0, ")")
                     : absl::StrCat(v.name, " is asleep in ", call, " on fd ", a.arg0);
        break;
      case Role::kIdle:
        if (!WaitsForCommand(a, v.control_fd)) return std::nullopt;
        others.push_back(absl::StrCat(v.name, " waits for a command"));
        break;
      case Role::kPending:
        if (WaitsForCommand(a, v.control_fd)) {
          others.push_back(absl::StrCat(v.name, " waits for a command"));
        } else if (call != nullptr) {
          others.push_back(absl::StrCat(v.name, " is asleep in its own ", call));
        } else {
          return std::nullopt;
        }
        break;
      case Role::kGone:
        break;
    }
  }
  if (!saw_in_flight) return std::nullopt;
  std::string why = asleep;
  if (!others.empty()) absl::StrAppend(&why, "; ", absl::StrJoin(others, "; "));
  absl::StrAppend(&why, "; no timeout, timer or signal can end it");
  return why;
}

std::optional<std::string> CheckCertainHang(const std::vector<HangView>& peers,
                                            int ready_fd, const HangRules& rules,
                                            absl::Duration gap) {
  if (rules.timeouts_armed) return std::nullopt;
  pollfd p = {ready_fd, POLLIN, 0};
  timespec zero = {0, 0};
  // A cheap rejection first: the in-flight peer must be asleep in a system
  // call at all (never so on gVisor, which has no syscall file).
  for (const HangView& v : peers) {
    if (v.role != Role::kInFlight) continue;
    absl::StatusOr<ProcState> s = ReadProcState(v.pid);
    if (!s.ok() || s->state != 'S' || !s->in_syscall) return std::nullopt;
  }
  std::vector<std::optional<ProcState>> first = Snapshot(peers);
  std::set<pid_t> known;
  for (const HangView& v : peers) known.insert(v.pid);
  for (const HangView& v : peers) {
    if (v.role == Role::kGone) continue;
    for (pid_t c : ChildrenOf(v.pid)) {
      if (!known.count(c)) return std::nullopt;  // a process the case does not command
    }
  }
  timespec ts = absl::ToTimespec(gap);
  if (ppoll(&p, 1, &ts, nullptr) != 0) return std::nullopt;
  std::vector<std::optional<ProcState>> second = Snapshot(peers);
  if (ppoll(&p, 1, &zero, nullptr) != 0) return std::nullopt;
  return DecideCertainHang(peers, first, second, rules);
}

}  // namespace sockspec
