// The call table: everything the harness knows about each Call in one entry
// (its name, arguments, results, fds made or closed, blocking, handler family).
// The validator, lowering, the executor's dispatch and the printers read it.
//
//   const CallSpec* spec = FindCall("read");  // {kRead, (fd, size), kData}
//   if (SpecOf(op.call).blocking == Blocking::kOnSocket) ...
//
// Adding a call: its Call enumerator (plan.h), its entry in calls.cc's
// Describe (the compiler names a missing case), its handler registered in a
// syscalls_<family>.cc, and its tests. calls_test checks the table is whole.
#ifndef SOCKSPEC_HARNESS_PLAN_CALLS_H_
#define SOCKSPEC_HARNESS_PLAN_CALLS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/plan.h"
#include "harness/os/symbols.h"

namespace sockspec {

enum class ArgKind {
  kFd,        // a, c[], c[2]
  kInt,       // 10
  kSymbols,   // AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK, 0
  kData,      // m1, m1[0:10], "x", m1 + m2
  kAddress,   // path("srv"), abstract("x"), unnamed, loopback4, addr(l)
  kPairKind,  // socketpair, pathname, abstract, inet4, inet6
  kFdSet,     // select's sets: readfds(a, b), writefds(), exceptfds(a)
  kValue,     // as kSymbols, or pid(PEER) / pid(harness): Op::pid_args
  kOptValue,  // setsockopt's value in its option's shape: 1, timeval(1, 0),
              // linger(on, 5), or a string of raw bytes; goes to Op::data
  kOptlen,    // `optlen=N` (0..65536): the optlen passed; fallback -1, the
              // option's natural size
  kPeer,      // A, Server: a peer's index (kill's target)
  kText,      // a string literal, to Op::data: sysctl("net/core/somaxconn")
};

struct ArgSpec {
  const char* name;  // for messages: "size"
  ArgKind kind;
  std::vector<SymbolKind> symbols;  // kSymbols: the kinds allowed
  // An optional kInt/kSymbols argument left out: this value goes to
  // Op::ints in its place, so ints always has the call's layout.
  std::optional<int64_t> fallback = std::nullopt;
};

enum class ResultKind {
  kCount,    // a return value: 0, 100, 1..4096, any
  kFd,       // a new fd name
  kFdPair,   // two new fd names
  kData,     // received bytes
  kRevents,  // poll's revents
  kValue,    // getsockopt, ioctl, fcntl: an int, a symbol, cred(B)
  kAddress,  // getsockname/getpeername
  kReady,    // epoll_wait: events(a=EPOLLIN, ...); select: readfds(a) ...
  kMessages, // recvmmsg/sendmmsg: a count, or one msg(...) per message
};

// Whether the call can sleep in the kernel.
enum class Blocking {
  kNever,      // bind, close, getsockopt...
  kOnSocket,   // read, send, accept, connect...: unless the fd is
               // O_NONBLOCK or the flags hold MSG_DONTWAIT
  kOnTimeout,  // poll, for its timeout
};

// Which handler file runs the call (syscalls_<family>.cc), or none: the
// coordination steps are the executor's own.
enum class CallFamily {
  kSocket, kIo, kMsg, kCtl, kProc, kEpoll, kSignal, kCoordination
};

// recvmsg/sendmsg take `rights=N` / `creds` / `rights(f)` / `creds(A)`
// after their positional arguments.
enum class Ancillary { kNone, kReceive, kSend };

struct CallSpec {
  const char* name = "";  // as a case writes it: "read"
  Call call = Call::kRead;
  CallFamily family = CallFamily::kCoordination;
  std::vector<ArgSpec> args;      // required, in order
  std::vector<ArgSpec> optional;  // may follow, in order
  // Appended to Op::ints after the arguments and their fallbacks; the
  // ancillary arguments overwrite them (recvmsg: rights capacity -1, creds 0).
  std::vector<int64_t> extra_ints;
  ResultKind result = ResultKind::kCount;
  Ancillary ancillary = Ancillary::kNone;
  Blocking blocking = Blocking::kNever;
  // The Op::ints index of a MSG_ flags argument, or -1.
  int msg_flags_int = -1;
  // The call consumes its fd argument (close): later steps may not use it.
  bool closes_fd = false;
  // A result may name the sender (`from ADDRESS`): recvfrom, recvmsg, accept.
  bool source_address = false;
  // The call's first fd must be a socket for it to succeed (bind, recv,
  // getsockopt...: ENOTSOCK on an epoll fd); false for calls that take any
  // fd (read, close, poll...) or none.
  bool needs_socket = false;
  // The call is a step only a peer runs (raise, drop_privileges, fork, and
  // the coordination steps): the harness itself must stay as it is.
  bool peer_only = false;
  // The first fd argument reaches the kernel as an fd argument (what
  // /proc/PID/syscall shows); poll's sits in a struct pollfd instead.
  bool fd_in_syscall_args = true;
  // Written in a case as `name(args)`; false for fork, wakes and blocked,
  // which have statements of their own.
  bool written_as_call = true;

  // The last required argument may be repeated, up to this many times in
  // all (readv's sizes, writev's and sendmmsg's data: one iovec or message
  // each); 0 for calls of fixed arity. Each repeated data argument's length
  // goes to Op::ints after the other integer arguments.
  int repeats_last = 0;

  // New fds the call binds to Op::results on success: 1 or 2, or -1 for
  // "as many as arrive" (recvmsg's SCM_RIGHTS).
  int FdsMade() const;
};

// The entry for `call`; every Call has one.
const CallSpec& SpecOf(Call call);

// The result kind of one use of the call: spec.result, except that fcntl's
// F_DUPFD and F_DUPFD_CLOEXEC (ints[0]) make a new fd (kFd).
ResultKind ResultOf(const CallSpec& spec, const std::vector<int64_t>& ints);

// Every entry, in Call order.
const std::vector<CallSpec>& AllCalls();

// The spec of the call a case writes as `name(...)`, or nullptr.
const CallSpec* FindCall(std::string_view name);

// Every name a case can call, for "did you mean".
std::vector<std::string> CallNames();

// "fd, size[, flags]": the argument list as the Calls table writes it.
std::string DescribeArgs(const CallSpec& spec);

// Whether the kernel sees Op::fds[0] as the call's first argument (read,
// close...); false for calls without one there (socket, pipe, poll...).
bool PassesFdToKernel(const CallSpec& spec);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_PLAN_CALLS_H_
