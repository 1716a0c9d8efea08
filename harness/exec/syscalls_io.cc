// Data transfer calls: read, write, recv, send, recvfrom, sendto, and the
// fill/drain loops that run a non-blocking socket to EAGAIN.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

// Sizes beyond this are a case error the front end should have caught; cap
// them so a typo cannot exhaust memory.
constexpr int64_t kMaxBuffer = 64 << 20;

size_t BufferSize(const Op& op) {
  return static_cast<size_t>(std::clamp<int64_t>(IntArg(op, 0), 0, kMaxBuffer));
}

// A read-like result: `ret` may exceed what was copied (MSG_TRUNC).
Observation Received(ssize_t ret, const std::string& buf) {
  if (ret < 0) return Errno(errno);
  Observation o;
  o.ret = ret;
  o.data = buf.substr(0, std::min<size_t>(ret, buf.size()));
  return o;
}

Observation Sent(ssize_t ret) {
  if (ret < 0) return Errno(errno);
  Observation o;
  o.ret = ret;
  return o;
}

Observation Read(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::string buf(BufferSize(op), '\0');
  return Received(read(s, buf.data(), buf.size()), buf);
}

Observation Write(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  return Sent(write(s, op.data.data(), op.data.size()));
}

Observation Recv(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::string buf(BufferSize(op), '\0');
  return Received(recv(s, buf.data(), buf.size(), IntArg(op, 1)), buf);
}

Observation Send(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  return Sent(send(s, op.data.data(), op.data.size(), IntArg(op, 0)));
}

Observation Recvfrom(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::string buf(BufferSize(op), '\0');
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  ssize_t r = recvfrom(s, buf.data(), buf.size(), IntArg(op, 1),
                       reinterpret_cast<sockaddr*>(&ss), &len);
  Observation o = Received(r, buf);
  if (r >= 0) {
    o.addr = std::string(reinterpret_cast<const char*>(&ss),
                         std::min<size_t>(len, sizeof ss));
  }
  return o;
}

Observation Sendto(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  int domain = AF_UNIX;
  socklen_t dlen = sizeof domain;
  getsockopt(s, SOL_SOCKET, SO_DOMAIN, &domain, &dlen);
  absl::StatusOr<SockAddr> a =
      ResolveAddress(op.addr, env.bound, env.abstract_prefix, domain);
  if (!a.ok()) return HarnessError(std::string(a.status().message()));
  return Sent(sendto(s, op.data.data(), op.data.size(), IntArg(op, 0),
                     reinterpret_cast<const sockaddr*>(&a->ss), a->len));
}

size_t Chunk(const Op& op) {
  return static_cast<size_t>(std::clamp<int64_t>(IntArg(op, 0, 4096), 1, kMaxBuffer));
}

Observation Fill(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::string chunk(Chunk(op), 'f');
  int64_t total = 0;
  for (;;) {
    ssize_t r = write(s, chunk.data(), chunk.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (r < 0) return Errno(errno);
    total += r;
  }
  Observation o;
  o.ret = total;
  return o;
}

Observation Drain(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::string buf(Chunk(op), '\0');
  int64_t total = 0;
  for (;;) {
    ssize_t r = read(s, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (r < 0) return Errno(errno);
    if (r == 0) break;
    total += r;
  }
  Observation o;
  o.ret = total;
  return o;
}

}  // namespace

void RegisterIoCalls(Handler* t) {
  t[static_cast<int>(Call::kRead)] = Read;
  t[static_cast<int>(Call::kWrite)] = Write;
  t[static_cast<int>(Call::kRecv)] = Recv;
  t[static_cast<int>(Call::kSend)] = Send;
  t[static_cast<int>(Call::kRecvfrom)] = Recvfrom;
  t[static_cast<int>(Call::kSendto)] = Sendto;
  t[static_cast<int>(Call::kFill)] = Fill;
  t[static_cast<int>(Call::kDrain)] = Drain;
}

}  // namespace internal
}  // namespace sockspec
