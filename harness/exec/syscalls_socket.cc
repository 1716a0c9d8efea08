// Socket creation and connection calls: socket, socketpair, pair, bind,
// listen, connect, accept, accept4, shutdown, close, dup.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

int DomainOf(int fd) {
  int domain = AF_UNIX;
  socklen_t len = sizeof domain;
  getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  return domain;
}

Observation Socket(const Op& op, SyscallEnv& env) {
  int fd = socket(IntArg(op, 0), IntArg(op, 1), IntArg(op, 2));
  if (fd < 0) return Errno(errno);
  Observation o;
  o.ret = fd;
  BindResult(op, 0, fd, env, o);
  return o;
}

Observation Socketpair(const Op& op, SyscallEnv& env) {
  int sv[2];
  if (socketpair(IntArg(op, 0), IntArg(op, 1), IntArg(op, 2),
                 static_cast<int*>(BufferPtr(op, sv))) != 0) {
    return Errno(errno);
  }
  Observation o;
  BindResult(op, 0, sv[0], env, o);
  BindResult(op, 1, sv[1], env, o);
  return o;
}

// Builds a connected pair over named sockets; on error closes what it made
// and returns the errno of the step that failed.
int NamedPair(PairKind kind, int type, SyscallEnv& env, int out[2]) {
  const int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
  const int base = type & ~flags;
  const int family = kind == PairKind::kInet4   ? AF_INET
                     : kind == PairKind::kInet6 ? AF_INET6
                                                : AF_UNIX;
  AddressSpec spec[2];
  for (int i = 0; i < 2; ++i) {
    std::string name = absl::StrCat(".pair-", getpid(), "-", env.pair_counter, "-", i);
    switch (kind) {
      case PairKind::kPathname: spec[i] = {AddressSpec::Kind::kPath, name}; break;
      case PairKind::kAbstract: spec[i] = {AddressSpec::Kind::kAbstract, name}; break;
      case PairKind::kInet4: spec[i].kind = AddressSpec::Kind::kInet4; break;
      case PairKind::kInet6: spec[i].kind = AddressSpec::Kind::kInet6; break;
      case PairKind::kSocketpair: break;  // Pair() calls socketpair() instead
    }
  }
  ++env.pair_counter;
  int fds[3] = {-1, -1, -1};
  auto fail = [&](int err) {
    for (int fd : fds) if (fd >= 0) close(fd);
    return err;
  };
  auto bind_to = [&](int fd, const AddressSpec& s) {
    absl::StatusOr<SockAddr> a = ResolveAddress(s, {}, env.abstract_prefix, family);
    if (!a.ok()) return EINVAL;
    return bind(fd, reinterpret_cast<const sockaddr*>(&a->ss), a->len) == 0 ? 0 : errno;
  };
  auto connect_to = [&](int fd, int target) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(target, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return errno;
    return connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) == 0 ? 0 : errno;
  };
  for (int i = 0; i < 2; ++i) {
    fds[i] = socket(family, base | (flags & SOCK_CLOEXEC), 0);
    if (fds[i] < 0) return fail(errno);
  }
  int err = 0;
  if (base == SOCK_DGRAM) {
    if ((err = bind_to(fds[0], spec[0])) || (err = bind_to(fds[1], spec[1])) ||
        (err = connect_to(fds[0], fds[1])) || (err = connect_to(fds[1], fds[0]))) {
      return fail(err);
    }
  } else {
    // fds[0] listens, fds[1] connects; the accepted end replaces the listener.
    if ((err = bind_to(fds[0], spec[0]))) return fail(err);
    if (listen(fds[0], 1) != 0) return fail(errno);
    if ((err = connect_to(fds[1], fds[0]))) return fail(err);
    fds[2] = accept4(fds[0], nullptr, nullptr, flags & SOCK_CLOEXEC);
    if (fds[2] < 0) return fail(errno);
    close(fds[0]);
    fds[0] = fds[2];
    fds[2] = -1;
  }
  for (int i = 0; i < 2; ++i) {
    if ((flags & SOCK_NONBLOCK) &&
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) != 0) {
      return fail(errno);
    }
    out[i] = fds[i];
  }
  return 0;
}

Observation Pair(const Op& op, SyscallEnv& env) {
  auto kind = static_cast<PairKind>(IntArg(op, 0));
  int type = IntArg(op, 1);
  int sv[2];
  if (kind == PairKind::kSocketpair) {
    if (socketpair(AF_UNIX, type, 0, sv) != 0) return Errno(errno);
  } else if (int err = NamedPair(kind, type, env, sv); err != 0) {
    return Errno(err);
  }
  Observation o;
  for (int i = 0; i < 2; ++i) {
    BindResult(op, i, sv[i], env, o);
    if (kind != PairKind::kSocketpair && i < static_cast<int>(op.results.size())) {
      RecordBound(op.results[i], env, o);
    }
  }
  return o;
}

Observation Bind(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  absl::StatusOr<SockAddr> a =
      ResolveAddress(op.addr, env.bound, env.abstract_prefix, DomainOf(s));
  if (!a.ok()) return HarnessError(std::string(a.status().message()));
  if (bind(s, AddrPtr(op.addr, *a), a->len) != 0) {
    return Errno(errno);
  }
  Observation o;
  RecordBound(op.fds[0], env, o);
  return o;
}

Observation Listen(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  if (listen(s, IntArg(op, 0)) != 0) return Errno(errno);
  Observation o;
  RecordBound(op.fds[0], env, o);  // inet listen picks a port if unbound
  return o;
}

Observation Connect(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  absl::StatusOr<SockAddr> a =
      ResolveAddress(op.addr, env.bound, env.abstract_prefix, DomainOf(s));
  if (!a.ok()) return HarnessError(std::string(a.status().message()));
  if (connect(s, AddrPtr(op.addr, *a), a->len) != 0) {
    return Errno(errno);
  }
  return Observation();
}

Observation Accept(const Op& op, SyscallEnv& env) {
  int l = FdArg(op, env, 0);
  if (l < 0) return MissingFd(op, 0);
  sockaddr_storage ss{};
  socklen_t len = 0;
  const AddrOutArgs out = AddrOut(op, &ss, &len);
  int flags = op.call == Call::kAccept4 ? IntArg(op, 0) : 0;
  int fd = accept4(l, out.addr, out.len, flags);
  if (fd < 0) return Errno(errno);
  Observation o;
  o.ret = fd;
  if (out.addr == reinterpret_cast<sockaddr*>(&ss) && out.len == &len) {
    o.addr = std::string(reinterpret_cast<const char*>(&ss),
                         std::min<size_t>(len, sizeof ss));
  }
  BindResult(op, 0, fd, env, o);
  return o;
}

// connect_until_full(ADDRESS, TYPE): new non-blocking sockets of TYPE
// connect to ADDRESS one by one until one fails EAGAIN (the listener's
// queue is full); ret is how many connected. They stay open, held under
// slots no case names, until the process exits (CloseAll).
Observation ConnectUntilFull(const Op& op, SyscallEnv& env) {
  constexpr int kFirstSlot = -1000;
  constexpr int64_t kLimit = 1 << 20;
  const int family = op.addr.kind == AddressSpec::Kind::kInet4   ? AF_INET
                     : op.addr.kind == AddressSpec::Kind::kInet6 ? AF_INET6
                                                                 : AF_UNIX;
  absl::StatusOr<SockAddr> a =
      ResolveAddress(op.addr, env.bound, env.abstract_prefix, family);
  if (!a.ok()) return HarnessError(std::string(a.status().message()));
  int slot = kFirstSlot;
  while (env.fds.count(slot)) --slot;
  for (int64_t n = 0; n < kLimit; ++n) {
    const int fd = socket(family, static_cast<int>(IntArg(op, 0)) | SOCK_NONBLOCK, 0);
    if (fd < 0) return Errno(errno);
    env.fds[slot--] = fd;
    if (connect(fd, AddrPtr(op.addr, *a), a->len) != 0) {
      if (errno == EAGAIN) {
        Observation o;
        o.ret = n;
        return o;
      }
      return Errno(errno);
    }
  }
  return HarnessError("connect_until_full: more than 1048576 connections queued");
}

Observation Shutdown(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  if (shutdown(s, IntArg(op, 0)) != 0) return Errno(errno);
  return Observation();
}

Observation Close(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  // Whatever close(2) returns, the fd is gone on Linux.
  env.fds.erase(op.fds[0]);
  env.bound.erase(op.fds[0]);
  if (close(s) != 0) return Errno(errno);
  return Observation();
}

Observation Dup(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  int fd = dup(s);
  if (fd < 0) return Errno(errno);
  Observation o;
  o.ret = fd;
  BindResult(op, 0, fd, env, o);
  return o;
}

}  // namespace

void RegisterSocketCalls(Handler* t) {
  t[static_cast<int>(Call::kSocket)] = Socket;
  t[static_cast<int>(Call::kSocketpair)] = Socketpair;
  t[static_cast<int>(Call::kPair)] = Pair;
  t[static_cast<int>(Call::kBind)] = Bind;
  t[static_cast<int>(Call::kListen)] = Listen;
  t[static_cast<int>(Call::kConnect)] = Connect;
  t[static_cast<int>(Call::kAccept)] = Accept;
  t[static_cast<int>(Call::kAccept4)] = Accept;
  t[static_cast<int>(Call::kConnectUntilFull)] = ConnectUntilFull;
  t[static_cast<int>(Call::kShutdown)] = Shutdown;
  t[static_cast<int>(Call::kClose)] = Close;
  t[static_cast<int>(Call::kDup)] = Dup;
}

}  // namespace internal
}  // namespace sockspec
