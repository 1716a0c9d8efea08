// The executable plan: one case-file instance (one row of its matrix), fully
// resolved and checked, ready for the executor. The front end (lexer, parser,
// validate) produces plans; the executor runs them and judges each operation
// against its expectation. Nothing in a plan refers back to the case syntax
// except Location and the op text used in reports.
//
//   cases/eof/x.case, matrix TYPE=SOCK_STREAM  ->  Plan{peers: A, B; ops: ...}
#ifndef SOCKSPEC_HARNESS_PLAN_PLAN_H_
#define SOCKSPEC_HARNESS_PLAN_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sockspec {

// A place in a case file, 1-based. Reports print "path:line:col".
struct Location {
  std::string path;
  int line = 0;
  int col = 0;
};

// A socket address as the case names it; resolved to a sockaddr by the
// executor at run time (private directory, per-run abstract prefix, ports).
struct AddressSpec {
  enum class Kind {
    kNone,
    kPath,       // `path("srv")`: relative name inside the case's private dir
    kAbstract,   // `abstract("srv")`: '\0' + per-run random prefix + name
    kUnnamed,    // `unnamed`: addrlen == sizeof(sa_family_t) (autobind on bind)
    kAutobind,   // `autobind` (expectations only): '\0' + 5 hex digits
    kInet4,      // `loopback4` / `loopback4(port)`: 127.0.0.1
    kInet6,      // `loopback6` / `loopback6(port)`: ::1
    kBoundOf,    // `addr(l)`: the address fd slot `fd` had after bind/listen
    kLongPath,   // `longpath(N)`: a relative path of exactly N bytes
    kUnspec,     // `unspec`: sa_family AF_UNSPEC, addrlen sizeof(sockaddr)
                 // (connect() with it dissolves a datagram association)
    kFamily,     // `family(AF_INET)`: only sa_family = `family`, addrlen 2
    kRaw,        // `sockaddr(AF_UNIX, "bytes")`: sa_family `family`, then
                 // `name` as written (no NUL added, nothing prefixed)
    kBadPointer, // `badptr`: a pointer to unmapped memory (EFAULT)
  };
  Kind kind = Kind::kNone;
  std::string name;  // kPath, kAbstract (may contain '\0'), kRaw
  int port = 0;      // kInet4, kInet6 (0: any)
  int fd = -1;       // kBoundOf: fd slot
  int length = 0;    // kLongPath
  int family = 0;    // kFamily, kRaw
  // `addrlen(ADDRESS, N)`: the addrlen passed instead of the address's own
  // (-1 to sizeof(sockaddr_storage); -1 reaches the kernel as a huge
  // socklen_t); unset: the address's own.
  std::optional<int> addrlen = std::nullopt;
};

// Where a call's buffer (the bytes it reads into or sends, an option value)
// points: real memory, NULL, or unmapped memory; the length is the call's
// own (`read(b, null(10))` passes NULL with length 10).
enum class BufferKind { kReal, kNull, kBad };

// `getsockname(s, addr=null, addrlen=-1)`, `accept(l, addrlen=badptr)`:
// the address buffer and the addrlen a call that writes an address back
// gets. By default a real buffer and addrlen = its size.
struct AddressOut {
  BufferKind addr = BufferKind::kReal;
  BufferKind len = BufferKind::kReal;  // the socklen_t pointer
  std::optional<int64_t> len_value;    // the addrlen passed in, if given
};

// The fd slot that `badfd` names: a number no fd of the process has.
inline constexpr int kBadFdSlot = -2;

// An integer known only at run time, from values captured by earlier steps
// (`= $sndbuf`): `$sndbuf / 4 + 1` in postfix, evaluated with 64-bit
// arithmetic (division truncates; dividing by zero or overflowing is an
// error at run time, reported at the step).
struct IntExpr {
  struct Term {
    enum class Kind { kConst, kCapture, kAdd, kSub, kMul, kDiv };
    Kind kind = Kind::kConst;
    int64_t value = 0;  // kConst: the value; kCapture: the capture slot
  };
  std::vector<Term> postfix;
  std::string text;  // as written: "$sndbuf / 4 + 1"
};

// A place in an op or an outcome that takes a run-time value.
struct DynamicInt {
  enum class Target {
    kInt,        // Op::ints[index]
    kDataBegin,  // Op::data / Outcome::data: the first byte kept
    kDataEnd,    // ... one past the last byte kept (both count from the
                 // start of the payload lowering put in `data`)
    kDataInt,    // Op::data is an int option value (setsockopt): its bytes,
                 // little-endian over data's size, become the value
    kRetMin,     // Outcome::ret
    kRetMax,
    kValueMin,   // Outcome::value
    kValueMax,
  };
  Target target = Target::kInt;
  int index = 0;
  IntExpr expr;
};

// Expected SO_PEERCRED / SCM_CREDENTIALS contents.
struct CredSpec {
  // The process whose pid is expected: a peer index, or kHarness for the
  // harness process itself (it made the setup sockets).
  static constexpr int kHarness = -1;
  int pid_of = kHarness;
  // Explicit pid instead (sending a forged pid for B47): used when set.
  std::optional<int64_t> pid;
  // uid/gid: nullopt means "the harness's own" (getuid()/getgid()).
  std::optional<int64_t> uid;
  std::optional<int64_t> gid;
};

// An inclusive integer range; exact values have min == max.
struct Range {
  int64_t min = 0;
  int64_t max = 0;
  static Range Exactly(int64_t v) { return {v, v}; }
  bool Contains(int64_t v) const { return v >= min && v <= max; }
};

// One allowed result of an operation. Every field that is set must match;
// unset optional fields are not checked. Signals are always checked: the set
// of signals delivered to the peer during the call must equal `signals`.
struct Outcome {
  enum class Kind {
    kReturn,  // the call succeeded (returned >= 0)
    kErrno,   // the call returned -1 with errno `err`
    kBlocks,  // the call is seen asleep in the kernel (no result yet)
  };
  Kind kind = Kind::kReturn;
  Location loc;  // where this outcome is written, for reports

  std::optional<Range> ret;  // kReturn: the return value
  int err = 0;               // kErrno

  // Received bytes (read/recv*): exact content. A data expectation without an
  // explicit ret implies ret == data.size().
  std::optional<std::string> data;
  std::optional<int> msg_flags;     // recvmsg: exact msg_flags
  std::optional<Range> value;       // getsockopt int, ioctl, fcntl, poll revents
  std::optional<AddressSpec> addr;  // recvfrom/recvmsg source, get*name, accept peer
  std::optional<CredSpec> cred;     // SO_PEERCRED, SCM_CREDENTIALS
  // recvmsg SCM_RIGHTS: one entry per fd expected; each names the sender's fd
  // slot it must refer to (same open file, compared by st_dev/st_ino), or -1
  // for "any". The received fds are bound to Op::results in order.
  std::optional<std::vector<int>> rights_same_as;
  // recvmsg: the control messages other than SCM_RIGHTS and a whole
  // SCM_CREDENTIALS (which `rights_same_as` and `cred` state), in the
  // kernel's order; a credentials message cut short by the control buffer
  // is one of these. Every one that arrives must be stated: an unstated one
  // fails the step.
  struct Cmsg {
    int level = 0;
    int type = 0;
    std::optional<int64_t> value;  // the data as an int (SCM_INQ), if stated
    std::optional<int64_t> bytes;  // the data's length, if stated
  };
  std::vector<Cmsg> cmsgs;
  // recvmmsg/sendmmsg: one entry per message the call handled (their count
  // is the return value), each with what it states.
  struct Message {
    std::optional<Range> len;         // msg_len
    std::optional<std::string> data;  // recvmmsg: the bytes (len = size)
    std::optional<int> flags;         // recvmmsg: msg_flags, exactly
  };
  std::optional<std::vector<Message>> messages;
  std::vector<int> signals;  // e.g. {SIGPIPE}; empty: none may arrive
  // The value is this process's pid: `pid(A)` (a peer index, or
  // CredSpec::kHarness) for F_GETOWN, FIOGETOWN.
  std::optional<int> value_pid_of;
  // epoll_wait and select/pselect: exactly these fd slots are ready, each
  // with its events (epoll) or ReadySet bits (select); order-insensitive.
  std::optional<std::vector<std::pair<int, int64_t>>> ready;

  // getsockopt (harness/os/sockopts.h gives each option's shape):
  // `timeval(1, 0)`, `linger(on, 5)`, `gids(0, 27)`, a string: the value's
  // bytes, compared over the bytes the kernel wrote (which must be all of
  // them unless `optlen` says otherwise).
  std::optional<std::string> optval;
  // `optlen N`: the length the kernel wrote back.
  std::optional<int64_t> optlen;
  // SO_PEERPIDFD's `pidfd(p=B)`: the new fd (bound to Op::results[0]) is a
  // pidfd of this peer (an index) or of the harness (CredSpec::kHarness).
  std::optional<int> pidfd_of;
  // SO_PEERGROUPS's `gids(harness)`: the harness's supplementary groups.
  bool groups_of_harness = false;
  // Parts of ret, value and data known only at run time (captures.h).
  std::vector<DynamicInt> dynamic;
};

// select's sets, as bits of a ready entry: `readfds(a) writefds(a)` is
// {a, kReadSet|kWriteSet}.
inline constexpr int64_t kReadSet = 1;
inline constexpr int64_t kWriteSet = 2;
inline constexpr int64_t kExceptSet = 4;

// What an operation must do: any one of the outcomes. `text` is the answer
// as written, matrix values substituted ("EPIPE signal SIGPIPE", "blocks");
// `source` says where a platform's answer is documented (its `because`,
// empty for the default platform).
struct Expected {
  std::vector<Outcome> any_of;
  // `= ?`: not yet known (any_of is empty, text "?"). The executor lets the
  // step run, keeps what it observed and fails the instance at the end, so
  // a case with a placeholder never passes.
  bool placeholder = false;
  std::string text;
  std::string source;
  Location loc;
};

// The calls a plan makes. What each takes, returns, makes, closes and
// whether it can block is its entry in calls.cc (SpecOf); Op::ints holds its
// integer arguments in the order of that entry's args, then optional args
// (or their fallbacks), then its extra_ints.
enum class Call {
  // Setup or peer steps.
  kSocket,
  kSocketpair,
  kPair,  // a connected pair of a PairKind
  kBind,
  kListen,
  kConnect,
  kAccept,
  kAccept4,
  kRead,
  kWrite,
  kRecv,
  kSend,
  kRecvfrom,
  kSendto,
  kRecvmsg,
  kSendmsg,
  kReadv,     // several iovecs, one call
  kWritev,
  kRecvmmsg,  // several messages, one call
  kSendmmsg,
  kShutdown,
  kClose,
  kDup,
  kPoll,
  kFcntl,
  kSetsockopt,
  kGetsockopt,
  kGetsockname,
  kGetpeername,
  kIoctl,
  kSockatmark,
  kFill,   // writes until EAGAIN; ret = total bytes accepted
  kDrain,  // reads until EAGAIN or EOF; ret = total
  kFork,   // the peer forks `new_peer`, which inherits every fd it holds
  kRaise,
  kPipe,
  kDropPrivileges,
  kEpollCreate1,
  kEpollCtl,   // fds: the epoll fd, the target; data.u64 = the target's slot
  kEpollWait,  // ready fds are named by the slot in their data
  kSelect,     // ints: sizes of the three sets, then the timeout
  kPselect,
  kKill,       // kill(PEER, SIG): ints: peer index, signal
  kSigaction,  // sigaction(SIG, SA_RESTART | 0 | SIG_IGN | SIG_DFL)
  kAlarm,      // alarm(SECONDS): SIGALRM to the peer itself later
  kSetrlimit,  // setrlimit(RLIMIT_NOFILE, N): soft and hard limit N
  kUnshare,    // unshare(CLONE_NEWNET): the peer moves to a new namespace
  kSysctl,  // reads /proc/sys/<name> where the step runs: Outcome value
  kCreat,   // creat(2) of a regular file in the private dir: a non-socket fd
  kConnectUntilFull,  // non-blocking connects of new sockets until EAGAIN
  // Coordination steps, no system call of their own.
  kWakes,    // the peer's blocked call completes; judged by `expect`
  kBlocked,  // the peer's blocked call is still asleep
  // Keep kBlocked last: kCallCount counts through it.
};
inline constexpr int kCallCount = static_cast<int>(Call::kBlocked) + 1;

// Socket kinds for kPair and for reports.
enum class PairKind { kSocketpair, kPathname, kAbstract, kInet4, kInet6 };

struct Op {
  Location loc;
  std::string text;  // the step as written, matrix values substituted:
                     // "read(b, 10)"; repeated steps say "connect(c[2], ...)"
  int peer = -1;     // index into Plan::peers; -1: the harness (setup)
  Call call = Call::kRead;

  std::vector<int> fds;      // fd slots the call uses, in argument order
  std::vector<int64_t> ints; // integer arguments, per the call's entry
  std::string data;          // bytes to send
  AddressSpec addr;          // bind/connect/sendto target
  std::vector<int> rights;   // sendmsg SCM_RIGHTS: fd slots of the sender
  std::optional<CredSpec> creds;  // sendmsg SCM_CREDENTIALS to send
  std::vector<int> results;  // fd slots bound by a successful call
  // `pid(A)` arguments: Op::ints index -> the peer (CredSpec::kHarness: the
  // harness) whose pid replaces that int at run time.
  std::vector<std::pair<size_t, int>> pid_args;
  int new_peer = -1;         // kFork
  // Where the call's buffer points (read/recv*/write/send*: the data;
  // setsockopt/getsockopt: the option value).
  BufferKind buffer = BufferKind::kReal;
  // With `buffer` not kReal on a data argument (`write(a, null(10))`): the
  // length passed (may be negative: the kernel sees it as a size_t).
  int64_t buffer_length = 0;
  AddressOut addr_out;  // accept, accept4, getsockname, getpeername
  // Arguments known only at run time, from earlier captures (captures.h).
  std::vector<DynamicInt> dynamic;
  // `= $name`: a successful call's result (its value for getsockopt, ioctl,
  // fcntl, poll and sysctl, else its return value) becomes capture slot
  // `capture`; -1: none.
  int capture = -1;

  Expected expect;  // for the platform the plan was made for
  // Every platform's recorded answer, the default platform first; the
  // executor checks a non-default platform's passes against the default's
  // answer too (InstanceResult::recorded).
  std::vector<std::pair<std::string, Expected>> platforms;
};

struct PeerDecl {
  std::string name;
  Location loc;
  std::vector<int> holds;  // fd slots given at fork (setup results)
  int forked_by = -1;      // peer index for peers made by kFork
};

// A prerequisite of the environment (`requires ...` in the case file), checked
// where the instance runs, before it runs; unmet, the instance is skipped.
struct Requirement {
  enum class Kind {
    kIpv6,        // `requires ipv6`: ::1 can be bound
    kRoot,        // `requires root`: effective uid 0
    kCapability,  // `requires CAP_NET_ADMIN`: `value` is the capability
    kNofile,      // `requires nofile 4200`: RLIMIT_NOFILE soft limit >= value
    kKernel,      // `requires kernel >= 5.4`: `op` and `version`
  };
  Kind kind = Kind::kIpv6;
  int64_t value = 0;
  std::string op;       // kKernel: "<", "<=", ">", ">=", "="
  std::string version;  // kKernel: "5.4" as written
  std::string text;     // "kernel >= 5.4", as written
  Location loc;         // the `requires` line
};

struct Plan {
  std::string path;          // the case file
  std::string title;
  std::vector<std::string> covers;   // behaviour ids: "B04"
  std::vector<std::string> sources;  // citations
  // The matrix row this plan is: {{"TYPE", "SOCK_DGRAM"}, ...}; empty when
  // the case has no matrix. The instance name joins the values: "SOCK_DGRAM/abstract".
  std::vector<std::pair<std::string, std::string>> bindings;
  std::string platform;  // whose expectations `Op::expect` holds: "linux"

  std::vector<std::string> fd_names;  // slot -> name: "a", "c[2]"
  std::vector<std::string> capture_names;  // capture slot -> "sndbuf"
  std::vector<PeerDecl> peers;
  std::vector<Op> ops;
  // The case's and its steps' `requires` that apply to this row, in file
  // order.
  std::vector<Requirement> requirements;
  int step_timeout_ms = 5000;  // a call not expected to block must finish
  int case_timeout_ms = 60000;

  std::string InstanceName() const;  // "SOCK_DGRAM/abstract", or "" if none
};

// Whether the plan may make an IP socket: a loopback pair, a loopback
// address, socket() or socketpair() of a family other than AF_UNIX or of one
// known only at run time. Every IP socket a case holds is made by such a
// step, so a plan without one sends nothing over loopback, and its steps
// need not wait for delivery (harness/os/loopback_settle.h).
bool MayMakeIpSockets(const Plan& plan);

// Whether the plan binds, connects or sends to a pathname socket (path(...),
// longpath(N), a pathname pair, or a pair of a kind known only at run time):
// only then does an instance get a private directory (exec/rundir.h).
bool NamesPathnameSockets(const Plan& plan);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_PLAN_PLAN_H_
