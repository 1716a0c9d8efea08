#include "harness/model/fuzz_sockets.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/model/fuzz_ops.h"

namespace sockspec {
namespace {
using model::kAutobind;
using model::kAutobindOf;
using model::kMaxSockets;
using model::kNames;
using model::ModelOp;
using model::Observed;
using model::OpKind;
using model::SockType;
using model::SockTypeValue;

constexpr int kFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;
}  // namespace

absl::StatusOr<std::unique_ptr<FuzzSockets>> FuzzSockets::Create() {
  // sun_path holds 107 characters and a NUL: "DIR/p0" must fit, and
  // $TMPDIR under a test runner often does not.
  const char* tmp = getenv("TMPDIR");
  std::string templ = absl::StrCat(tmp != nullptr ? tmp : "", "/sockspec-ops-XXXXXX");
  if (tmp == nullptr || *tmp == '\0' ||
      templ.size() + 3 >= sizeof(sockaddr_un::sun_path)) {
    templ = "/tmp/sockspec-ops-XXXXXX";
  }
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(
        ErrnoStatus(absl::StrCat("mkdtemp(", templ, ")").c_str(), errno)
            .message());
  }
  return std::unique_ptr<FuzzSockets>(new FuzzSockets(std::move(templ)));
}

FuzzSockets::FuzzSockets(std::string dir)
    : dir_(std::move(dir)),
      abstract_prefix_(absl::StrCat(std::string(1, '\0'), "sockspec-ops-",
                                    getpid(), "-")) {}

FuzzSockets::~FuzzSockets() {
  CloseAll();
  rmdir(dir_.c_str());
}

SOCKSPEC_NO_COVERAGE
void FuzzSockets::CloseAll() {
  for (UniqueFd& fd : epoll_et_) fd.reset();
  for (UniqueFd& fd : fds_) fd.reset();
  for (std::string& a : autobound_) a.clear();
  retired_autobound_.clear();
  for (int i = 0; i < kNames / 2; ++i) {
    if (path_made_[i]) unlink(absl::StrCat(dir_, "/p", i).c_str());
    path_made_[i] = false;
  }
}

SOCKSPEC_NO_COVERAGE
absl::Status FuzzSockets::Start(SockType type) {
  CloseAll();
  int raw[2];
  if (socketpair(AF_UNIX, SockTypeValue(type) | kFlags, 0, raw) != 0) {
    return absl::InternalError(ErrnoStatus("socketpair()", errno).message());
  }
  fds_[0].reset(raw[0]);
  fds_[1].reset(raw[1]);
  return absl::OkStatus();
}

SOCKSPEC_NO_COVERAGE
socklen_t FuzzSockets::Address(int name, struct sockaddr_un& addr) const {
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (name == kAutobind) return sizeof(sa_family_t);
  const std::string s = name < kNames / 2
                            ? absl::StrCat(dir_, "/p", name)
                            : absl::StrCat(abstract_prefix_, name - kNames / 2);
  memcpy(addr.sun_path, s.data(), s.size());
  // A pathname's length counts its NUL; an abstract name's is exact.
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + s.size() +
                                (name < kNames / 2 ? 1 : 0));
}

SOCKSPEC_NO_COVERAGE
int FuzzSockets::NameOf(const struct sockaddr_un& addr, socklen_t len) const {
  if (len <= sizeof(sa_family_t)) return model::kUnnamed;
  const std::string got(addr.sun_path, len - offsetof(sockaddr_un, sun_path));
  for (int s = kMaxSockets - 1; s >= 0; --s) {
    if (!autobound_[s].empty() && got == autobound_[s]) return kAutobindOf + s;
  }
  for (auto it = retired_autobound_.rbegin(); it != retired_autobound_.rend(); ++it) {
    if (got == it->first) return kAutobindOf + it->second;
  }
  for (int name = 0; name < kNames; ++name) {
    struct sockaddr_un want;
    const socklen_t n = Address(name, want);
    if (n == len && memcmp(&want, &addr, n) == 0) return name;
  }
  return model::kUnknownName;
}

SOCKSPEC_NO_COVERAGE
Observed FuzzSockets::Execute(const ModelOp& op, const uint8_t* wdata,
                              uint8_t* rbuf, uint64_t write_offset) {
  const int fd = op.end >= 0 && op.end < kMaxSockets ? fds_[op.end].get() : -1;
  Observed obs;
  struct sockaddr_un addr;
  // World's operations (ScopeOf), an end's own EPOLLET set and a close
  // need the socket table; every other call is the socket's alone.
  if (op.kind == OpKind::kSocket || op.kind == OpKind::kAccept) {
    const int n =
        op.kind == OpKind::kSocket
            ? socket(AF_UNIX,
                     SockTypeValue(static_cast<SockType>(op.value)) | kFlags, 0)
            : accept4(fd, nullptr, nullptr, kFlags);
    if (n < 0) {
      obs.ret = -1;
      obs.err = errno;
    } else {
      fds_[op.slot].reset(n);
      if (!autobound_[op.slot].empty()) {
        retired_autobound_.emplace_back(std::move(autobound_[op.slot]), op.slot);
      }
      autobound_[op.slot].clear();
      obs.ret = op.slot;
    }
    return obs;
  }
  if (op.kind == OpKind::kBind) {
    const socklen_t len = Address(op.name, addr);
    obs.ret = bind(fd, reinterpret_cast<const sockaddr*>(&addr), len);
    if (obs.ret < 0) {
      obs.err = errno;
    } else if (op.name < kNames / 2) {
      path_made_[op.name] = true;
    } else if (op.name == kAutobind && autobound_[op.end].empty()) {
      // The name the kernel picked, unless the socket kept its own.
      socklen_t got = sizeof addr;
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &got) == 0 &&
          NameOf(addr, got) == model::kUnknownName) {
        autobound_[op.end].assign(addr.sun_path,
                                  got - offsetof(sockaddr_un, sun_path));
      }
    }
    return obs;
  }
  if (op.kind == OpKind::kListen) {
    obs.ret = listen(fd, op.value);
    if (obs.ret < 0) obs.err = errno;
    return obs;
  }
  if (op.kind == OpKind::kConnect) {
    socklen_t len = Address(op.name, addr);
    if (op.name == model::kUnspec) addr.sun_family = AF_UNSPEC;
    obs.ret = connect(fd, reinterpret_cast<const sockaddr*>(&addr), len);
    if (obs.ret < 0) obs.err = errno;
    return obs;
  }
  if (op.kind == OpKind::kGetName) {
    socklen_t len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    obs.ret = op.how == 1
                  ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                  : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    if (obs.ret < 0) {
      obs.err = errno;
    } else {
      obs.value = NameOf(addr, len);
    }
    return obs;
  }
  if (op.kind == OpKind::kSendTo) {
    const socklen_t len = Address(op.name, addr);
    obs.ret = sendto(fd, wdata, op.size, op.flags,
                     reinterpret_cast<const sockaddr*>(&addr), len);
    if (obs.ret < 0) obs.err = errno;
    return obs;
  }
  if (op.kind == OpKind::kRecvFrom) {
    struct iovec iov = {rbuf, op.size};
    struct msghdr msg = {};
    msg.msg_name = &addr;
    msg.msg_namelen = sizeof addr;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    memset(&addr, 0, sizeof addr);
    obs.ret = recvmsg(fd, &msg, op.flags);
    if (obs.ret < 0) {
      obs.err = errno;
      return obs;
    }
    obs.msg_flags = msg.msg_flags;
    obs.value = NameOf(addr, msg.msg_namelen);
    obs.data = absl::MakeConstSpan(rbuf, std::min(static_cast<size_t>(obs.ret), op.size));
    return obs;
  }
  if (op.kind == OpKind::kEpollEt) {
    if (fd < 0 || op.end >= 2) {
      obs.ret = -1;
      obs.err = EBADF;
      return obs;
    }
    UniqueFd& ep = epoll_et_[op.end];
    if (!ep.valid()) {
      ep.reset(epoll_create1(EPOLL_CLOEXEC));
      struct epoll_event ev = {};
      ev.events = model::kEpollEtEvents | EPOLLET;
      if (!ep.valid() || epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
        obs.ret = -1;
        obs.err = errno;
        ep.reset();
        return obs;
      }
    }
    struct epoll_event got = {};
    obs.ret = epoll_wait(ep.get(), &got, 1, 0);
    if (obs.ret < 0) obs.err = errno;
    obs.revents = static_cast<short>(got.events);
    return obs;
  }
  if (op.kind == OpKind::kClose) {
    if (op.end >= 0 && op.end < 2) epoll_et_[op.end].reset();
    return ExecuteOp(op, op.end >= 0 && op.end < kMaxSockets
                             ? fds_[op.end].release()
                             : -1,
                     wdata, rbuf);
  }
  return ExecuteOp(op, fd, wdata, rbuf, write_offset);
}

}  // namespace sockspec
