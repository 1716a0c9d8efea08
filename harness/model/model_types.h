// The vocabulary of the reference model (harness/model.h): socket types, the
// operations on the two ends of a socketpair and their observed results, and
// how they print in traces ("read(b, 10, MSG_PEEK) = 5").
#ifndef SOCKSPEC_HARNESS_MODEL_MODEL_TYPES_H_
#define SOCKSPEC_HARNESS_MODEL_MODEL_TYPES_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

// Code whose branches give libFuzzer no signal the model's do not stay out
// of its coverage and comparison instrumentation: hot loops over data bytes,
// and the runner that makes the system calls (fuzz_ops.cc,
// fuzz_sockets.cc), whose branches on the operation and on the result
// mirror the model's. libFuzzer's cost per input grows with the features
// (edges and hit counts) an input reaches, most of it in its entropic
// bookkeeping, so edges that only repeat the model's cost time and guide
// nothing.
#if defined(__clang__)
#define SOCKSPEC_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define SOCKSPEC_NO_COVERAGE
#endif

namespace sockspec::model {

enum class SockType { kStream, kDgram, kSeqpacket };

// SOCK_STREAM for kStream, and so on.
int SockTypeValue(SockType type);
// "SOCK_STREAM".
const char* SockTypeName(SockType type);

enum class OpKind {
  kWrite,
  kRead,
  kShutdown,
  kClose,
  kSetSndbuf,
  kPoll,
  kGetError,  // getsockopt(SO_ERROR): reads and clears the pending error
  kInq,       // ioctl(SIOCINQ): bytes queued to read (DGRAM: the first message)
  kSetPasscred,  // setsockopt(SO_PASSCRED, value)
  kEpoll,     // epoll_wait(timeout 0) of a level-triggered epoll set of the end
  kGetOpt,    // getsockopt(SOL_SOCKET, option): an option read back
  kSetPeekOff,  // setsockopt(SO_PEEK_OFF, value)
  // Named sockets (harness/model/world.h), on the sockets s2..s7 that
  // socket() and accept() make beside the pair a, b:
  kSocket,   // socket(AF_UNIX, value, 0) into socket `slot`
  kBind,     // bind(end, name): a kNames entry or kAutobind
  kListen,   // listen(end, value)
  kConnect,  // connect(end, name)
  kAccept,   // accept(end) into socket `slot`
  kGetName,  // getsockname(end), or getpeername(end) when how == 1
  kSendTo,    // sendto(end, size bytes, flags, name)
  kRecvFrom,  // recvmsg(end, size, flags) with msg_name: value is the sender
  // Out-of-band data (model_oob.cc), on the pair a, b. A write or read with
  // MSG_OOB in `flags` is send(2) / recvmsg(2) of urgent data; these three
  // read its mark, set its option and watch for edges:
  kAtMark,       // ioctl(SIOCATMARK): value is the answer (0 or 1)
  kSetOobInline,  // setsockopt(SO_OOBINLINE, value)
  kEpollEt,  // epoll_wait(timeout 0) of the end's own edge-triggered epoll
             // set (EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLPRI|EPOLLET), made at
             // the end's first kEpollEt and kept
  // A new operation goes here: kLastOpKind and ScopeOf (below) name it.
};

// Which part of the model judges an operation, and on which sockets the
// fuzzers decode it (fuzz_ops.h): the seams the switches over OpKind share.
// A new OpKind is stated here and in the switches that act on it; code that
// acts on a few operations names only those, and asks ScopeOf where the
// seam is a scope. For example World::Check hands every operation that is
// not kWorld to its socket's connection or to its own socket rules, and
// those rules refuse a kPair operation as not modelled.
enum class OpScope {
  // On any socket: the pair a, b (Model) and a named socket s2..s7, where
  // World judges it itself on a socket without a connection
  // (CheckLoneSocketOp) and on a datagram socket (CheckDgramOp).
  kAnySocket,
  // On the pair a, b only (fuzz_ops.h decodes them nowhere else): Model's.
  kPair,
  // Names and the socket table: World's alone; Model has no names.
  kWorld,
};
// The case labels of the kWorld operations, for ScopeOf and for the pair
// model's exhaustive switches (Model::CheckOp, AllowedResults, ExecuteOp),
// which leave them to World: a new World operation is added here once, and
// the compiler still checks every switch. Write `SOCKSPEC_WORLD_OP_CASES:`
// where `OpKind` names model::OpKind.
#define SOCKSPEC_WORLD_OP_CASES \
  case OpKind::kSocket:         \
  case OpKind::kBind:           \
  case OpKind::kListen:         \
  case OpKind::kConnect:        \
  case OpKind::kAccept:         \
  case OpKind::kGetName:        \
  case OpKind::kSendTo:         \
  case OpKind::kRecvFrom

// The last OpKind, for tests that walk them all.
constexpr OpKind kLastOpKind = OpKind::kEpollEt;

// The scope of `kind` (every OpKind has exactly one).
constexpr OpScope ScopeOf(OpKind kind) {
  switch (kind) {
    case OpKind::kWrite:
    case OpKind::kRead:
    case OpKind::kClose:
    case OpKind::kPoll:
    case OpKind::kGetError:
    case OpKind::kInq:
      return OpScope::kAnySocket;
    case OpKind::kShutdown:
    case OpKind::kSetSndbuf:
    case OpKind::kSetPasscred:
    case OpKind::kEpoll:
    case OpKind::kGetOpt:
    case OpKind::kSetPeekOff:
    case OpKind::kAtMark:
    case OpKind::kSetOobInline:
    case OpKind::kEpollEt:
      return OpScope::kPair;
    SOCKSPEC_WORLD_OP_CASES:
      return OpScope::kWorld;
  }
  return OpScope::kWorld;
}

// The events a kEpollEt operation asks for (EPOLLET aside).
constexpr short kEpollEtEvents = 0x001 | 0x002 | 0x004 | 0x2000;  // IN|PRI|OUT|RDHUP

// The options kGetOpt reads back (ModelOp::value is one of these).
enum class SockOpt { kSndbuf, kRcvbuf, kType, kPasscred, kPeekOff, kDomain };
constexpr int kSockOpts = 6;
// SO_SNDBUF for kSndbuf, and so on; "SO_SNDBUF" for its name.
int SockOptValue(SockOpt opt);
const char* SockOptName(SockOpt opt);

// Fds passed with SCM_RIGHTS are "tokens": kFdTokens open files the fuzzers
// keep (fuzz_ops.h FdTokens). The i-th fd of a write whose data starts at
// stream offset `offset` is token RightsToken(offset, i), so a received fd
// names the message it came from.
constexpr int kFdTokens = 8;
constexpr int kMaxRights = 4;  // fds one write passes at most
inline int RightsToken(uint64_t offset, int i) {
  return static_cast<int>((offset + static_cast<uint64_t>(i)) % kFdTokens);
}

// The credentials a read's SCM_CREDENTIALS carried.
enum class Creds : uint8_t {
  kNone,     // no SCM_CREDENTIALS message
  kSelf,     // this process's pid, uid and gid
  kNobody,   // pid 0, the overflow uid and gid: sent with no one asking
  kZero,     // pid 0, uid 0, gid 0: a stream EOF read's empty credentials
  kOther,    // anything else
  kCut,      // cut short by the control buffer: too few bytes to tell
};
const char* CredsName(Creds c);

// The names a fuzz program binds and connects to: 0..3 are pathnames in the
// runner's private directory ("p0"), 4..7 abstract names unique to the runner
// ("a0"), kAutobind is bind with the family alone (the kernel picks an
// abstract name of 5 hex digits).
constexpr int kNames = 8;
constexpr int kAutobind = kNames;
// connect to an AF_UNSPEC address: a datagram socket's disconnect.
constexpr int kUnspec = kNames;
// The number of sockets a program can hold: the pair a, b and s2..s7.
constexpr int kMaxSockets = 8;
// What kGetName reports in Observed::value, the same on every system:
// kUnnamed, a name index (0..7), kAutobindOf + the socket that autobound
// to the name, or kUnknownName.
constexpr int kUnnamed = -1;
constexpr int kAutobindOf = 16;
constexpr int kUnknownName = 99;
// "p0", "a3", "autobind", "autobind(s2)", "unnamed", "unknown".
std::string NameString(int name);

// Which system call carries a write or read. kPlain is write(2)/read(2),
// which take no flags.
enum class IoCall { kSend, kPlain, kMsg };

// One operation on end 0 ("a") or 1 ("b") of the pair, or on a named
// socket 2..7 ("s2"; world.h).
struct ModelOp {
  OpKind kind = OpKind::kPoll;
  int end = 0;
  size_t size = 0;            // kWrite, kRead: the length passed
  int flags = 0;              // kWrite, kRead: MSG_* flags
  IoCall call = IoCall::kMsg;  // kWrite, kRead
  int how = 0;                // kShutdown: SHUT_RD, SHUT_WR or SHUT_RDWR
  int value = 0;  // kSetSndbuf, kSetPasscred, kSetPeekOff: the value; kGetOpt: a SockOpt
  // kRead: made on a blocking socket without MSG_DONTWAIT (blocking_fuzzer;
  // ops_fuzzer's sockets are non-blocking): where a non-blocking read fails
  // EAGAIN this one sleeps, and a few answers differ (model_read.cc).
  // kWrite: a write that slept on a full buffer, judged where it wakes: on a
  // stream it answers from sock_alloc_send_pskb's wait, so a pending
  // ECONNRESET comes first and EPIPE raises no SIGPIPE (model.cc).
  bool blocking = false;
  // kWrite (sendmsg): fds passed with SCM_RIGHTS, 0..kMaxRights. The model
  // takes a stream write with rights to be one skb (ops_fuzzer's are at most
  // 255 bytes).
  int rights = 0;
  // kRead (recvmsg): bytes of control buffer; 0 passes msg_control NULL.
  int control = 0;
  int name = 0;  // kBind, kConnect: a name index or kAutobind
  int slot = 0;  // kSocket, kAccept: the socket the new one becomes (2..7)

  static ModelOp Write(int end, size_t size, int flags = 0,
                  IoCall call = IoCall::kSend);
  static ModelOp Read(int end, size_t size, int flags = 0,
                 IoCall call = IoCall::kMsg);
  static ModelOp Shutdown(int end, int how);
  static ModelOp Close(int end);
  static ModelOp SetSndbuf(int end, int value);
  static ModelOp Poll(int end);
  static ModelOp GetError(int end);
  static ModelOp Inq(int end);
  static ModelOp WriteRights(int end, size_t size, int flags, int rights);
  static ModelOp ReadControl(int end, size_t size, int flags, int control);
  static ModelOp SetPasscred(int end, int value);
  static ModelOp Epoll(int end);
  static ModelOp GetOpt(int end, SockOpt opt);
  static ModelOp SetPeekOff(int end, int value);
  static ModelOp Socket(int slot, SockType type);
  static ModelOp Bind(int end, int name);
  static ModelOp Listen(int end, int backlog);
  static ModelOp Connect(int end, int name);
  static ModelOp Accept(int end, int slot);
  static ModelOp GetName(int end, bool peer);
  static ModelOp SendTo(int end, size_t size, int flags, int name);
  static ModelOp RecvFrom(int end, size_t size, int flags);
  // send(end, size bytes, MSG_OOB | flags); recvmsg(end, size, MSG_OOB,
  // and MSG_PEEK when `peek`) with no control buffer.
  static ModelOp WriteOob(int end, size_t size, int flags);
  static ModelOp ReadOob(int end, size_t size, bool peek);
  static ModelOp AtMark(int end);
  static ModelOp SetOobInline(int end, int value);
  static ModelOp EpollEt(int end);

  // "sendmsg(a, 100, MSG_DONTWAIT|MSG_NOSIGNAL)", "shutdown(b, SHUT_WR)".
  std::string ToString() const;
};

// The events a kPoll operation asks for.
constexpr short kPollEvents = 0x001 | 0x004 | 0x2000;  // IN | OUT | RDHUP

// What the kernel answered.
struct Observed {
  ssize_t ret = 0;
  int err = 0;        // errno when ret < 0
  int msg_flags = 0;  // recvmsg's msg_flags
  // kRead: the bytes placed in the buffer (min(ret, size) of them).
  absl::Span<const uint8_t> data;
  bool sigpipe = false;  // kWrite: a SIGPIPE was raised by the call
  short revents = 0;     // kPoll, kEpoll, kEpollEt (0 when none reported)
  int sndbuf = 0;        // kSetSndbuf: SO_SNDBUF read back afterwards
  int value = 0;  // kGetError: the SO_ERROR read; kInq: the count; kGetOpt:
                  // the option; kGetName, kRecvFrom: the name (kUnnamed, ...);
                  // kAtMark: SIOCATMARK's answer
  // kRead (recvmsg with a control buffer): the fds that arrived, each as its
  // token (kFdTokens for a file that is no token), and the credentials with
  // the length of their data (12 whole, less when the buffer cut them).
  int nfds = 0;
  uint8_t fd_tokens[kMaxRights] = {};
  Creds creds = Creds::kNone;
  int creds_len = 0;
  // kSocket, kAccept: ret is the new socket's index (2..7), not its fd, so
  // that results compare between systems.

  // The result part of a trace line, for `op`: "5", "-1 EAGAIN",
  // "-1 EPIPE + SIGPIPE", "5 msg_flags=MSG_TRUNC", "POLLIN|POLLOUT".
  std::string ToString(const ModelOp& op) const;
};

// " rights(3,4) cred(self)", or "" when nothing arrived.
std::string AncillaryString(const Observed& obs);
// Whether the two carry the same fds and credentials.
bool SameAncillary(const Observed& x, const Observed& y);

// "MSG_PEEK|MSG_TRUNC", or "0".
std::string MsgFlagsString(int flags);
// "POLLIN|POLLHUP", or "0".
std::string PollEventsString(short events);
// "a" or "b".
inline char EndName(int end) { return end == 0 ? 'a' : 'b'; }
// "a", "b", or "s2".."s7" for a named socket.
std::string SocketName(int end);

}  // namespace sockspec::model

#endif  // SOCKSPEC_HARNESS_MODEL_MODEL_TYPES_H_
