// Data transfer calls: read, write, recv, send, recvfrom, sendto, and the
// fill/drain loops that run a non-blocking socket to EAGAIN.
#include <sys/mman.h>
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

// What a read-like call receives into. A size the harness will not
// allocate (negative: a huge size_t; or past kMaxBuffer) is passed as
// written with 64 KiB of memory followed by an unmapped page, so the kernel
// faults (EFAULT) rather than writing past the buffer.
class RecvBuffer {
 public:
  explicit RecvBuffer(const Op& op) : size_(IntArg(op, 0)) {
    if (size_ >= 0 && size_ <= kMaxBuffer) {
      mem_.assign(static_cast<size_t>(size_), '\0');
      ptr_ = BufferPtr(op, mem_.data());
      return;
    }
    map_ = mmap(nullptr, kGuarded + kPage, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map_ == MAP_FAILED) {
      map_ = nullptr;
      ptr_ = BufferPtr(op, nullptr);
      return;
    }
    mprotect(static_cast<char*>(map_) + kGuarded, kPage, PROT_NONE);
    ptr_ = BufferPtr(op, map_);
  }
  ~RecvBuffer() {
    if (map_ != nullptr) munmap(map_, kGuarded + kPage);
  }
  RecvBuffer(const RecvBuffer&) = delete;
  RecvBuffer& operator=(const RecvBuffer&) = delete;

  void* ptr() const { return ptr_; }
  size_t len() const { return static_cast<size_t>(size_); }
  // The bytes of a successful call that returned `ret`.
  std::string Bytes(ssize_t ret) const {
    if (ret <= 0 || ptr_ == nullptr || ptr_ == UnmappedAddress()) return "";
    const size_t room = map_ != nullptr ? kGuarded : mem_.size();
    return std::string(static_cast<const char*>(ptr_),
                       std::min<size_t>(static_cast<size_t>(ret), room));
  }

 private:
  static constexpr size_t kGuarded = 64 << 10;
  static constexpr size_t kPage = 4096;
  int64_t size_;
  std::string mem_;
  void* map_ = nullptr;
  void* ptr_ = nullptr;
};

Observation ReceivedInto(ssize_t ret, const RecvBuffer& buf) {
  Observation o = Returned(ret);
  o.data = buf.Bytes(ret);
  return o;
}

// The bytes a send-like call passes: op.data, or a NULL or unmapped
// pointer with op.buffer_length.
const void* SendPtr(const Op& op) {
  return BufferPtr(op, const_cast<char*>(op.data.data()));
}
size_t SendLen(const Op& op) {
  return op.buffer == BufferKind::kReal ? op.data.size()
                                        : static_cast<size_t>(op.buffer_length);
}

Observation Read(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  RecvBuffer buf(op);
  return ReceivedInto(read(s, buf.ptr(), buf.len()), buf);
}

Observation Write(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  return Returned(write(s, SendPtr(op), SendLen(op)));
}

Observation Recv(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  RecvBuffer buf(op);
  return ReceivedInto(recv(s, buf.ptr(), buf.len(), IntArg(op, 1)), buf);
}

Observation Send(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  return Returned(send(s, SendPtr(op), SendLen(op), IntArg(op, 0)));
}

Observation Recvfrom(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  RecvBuffer buf(op);
  sockaddr_storage ss{};
  socklen_t len = 0;
  const AddrOutArgs out = AddrOut(op, &ss, &len);
  ssize_t r = recvfrom(s, buf.ptr(), buf.len(), IntArg(op, 1), out.addr, out.len);
  Observation o = ReceivedInto(r, buf);
  if (r >= 0 && out.addr == reinterpret_cast<sockaddr*>(&ss) && out.len == &len) {
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
  return Returned(sendto(s, SendPtr(op), SendLen(op), IntArg(op, 0),
                     AddrPtr(op.addr, *a), a->len));
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
