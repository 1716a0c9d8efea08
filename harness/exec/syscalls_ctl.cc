// Control and query calls: poll, fcntl, setsockopt, getsockopt,
// getsockname, getpeername, ioctl, sockatmark, and raise (harness
// self-tests).
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

Observation Poll(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  pollfd p = {s, static_cast<short>(IntArg(op, 0)), 0};
  int r = poll(&p, 1, IntArg(op, 1, 0));
  if (r < 0) return Errno(errno);
  Observation o;
  o.ret = r;
  o.value = p.revents;
  return o;
}

Observation Fcntl(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  const int cmd = IntArg(op, 0);
  int r = fcntl(s, cmd, IntArg(op, 1));
  if (r < 0) return Errno(errno);
  Observation o;
  o.ret = r;
  // fcntl's result is its value (0 for the F_SET commands). The case
  // language compares F_GETFL's status flags under O_NONBLOCK only: the
  // access mode and other bits are not what cases are about.
  o.value = cmd == F_GETFL ? (r & O_NONBLOCK) : r;
  return o;
}

Observation Setsockopt(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  int v = IntArg(op, 2);
  if (setsockopt(s, IntArg(op, 0), IntArg(op, 1), BufferPtr(op, &v), sizeof v) != 0) {
    return Errno(errno);
  }
  return Observation();
}

Observation Getsockopt(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  const int level = IntArg(op, 0), name = IntArg(op, 1);
  Observation o;
  if (level == SOL_SOCKET && name == SO_PEERCRED) {
    ucred u = {};
    socklen_t len = sizeof u;
    if (getsockopt(s, level, name, &u, &len) != 0) return Errno(errno);
    o.cred = Cred{u.pid, u.uid, u.gid};
    return o;
  }
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(s, level, name, &v, &len) != 0) return Errno(errno);
  o.value = v;
  return o;
}

Observation Getname(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  sockaddr_storage ss{};
  socklen_t len = 0;
  const AddrOutArgs out = AddrOut(op, &ss, &len);
  int r = op.call == Call::kGetsockname ? getsockname(s, out.addr, out.len)
                                        : getpeername(s, out.addr, out.len);
  if (r != 0) return Errno(errno);
  Observation o;
  if (out.addr == reinterpret_cast<sockaddr*>(&ss) && out.len == &len) {
    o.addr = std::string(reinterpret_cast<const char*>(&ss),
                         std::min<size_t>(len, sizeof ss));
  }
  return o;
}

Observation Ioctl(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  int v = 0;
  if (ioctl(s, IntArg(op, 0), &v) != 0) return Errno(errno);
  Observation o;
  o.value = v;
  return o;
}

// sockatmark(3): glibc's is this ioctl; the answer is the return value.
Observation Sockatmark(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  int at_mark = 0;
  if (ioctl(s, SIOCATMARK, &at_mark) != 0) return Errno(errno);
  Observation o;
  o.ret = at_mark;
  return o;
}

Observation Raise(const Op& op, SyscallEnv& env) {
  if (env.harness_pid == getpid()) {
    return HarnessError("raise() is for peers, not the harness itself");
  }
  const int sig = IntArg(op, 0);
  // Signals the peer records keep their handler; any other takes its default
  // action, so a crash test crashes even under a sanitizer's handlers.
  if (sig != SIGPIPE && sig != SIGURG) signal(sig, SIG_DFL);
  if (raise(sig) != 0) return Errno(errno);
  return Observation();
}

}  // namespace

void RegisterCtlCalls(Handler* t) {
  t[static_cast<int>(Call::kPoll)] = Poll;
  t[static_cast<int>(Call::kFcntl)] = Fcntl;
  t[static_cast<int>(Call::kSetsockopt)] = Setsockopt;
  t[static_cast<int>(Call::kGetsockopt)] = Getsockopt;
  t[static_cast<int>(Call::kGetsockname)] = Getname;
  t[static_cast<int>(Call::kGetpeername)] = Getname;
  t[static_cast<int>(Call::kIoctl)] = Ioctl;
  t[static_cast<int>(Call::kSockatmark)] = Sockatmark;
  t[static_cast<int>(Call::kRaise)] = Raise;
}

}  // namespace internal
}  // namespace sockspec
