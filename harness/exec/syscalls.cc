#include "harness/exec/syscalls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/plan/calls.h"

namespace sockspec {
namespace {

const internal::Handler* Table() {
  static const internal::Handler* table = [] {
    static internal::Handler t[kCallCount] = {};
    internal::RegisterSocketCalls(t);
    internal::RegisterIoCalls(t);
    internal::RegisterMsgCalls(t);
    internal::RegisterCtlCalls(t);
    internal::RegisterProcCalls(t);
    internal::RegisterEpollCalls(t);
    internal::RegisterSignalCalls(t);
    return t;
  }();
  return table;
}

SockAddr UnixAddr(absl::string_view path_bytes, bool nul_terminate) {
  SockAddr a;
  auto* un = reinterpret_cast<sockaddr_un*>(&a.ss);
  un->sun_family = AF_UNIX;
  // sockaddr_storage has room past sun_path: an over-long name reaches the
  // kernel as written, so the kernel (not this code) rejects it.
  const size_t room = sizeof(a.ss) - offsetof(sockaddr_un, sun_path);
  size_t n = std::min(path_bytes.size(), room);
  memcpy(un->sun_path, path_bytes.data(), n);
  a.len = offsetof(sockaddr_un, sun_path) + n;
  if (nul_terminate && n < room) a.len += 1;
  return a;
}

// `addrlen(ADDRESS, N)`: N instead of the address's own length.
SockAddr WithLength(const AddressSpec& spec, SockAddr a) {
  if (spec.addrlen && *spec.addrlen < 0) {
    a.len = static_cast<socklen_t>(*spec.addrlen);  // as a C caller's -1
  } else if (spec.addrlen) {
    a.len = static_cast<socklen_t>(
        std::min<size_t>(static_cast<size_t>(*spec.addrlen), sizeof(a.ss)));
  }
  return a;
}

}  // namespace

absl::StatusOr<SockAddr> ResolveAddress(const AddressSpec& spec,
                                        const std::map<int, std::string>& bound,
                                        const std::string& abstract_prefix,
                                        int family) {
  using K = AddressSpec::Kind;
  switch (spec.kind) {
    case K::kPath:
      return WithLength(spec, UnixAddr(spec.name, true));
    case K::kLongPath:
      return WithLength(
          spec, UnixAddr(std::string(spec.length > 0 ? spec.length : 0, 'p'),
                         false));
    case K::kAbstract:
      return WithLength(spec, UnixAddr(absl::StrCat(absl::string_view("\0", 1),
                                                    abstract_prefix, spec.name),
                                       false));
    case K::kUnnamed: {
      SockAddr a;
      a.ss.ss_family = family;
      a.len = sizeof(sa_family_t);
      return WithLength(spec, a);
    }
    case K::kInet4: {
      SockAddr a;
      auto* in = reinterpret_cast<sockaddr_in*>(&a.ss);
      in->sin_family = AF_INET;
      in->sin_port = htons(spec.port);
      in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.len = sizeof(sockaddr_in);
      return WithLength(spec, a);
    }
    case K::kInet6: {
      SockAddr a;
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(spec.port);
      in6->sin6_addr = in6addr_loopback;
      a.len = sizeof(sockaddr_in6);
      return WithLength(spec, a);
    }
    case K::kBoundOf: {
      auto it = bound.find(spec.fd);
      if (it == bound.end() || it->second.size() > sizeof(sockaddr_storage)) {
        return absl::InvalidArgumentError(
            absl::StrCat("fd slot ", spec.fd, " has no recorded address"));
      }
      SockAddr a;
      memcpy(&a.ss, it->second.data(), it->second.size());
      a.len = it->second.size();
      return WithLength(spec, a);
    }
    case K::kUnspec: {
      SockAddr a;
      a.ss.ss_family = AF_UNSPEC;
      a.len = sizeof(sockaddr);
      return WithLength(spec, a);
    }
    case K::kFamily: {
      SockAddr a;
      a.ss.ss_family = static_cast<sa_family_t>(spec.family);
      a.len = sizeof(sa_family_t);
      return WithLength(spec, a);
    }
    case K::kRaw: {
      SockAddr a;
      a.ss.ss_family = static_cast<sa_family_t>(spec.family);
      const size_t n = std::min(spec.name.size(), sizeof(a.ss) - sizeof(sa_family_t));
      memcpy(reinterpret_cast<char*>(&a.ss) + sizeof(sa_family_t), spec.name.data(), n);
      a.len = sizeof(sa_family_t) + n;
      return WithLength(spec, a);
    }
    case K::kBadPointer: {
      // The bytes are never read: AddrPtr passes an unmapped address.
      SockAddr a;
      a.len = sizeof(sockaddr_un);
      return a;
    }
    case K::kNone:
    case K::kAutobind:
      break;
  }
  return absl::InvalidArgumentError("the address names no socket to use");
}

const sockaddr* AddrPtr(const AddressSpec& spec, const SockAddr& a) {
  if (spec.kind == AddressSpec::Kind::kBadPointer) {
    return static_cast<const sockaddr*>(internal::UnmappedAddress());
  }
  return reinterpret_cast<const sockaddr*>(&a.ss);
}

Observation RunCall(const Op& op, SyscallEnv& env) {
  int index = static_cast<int>(op.call);
  internal::Handler h = index >= 0 && index < kCallCount ? Table()[index] : nullptr;
  if (h == nullptr) {
    return internal::HarnessError(
        absl::StrCat("no system call for '", op.text, "'"));
  }
  return h(op, env);
}

int FirstFdArg(const Op& op, const SyscallEnv& env) {
  return PassesFdToKernel(SpecOf(op.call)) ? internal::FdArg(op, env, 0) : -1;
}

bool HasHandler(Call call) {
  int index = static_cast<int>(call);
  return index >= 0 && index < kCallCount && Table()[index] != nullptr;
}

void CloseAll(SyscallEnv& env) {
  for (const auto& [slot, fd] : env.fds) close(fd);
  env.fds.clear();
}

namespace internal {

Observation Errno(int err) {
  Observation o;
  o.ret = -1;
  o.err = err;
  return o;
}

Observation Returned(ssize_t ret) {
  if (ret < 0) return Errno(errno);
  Observation o;
  o.ret = ret;
  return o;
}

RecvIovecs::RecvIovecs(const std::vector<int64_t>& sizes, int64_t max)
    : bufs(sizes.size()), iov(sizes.size()) {
  for (size_t i = 0; i < sizes.size(); ++i) {
    bufs[i].resize(static_cast<size_t>(std::clamp<int64_t>(sizes[i], 0, max)));
    iov[i] = {bufs[i].data(), bufs[i].size()};
  }
}

std::string RecvIovecs::Gathered(size_t n) const {
  std::string out;
  for (const std::string& b : bufs) {
    const size_t take = std::min(n, b.size());
    out.append(b, 0, take);
    n -= take;
  }
  return out;
}

Observation HarnessError(std::string what) {
  Observation o;
  o.ret = -1;
  o.harness_error = std::move(what);
  return o;
}

void* UnmappedAddress() {
  // The last page of the address space is never user memory on Linux:
  // every access through it faults (EFAULT), as LTP's (void *)-1 does.
  return reinterpret_cast<void*>(~uintptr_t{0});
}

void* BufferPtr(const Op& op, void* real) {
  switch (op.buffer) {
    case BufferKind::kReal: return real;
    case BufferKind::kNull: return nullptr;
    case BufferKind::kBad: return UnmappedAddress();
  }
  return real;
}

static void* PtrFor(BufferKind k, void* real) {
  switch (k) {
    case BufferKind::kReal: return real;
    case BufferKind::kNull: return nullptr;
    case BufferKind::kBad: return UnmappedAddress();
  }
  return real;
}

AddrOutArgs AddrOut(const Op& op, sockaddr_storage* ss, socklen_t* len) {
  *len = op.addr_out.len_value ? static_cast<socklen_t>(*op.addr_out.len_value)
                               : sizeof *ss;
  return {static_cast<sockaddr*>(PtrFor(op.addr_out.addr, ss)),
          static_cast<socklen_t*>(PtrFor(op.addr_out.len, len))};
}

int NotOpenFd() {
  // Far above any fd the harness opens; checked, so that `badfd` is EBADF.
  static const int fd = [] {
    int n = 1 << 20;
    while (n > 3 && fcntl(n, F_GETFD) != -1) --n;
    return n;
  }();
  return fd;
}

int FdArg(const Op& op, const SyscallEnv& env, size_t i) {
  if (i >= op.fds.size()) return -1;
  if (op.fds[i] == kBadFdSlot) return NotOpenFd();
  auto it = env.fds.find(op.fds[i]);
  return it == env.fds.end() ? -1 : it->second;
}

Observation MissingFd(const Op& op, size_t i) {
  if (i >= op.fds.size()) {
    return HarnessError(absl::StrCat("'", op.text, "' lacks fd argument ", i));
  }
  return HarnessError(absl::StrCat("fd slot ", op.fds[i],
                                   " is not held by this process"));
}

int64_t IntArg(const Op& op, size_t i, int64_t fallback) {
  return i < op.ints.size() ? op.ints[i] : fallback;
}

int64_t ValueArg(const Op& op, size_t i, const SyscallEnv& env) {
  for (const auto& [index, who] : op.pid_args) {
    if (index != i) continue;
    if (who < 0) return env.harness_pid;
    return static_cast<size_t>(who) < env.peer_pids.size() ? env.peer_pids[who]
                                                           : 0;
  }
  return IntArg(op, i);
}

FileId IdOf(int fd) {
  struct stat st;
  FileId id;
  if (fstat(fd, &st) == 0) {
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  }
  return id;
}

void BindResult(const Op& op, size_t i, int fd, SyscallEnv& env,
                Observation& obs) {
  if (i >= op.results.size()) {
    close(fd);  // the case does not name it: nobody can use or close it
    return;
  }
  int slot = op.results[i];
  auto it = env.fds.find(slot);
  if (it != env.fds.end()) close(it->second);
  env.fds[slot] = fd;
  env.bound.erase(slot);
  obs.ids.emplace_back(slot, IdOf(fd));
}

void RecordBound(int slot, SyscallEnv& env, Observation& obs) {
  auto it = env.fds.find(slot);
  if (it == env.fds.end()) return;
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(it->second, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    return;
  }
  std::string bytes(reinterpret_cast<const char*>(&ss),
                    std::min<size_t>(len, sizeof ss));
  env.bound[slot] = bytes;
  obs.bound.emplace_back(slot, bytes);
}

}  // namespace internal
}  // namespace sockspec
