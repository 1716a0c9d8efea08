// A test-only LD_PRELOAD library that breaks one documented AF_UNIX socket
// behaviour, chosen by SOCKSPEC_FAULT, so the case suite can show that it
// notices (faults/faults_test.sh). It wraps libc's socket I/O entry points,
// which the harness calls by name, and touches only fds that fstat() says
// are sockets: the harness's control pipes and /proc reads pass untouched.
//
//   LD_PRELOAD=libfault_preload.so SOCKSPEC_FAULT=merge-datagrams
//       sockspec run --jobs=2 cases
//
// Unset or empty SOCKSPEC_FAULT: every call is passed through unchanged.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace sockspec {
namespace faults {
namespace {

enum class Fault {
  kNone,
  kMergeDatagrams,      // two queued datagrams come back from one read
  kDropEof,             // end of file on a connection reads as EAGAIN
  kNoSigpipe,           // writes to a closed peer raise no SIGPIPE
  kTruncateWithoutFlag, // a truncated datagram's MSG_TRUNC is cleared
  kReorderBytes,        // a stream read swaps its first two bytes
  kWrongErrno,          // ECONNRESET reads as end of file (0)
  kPeekConsumes,        // MSG_PEEK is ignored: peeking consumes the data
  kPollNoHup,           // poll never reports POLLHUP on a socket
  // Faults that hang: the suite must name the hung step at once, not wait.
  kReadFull,            // a blocking stream read never returns short: it
                        // keeps reading until it has the full count
  kIgnoreDontwait,      // MSG_DONTWAIT is ignored on a blocking socket
};

Fault ParseFault() {
  const char* f = getenv("SOCKSPEC_FAULT");
  if (f == nullptr || *f == '\0') return Fault::kNone;
  static const std::pair<const char*, Fault> kNames[] = {
      {"merge-datagrams", Fault::kMergeDatagrams},
      {"drop-eof", Fault::kDropEof},
      {"no-sigpipe", Fault::kNoSigpipe},
      {"truncate-without-flag", Fault::kTruncateWithoutFlag},
      {"reorder-bytes", Fault::kReorderBytes},
      {"wrong-errno", Fault::kWrongErrno},
      {"peek-consumes", Fault::kPeekConsumes},
      {"poll-no-hup", Fault::kPollNoHup},
      {"read-full", Fault::kReadFull},
      {"ignore-dontwait", Fault::kIgnoreDontwait},
  };
  for (const auto& [name, fault] : kNames) {
    if (strcmp(f, name) == 0) return fault;
  }
  // A misspelt fault must not pass as "the suite stayed green".
  static const char kMsg[] = "fault_preload: unknown SOCKSPEC_FAULT\n";
  (void)!write(2, kMsg, sizeof kMsg - 1);
  _exit(99);
}

Fault Active() {
  static const Fault fault = ParseFault();
  return fault;
}

template <typename F>
F Next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

using ReadFn = ssize_t (*)(int, void*, size_t);
using WriteFn = ssize_t (*)(int, const void*, size_t);
using RecvFn = ssize_t (*)(int, void*, size_t, int);
using RecvfromFn = ssize_t (*)(int, void*, size_t, int, sockaddr*, socklen_t*);
using RecvmsgFn = ssize_t (*)(int, msghdr*, int);
using SendFn = ssize_t (*)(int, const void*, size_t, int);
using SendtoFn = ssize_t (*)(int, const void*, size_t, int, const sockaddr*, socklen_t);
using SendmsgFn = ssize_t (*)(int, const msghdr*, int);
using PollFn = int (*)(pollfd*, nfds_t, int);

RecvfromFn RealRecvfrom() {
  static const RecvfromFn f = Next<RecvfromFn>("recvfrom");
  return f;
}

// The socket type of `fd` (SOCK_STREAM, ...), or 0 if it is not a socket.
int SocketType(int fd) {
  struct stat st;
  const int saved = errno;
  int type = 0;
  socklen_t len = sizeof type;
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
      getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    type = 0;
  }
  errno = saved;
  return type;
}

bool IsMessageType(int type) { return type == SOCK_DGRAM || type == SOCK_SEQPACKET; }

// The faults every receive shares, applied to a finished receive of `r`
// bytes into `buf` (capacity `len`) with `flags`.
ssize_t AfterReceive(int fd, int type, void* buf, size_t len, int flags, ssize_t r,
                     msghdr* msg) {
  switch (Active()) {
    case Fault::kMergeDatagrams:
      if (IsMessageType(type) && r > 0 && static_cast<size_t>(r) < len &&
          (flags & (MSG_PEEK | MSG_TRUNC)) == 0 &&
          (msg == nullptr || (msg->msg_flags & MSG_TRUNC) == 0)) {
        const int saved = errno;
        ssize_t more = RealRecvfrom()(fd, static_cast<char*>(buf) + r, len - r,
                                      MSG_DONTWAIT, nullptr, nullptr);
        errno = saved;
        if (more > 0) r += more;
      }
      break;
    case Fault::kDropEof:
      if ((type == SOCK_STREAM || type == SOCK_SEQPACKET) && r == 0 && len > 0) {
        errno = EAGAIN;
        return -1;
      }
      break;
    case Fault::kReorderBytes:
      if (type == SOCK_STREAM && r >= 2 && (flags & MSG_TRUNC) == 0) {
        char* p = static_cast<char*>(buf);
        std::swap(p[0], p[1]);
      }
      break;
    case Fault::kWrongErrno:
      if (r < 0 && errno == ECONNRESET) return 0;
      break;
    case Fault::kTruncateWithoutFlag:
      if (msg != nullptr && r >= 0) msg->msg_flags &= ~MSG_TRUNC;
      break;
    default:
      break;
  }
  return r;
}

int RecvFlags(int flags) {
  switch (Active()) {
    case Fault::kPeekConsumes: return flags & ~MSG_PEEK;
    case Fault::kIgnoreDontwait: return flags & ~MSG_DONTWAIT;
    default: return flags;
  }
}

int SendFlags(int fd, int flags) {
  switch (Active()) {
    case Fault::kNoSigpipe: return SocketType(fd) != 0 ? flags | MSG_NOSIGNAL : flags;
    case Fault::kIgnoreDontwait: return SocketType(fd) != 0 ? flags & ~MSG_DONTWAIT : flags;
    default: return flags;
  }
}

bool Blocking(int fd) {
  const int saved = errno;
  const int fl = fcntl(fd, F_GETFL);
  errno = saved;
  return fl >= 0 && (fl & O_NONBLOCK) == 0;
}

// kReadFull: after a short read `r` of a blocking stream read, reads on
// until `len` bytes, end of file or an error (what MSG_WAITALL asks for, on
// every read). A read that would have returned what was there sleeps.
template <typename ReadMore>
ssize_t ReadOn(int fd, int type, int flags, size_t len, ssize_t r, ReadMore more) {
  if (Active() != Fault::kReadFull || type != SOCK_STREAM || r <= 0 ||
      (flags & (MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC)) != 0 || !Blocking(fd)) {
    return r;
  }
  while (static_cast<size_t>(r) < len) {
    ssize_t m = more(static_cast<size_t>(r));
    if (m <= 0) break;
    r += m;
  }
  return r;
}

}  // namespace
}  // namespace faults
}  // namespace sockspec

using namespace sockspec::faults;  // NOLINT: the exported C symbols below

extern "C" {

ssize_t read(int fd, void* buf, size_t len) {
  static const ReadFn real = Next<ReadFn>("read");
  const int type = Active() == Fault::kNone ? 0 : SocketType(fd);
  if (type == 0) return real(fd, buf, len);
  ssize_t r = real(fd, buf, len);
  r = ReadOn(fd, type, 0, len, r,
             [&](size_t got) { return real(fd, static_cast<char*>(buf) + got, len - got); });
  return AfterReceive(fd, type, buf, len, 0, r, nullptr);
}

ssize_t recv(int fd, void* buf, size_t len, int flags) {
  static const RecvFn real = Next<RecvFn>("recv");
  const int type = Active() == Fault::kNone ? 0 : SocketType(fd);
  if (type == 0) return real(fd, buf, len, flags);
  ssize_t r = real(fd, buf, len, RecvFlags(flags));
  r = ReadOn(fd, type, RecvFlags(flags), len, r, [&](size_t got) {
    return real(fd, static_cast<char*>(buf) + got, len - got, RecvFlags(flags));
  });
  return AfterReceive(fd, type, buf, len, flags, r, nullptr);
}

ssize_t recvfrom(int fd, void* buf, size_t len, int flags, sockaddr* addr,
                 socklen_t* addrlen) {
  const int type = Active() == Fault::kNone ? 0 : SocketType(fd);
  if (type == 0) return RealRecvfrom()(fd, buf, len, flags, addr, addrlen);
  ssize_t r = RealRecvfrom()(fd, buf, len, RecvFlags(flags), addr, addrlen);
  r = ReadOn(fd, type, RecvFlags(flags), len, r, [&](size_t got) {
    return RealRecvfrom()(fd, static_cast<char*>(buf) + got, len - got,
                          RecvFlags(flags), nullptr, nullptr);
  });
  return AfterReceive(fd, type, buf, len, flags, r, nullptr);
}

ssize_t recvmsg(int fd, msghdr* msg, int flags) {
  static const RecvmsgFn real = Next<RecvmsgFn>("recvmsg");
  const int type = Active() == Fault::kNone ? 0 : SocketType(fd);
  if (type == 0) return real(fd, msg, flags);
  ssize_t r = real(fd, msg, RecvFlags(flags));
  if (msg->msg_iovlen != 1) return r;  // the harness uses one buffer
  r = ReadOn(fd, type, RecvFlags(flags), msg->msg_iov[0].iov_len, r, [&](size_t got) {
    return RealRecvfrom()(fd, static_cast<char*>(msg->msg_iov[0].iov_base) + got,
                          msg->msg_iov[0].iov_len - got, RecvFlags(flags), nullptr,
                          nullptr);
  });
  return AfterReceive(fd, type, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len,
                      flags, r, msg);
}

ssize_t write(int fd, const void* buf, size_t len) {
  static const WriteFn real = Next<WriteFn>("write");
  static const SendFn send_real = Next<SendFn>("send");
  if (Active() != Fault::kNoSigpipe || SocketType(fd) == 0) return real(fd, buf, len);
  return send_real(fd, buf, len, MSG_NOSIGNAL);
}

ssize_t send(int fd, const void* buf, size_t len, int flags) {
  static const SendFn real = Next<SendFn>("send");
  return real(fd, buf, len, SendFlags(fd, flags));
}

ssize_t sendto(int fd, const void* buf, size_t len, int flags, const sockaddr* addr,
               socklen_t addrlen) {
  static const SendtoFn real = Next<SendtoFn>("sendto");
  return real(fd, buf, len, SendFlags(fd, flags), addr,
              addrlen);
}

ssize_t sendmsg(int fd, const msghdr* msg, int flags) {
  static const SendmsgFn real = Next<SendmsgFn>("sendmsg");
  return real(fd, msg, SendFlags(fd, flags));
}

int poll(pollfd* fds, nfds_t n, int timeout) {
  static const PollFn real = Next<PollFn>("poll");
  int r = real(fds, n, timeout);
  if (Active() != Fault::kPollNoHup || r <= 0) return r;
  for (nfds_t i = 0; i < n; ++i) {
    if ((fds[i].revents & POLLHUP) == 0 || SocketType(fds[i].fd) == 0) continue;
    fds[i].revents &= ~POLLHUP;
    if (fds[i].revents == 0) --r;  // only POLLHUP made this fd ready
  }
  return r;
}

}  // extern "C"
