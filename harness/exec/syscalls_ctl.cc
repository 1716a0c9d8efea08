// Control and query calls: poll, fcntl (F_DUPFD* bind a new fd),
// setsockopt, getsockopt, getsockname, getpeername, ioctl, sockatmark, and
// raise (harness self-tests).
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "harness/exec/signal_record.h"
#include "harness/exec/syscalls.h"
#include "harness/os/sockopts.h"

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
  int r = fcntl(s, cmd, ValueArg(op, 1, env));
  if (r < 0) return Errno(errno);
  Observation o;
  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
    BindResult(op, 0, r, env, o);  // a new fd the case names
    return o;
  }
  // fcntl's result is its value (0 for the F_SET commands); F_GETFL's is
  // every status flag and the access mode (O_RDWR|O_NONBLOCK).
  o.ret = r;
  o.value = r;
  return o;
}

Observation Setsockopt(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  // Op::data is the value in its option's shape; an explicit optlen may say
  // fewer or more bytes (the buffer is zero-padded to it). `null`/`badptr`
  // pass that pointer instead (Op::buffer).
  const int64_t optlen = IntArg(op, 2, -1) >= 0 ? IntArg(op, 2)
                                                 : static_cast<int64_t>(op.data.size());
  std::string buf = op.data;
  buf.resize(std::max<size_t>(buf.size(), static_cast<size_t>(optlen)), '\0');
  if (setsockopt(s, IntArg(op, 0), IntArg(op, 1), BufferPtr(op, buf.data()),
                 static_cast<socklen_t>(optlen)) != 0) {
    return Errno(errno);
  }
  return Observation();
}

// The pid a pidfd refers to, from /proc/self/fdinfo ("Pid:\t1234"), or -1.
int64_t PidOfPidfd(int fd) {
  std::string path = "/proc/self/fdinfo/" + std::to_string(fd);
  FILE* f = fopen(path.c_str(), "re");
  if (f == nullptr) return -1;
  char line[256];
  int64_t pid = -1;
  while (fgets(line, sizeof line, f) != nullptr) {
    long long v;
    if (sscanf(line, "Pid: %lld", &v) == 1) pid = v;
  }
  fclose(f);
  return pid;
}

Observation Getsockopt(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  const OptionInfo info = OptionOf(IntArg(op, 0), IntArg(op, 1));
  const int64_t asked = IntArg(op, 2, -1) >= 0
                            ? IntArg(op, 2)
                            : static_cast<int64_t>(NaturalOptlen(info.shape));
  // Zeroed, and larger than any optlen a case may pass, so a kernel that
  // writes past what it was offered shows as an optlen, not a crash.
  std::string buf(static_cast<size_t>(asked) + 4096, '\0');
  socklen_t len = static_cast<socklen_t>(asked);
  if (getsockopt(s, IntArg(op, 0), IntArg(op, 1), buf.data(), &len) != 0) {
    return Errno(errno);
  }
  Observation o;
  o.data = buf.substr(0, std::min<size_t>(len, buf.size()));
  switch (info.shape) {
    case OptionShape::kInt:
    case OptionShape::kU64:
    case OptionShape::kSymbol:
    case OptionShape::kErrno:
      o.value = OptionInt(info, o.data);
      break;
    case OptionShape::kUcred:
      if (o.data.size() >= sizeof(ucred)) {
        ucred u;
        memcpy(&u, o.data.data(), sizeof u);
        o.cred = Cred{u.pid, u.uid, u.gid};
      }
      break;
    case OptionShape::kPidfd: {
      // A new fd in this process: bound to the name the case gives it, or
      // closed at once when it gives none (an errno or `= ?` line).
      const int fd = static_cast<int>(OptionInt(info, o.data));
      if (o.data.size() < sizeof(int) || fd < 0) break;
      o.value = PidOfPidfd(fd);
      if (op.results.empty()) {
        close(fd);
      } else {
        BindResult(op, 0, fd, env, o);
      }
      break;
    }
    case OptionShape::kTimeval:
    case OptionShape::kLinger:
    case OptionShape::kGids:
    case OptionShape::kBytes:
      break;  // compared as bytes
  }
  return o;
}

Observation Getname(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  sockaddr_storage ss{};
  socklen_t len = 0;
  const AddrOutArgs out = AddrOut(op, &ss, &len);
  // The system call itself, not libc's wrapper: a sanitizer's interceptor
  // reads *addrlen first and aborts on the bad pointers errno tables pass.
  const long nr = op.call == Call::kGetsockname ? SYS_getsockname : SYS_getpeername;
  const int r = static_cast<int>(syscall(nr, s, out.addr, out.len));
  if (r != 0) return Errno(errno);
  Observation o;
  if (out.addr == reinterpret_cast<sockaddr*>(&ss) && out.len == &len) {
    o.addr = std::string(reinterpret_cast<const char*>(&ss),
                         std::min<size_t>(len, sizeof ss));
  }
  return o;
}

// Without an argument the request reads an int (FIONREAD, SIOCOUTQ,
// SIOCATMARK, FIOGETOWN): that is the value. With one it passes it
// (FIONBIO, FIOASYNC, FIOSETOWN pid(A)): the value is ioctl's return.
Observation Ioctl(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  // A request that fills a struct (SIOC* with an ifreq, ifconf...) gets
  // room for it; the case sees its first int.
  const bool sets = op.ints.size() >= 2;
  union {
    int v;
    char room[512];
  } arg = {};
  arg.v = sets ? static_cast<int>(ValueArg(op, 1, env)) : 0;
  const int r = ioctl(s, IntArg(op, 0), &arg);
  if (r < 0) return Errno(errno);
  Observation o;
  o.ret = r;
  o.value = sets ? r : arg.v;
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
  if (!IsRecordedSignal(sig)) signal(sig, SIG_DFL);
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
