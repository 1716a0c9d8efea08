// Calls that move several buffers at once: readv/writev (several iovecs, one
// record) and recvmmsg/sendmmsg (several messages, one call).
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

constexpr int64_t kMaxVecBuffer = 16 << 20;  // per iovec or message
constexpr size_t kMaxVec = 1024;             // UIO_MAXIOV

// readv(fd, size, size, ...): ints are the iovec sizes; the result is the
// bytes of all iovecs in order (the iovecs fill one after the other).
Observation Readv(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  const size_t n = std::min(op.ints.size(), kMaxVec);
  const RecvIovecs in({op.ints.begin(), op.ints.begin() + n}, kMaxVecBuffer);
  ssize_t r = readv(s, in.iov.data(), static_cast<int>(n));
  Observation o = Returned(r);
  if (r > 0) o.data = in.Gathered(static_cast<size_t>(r));
  return o;
}

// Splits op.data into the pieces whose lengths are ints[first...].
std::vector<iovec> Pieces(const Op& op, size_t first) {
  std::vector<iovec> out;
  size_t at = 0;
  for (size_t i = first; i < op.ints.size(); ++i) {
    size_t len = std::min(static_cast<size_t>(std::max<int64_t>(op.ints[i], 0)),
                          op.data.size() - at);
    out.push_back({const_cast<char*>(op.data.data()) + at, len});
    at += len;
  }
  return out;
}

Observation Writev(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::vector<iovec> iov = Pieces(op, 0);
  return Returned(
      writev(s, iov.data(), static_cast<int>(std::min(iov.size(), kMaxVec))));
}

// recvmmsg(fd, vlen, size, flags[, timeout_ms]): vlen messages of `size`
// bytes each; a timeout of -1 passes NULL.
Observation Recvmmsg(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  const size_t vlen = static_cast<size_t>(
      std::clamp<int64_t>(IntArg(op, 0), 0, static_cast<int64_t>(kMaxVec)));
  const size_t size =
      static_cast<size_t>(std::clamp<int64_t>(IntArg(op, 1), 0, kMaxVecBuffer));
  const int64_t timeout_ms = IntArg(op, 3, -1);
  RecvIovecs in(std::vector<int64_t>(vlen, static_cast<int64_t>(size)),
                kMaxVecBuffer);
  std::vector<mmsghdr> msgs(vlen);
  for (size_t i = 0; i < vlen; ++i) {
    msgs[i].msg_hdr.msg_iov = &in.iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  timespec ts = {static_cast<time_t>(timeout_ms / 1000),
                 static_cast<long>((timeout_ms % 1000) * 1000000)};
  int r = recvmmsg(s, msgs.data(), static_cast<unsigned>(vlen),
                   static_cast<int>(IntArg(op, 2)),
                   timeout_ms >= 0 ? &ts : nullptr);
  Observation o = Returned(r);
  for (int i = 0; i < r && static_cast<size_t>(i) < vlen; ++i) {
    Observation::MessageResult m;
    m.len = msgs[i].msg_len;
    m.data = in.bufs[i].substr(0, std::min<size_t>(msgs[i].msg_len, size));
    m.flags = msgs[i].msg_hdr.msg_flags;
    o.messages.push_back(std::move(m));
  }
  return o;
}

// sendmmsg(fd, flags, data, iov(data, data), ...): one message per data
// argument; ints after the flags are, per message, its iovec count and
// their lengths.
Observation Sendmmsg(const Op& op, SyscallEnv& env) {
  int s = FdArg(op, env, 0);
  if (s < 0) return MissingFd(op, 0);
  std::vector<size_t> counts;
  std::vector<int64_t> lens;
  for (size_t i = 1; i < op.ints.size() && counts.size() < kMaxVec;) {
    size_t n = static_cast<size_t>(std::max<int64_t>(op.ints[i], 0));
    n = std::min(n, op.ints.size() - i - 1);
    counts.push_back(n);
    lens.insert(lens.end(), op.ints.begin() + i + 1, op.ints.begin() + i + 1 + n);
    i += n + 1;
  }
  Op flat;
  flat.data = op.data;
  flat.ints = lens;
  std::vector<iovec> iov = Pieces(flat, 0);
  std::vector<mmsghdr> msgs(counts.size());
  for (size_t m = 0, at = 0; m < counts.size(); at += counts[m], ++m) {
    msgs[m].msg_hdr.msg_iov = iov.data() + std::min(at, iov.size());
    msgs[m].msg_hdr.msg_iovlen = std::min(counts[m], iov.size() - std::min(at, iov.size()));
  }
  int r = sendmmsg(s, msgs.data(), static_cast<unsigned>(msgs.size()),
                   static_cast<int>(IntArg(op, 0)));
  Observation o = Returned(r);
  for (int i = 0; i < r && static_cast<size_t>(i) < msgs.size(); ++i) {
    Observation::MessageResult m;
    m.len = msgs[i].msg_len;
    o.messages.push_back(std::move(m));
  }
  return o;
}

}  // namespace

void RegisterVectorCalls(Handler* t) {
  t[static_cast<int>(Call::kReadv)] = Readv;
  t[static_cast<int>(Call::kWritev)] = Writev;
  t[static_cast<int>(Call::kRecvmmsg)] = Recvmmsg;
  t[static_cast<int>(Call::kSendmmsg)] = Sendmmsg;
}

}  // namespace internal
}  // namespace sockspec
