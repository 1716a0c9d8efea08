#include "harness/plan/calls.h"

#include <fcntl.h>

#include <utility>

namespace sockspec {
namespace {

using K = SymbolKind;

// Builds one entry: Entry("read", c, CallFamily::kIo).Args({...}).Result(...).
class Entry {
 public:
  Entry(const char* name, Call call, CallFamily family) {
    s_.name = name;
    s_.call = call;
    s_.family = family;
  }
  Entry& Args(std::vector<ArgSpec> a) { s_.args = std::move(a); return *this; }
  Entry& Optional(std::vector<ArgSpec> a) { s_.optional = std::move(a); return *this; }
  Entry& ExtraInts(std::vector<int64_t> v) { s_.extra_ints = std::move(v); return *this; }
  Entry& Result(ResultKind r) { s_.result = r; return *this; }
  Entry& With(Ancillary a) { s_.ancillary = a; return *this; }
  Entry& Blocks(Blocking b) { s_.blocking = b; return *this; }
  Entry& MsgFlagsAt(int i) { s_.msg_flags_int = i; return *this; }
  Entry& ClosesFd() { s_.closes_fd = true; return *this; }
  Entry& SourceAddress() { s_.source_address = true; return *this; }
  Entry& PeerOnly() { s_.peer_only = true; return *this; }
  Entry& NeedsSocket() { s_.needs_socket = true; return *this; }
  Entry& FdInStruct() { s_.fd_in_syscall_args = false; return *this; }
  Entry& Statement() { s_.written_as_call = false; return *this; }
  Entry& RepeatsLast(int n) { s_.repeats_last = n; return *this; }
  operator CallSpec() const { return s_; }  // NOLINT: a builder

 private:
  CallSpec s_;
};

const ArgSpec kFdArg{"fd", ArgKind::kFd, {}};
const ArgSpec kSizeArg{"size", ArgKind::kInt, {}};
const ArgSpec kDataArg{"data", ArgKind::kData, {}};
const ArgSpec kAddrArg{"address", ArgKind::kAddress, {}};
const ArgSpec kMsgFlagsArg{"flags", ArgKind::kSymbols, {K::kMsgFlag}};
const ArgSpec kDomainArg{"domain", ArgKind::kSymbols, {K::kDomain}};
const ArgSpec kTypeArg{"type", ArgKind::kSymbols, {K::kSockType, K::kSockFlag}};
const ArgSpec kLevelArg{"level", ArgKind::kSymbols, {K::kLevel, K::kProtocol}};
const ArgSpec kOptArg{"option", ArgKind::kSymbols,
                      {K::kSockOpt, K::kTcpOption, K::kUdpOption, K::kIpOption,
                       K::kIpv6Option}};
const ArgSpec kOptlenArg{"optlen=N", ArgKind::kOptlen, {}, -1};
const ArgSpec kProtocolArg{"protocol", ArgKind::kInt, {}, 0};
const ArgSpec kChunkArg{"chunk", ArgKind::kInt, {}, 4096};
// UIO_MAXIOV: the most iovecs (readv/writev) and messages (sendmmsg,
// recvmmsg's vlen) one call takes.
constexpr int kMaxIovecs = 1024;

// One case per Call and no default: a new Call without an entry does not
// compile (-Wswitch -Werror).
CallSpec Describe(Call c) {
  using F = CallFamily;
  using R = ResultKind;
  switch (c) {
    case Call::kSocket:
      return Entry("socket", c, F::kSocket)
          .Args({kDomainArg, kTypeArg}).Optional({kProtocolArg}).Result(R::kFd);
    case Call::kSocketpair:
      return Entry("socketpair", c, F::kSocket)
          .Args({kDomainArg, kTypeArg}).Optional({kProtocolArg})
          .Result(R::kFdPair);
    case Call::kPair:  // ints: kind (PairKind), type
      return Entry("pair", c, F::kSocket)
          .Args({{"kind", ArgKind::kPairKind, {}}, kTypeArg}).Result(R::kFdPair);
    case Call::kBind:
      return Entry("bind", c, F::kSocket).Args({kFdArg, kAddrArg})
          .NeedsSocket();
    case Call::kListen:
      return Entry("listen", c, F::kSocket)
          .Args({kFdArg, {"backlog", ArgKind::kInt, {}}}).NeedsSocket();
    case Call::kConnect:
      return Entry("connect", c, F::kSocket)
          .Args({kFdArg, kAddrArg}).Blocks(Blocking::kOnSocket).NeedsSocket();
    case Call::kAccept:
      return Entry("accept", c, F::kSocket)
          .Args({kFdArg}).Result(R::kFd).Blocks(Blocking::kOnSocket)
          .SourceAddress().NeedsSocket();
    case Call::kAccept4:
      return Entry("accept4", c, F::kSocket)
          .Args({kFdArg, {"flags", ArgKind::kSymbols, {K::kSockFlag}}})
          .Result(R::kFd).Blocks(Blocking::kOnSocket).SourceAddress()
          .NeedsSocket();
    case Call::kRead:
      return Entry("read", c, F::kIo)
          .Args({kFdArg, kSizeArg}).Result(R::kData).Blocks(Blocking::kOnSocket);
    case Call::kWrite:
      return Entry("write", c, F::kIo)
          .Args({kFdArg, kDataArg}).Blocks(Blocking::kOnSocket);
    case Call::kRecv:
      return Entry("recv", c, F::kIo)
          .Args({kFdArg, kSizeArg, kMsgFlagsArg}).Result(R::kData)
          .Blocks(Blocking::kOnSocket).MsgFlagsAt(1).NeedsSocket();
    case Call::kRecvfrom:
      return Entry("recvfrom", c, F::kIo)
          .Args({kFdArg, kSizeArg, kMsgFlagsArg}).Result(R::kData)
          .Blocks(Blocking::kOnSocket).MsgFlagsAt(1).SourceAddress()
          .NeedsSocket();
    case Call::kSend:
      return Entry("send", c, F::kIo)
          .Args({kFdArg, kDataArg, kMsgFlagsArg})
          .Blocks(Blocking::kOnSocket).MsgFlagsAt(0).NeedsSocket();
    case Call::kSendto:
      return Entry("sendto", c, F::kIo)
          .Args({kFdArg, kDataArg, kMsgFlagsArg, kAddrArg})
          .Blocks(Blocking::kOnSocket).MsgFlagsAt(0).NeedsSocket();
    // ints: size, flags, rights capacity, want_creds, control length (-1:
    // from rights=/creds), control pointer NULL (1) or a buffer (0)
    case Call::kRecvmsg:
      return Entry("recvmsg", c, F::kMsg)
          .Args({kFdArg, kSizeArg, kMsgFlagsArg}).ExtraInts({-1, 0, -1, 0})
          .Result(R::kData).With(Ancillary::kReceive)
          .Blocks(Blocking::kOnSocket).MsgFlagsAt(1).SourceAddress()
          .NeedsSocket();
    case Call::kSendmsg:  // ints: flags, empty SCM_RIGHTS (`rights()`: 1)
      return Entry("sendmsg", c, F::kMsg)
          .Args({kFdArg, kDataArg, kMsgFlagsArg}).ExtraInts({0})
          .With(Ancillary::kSend).Blocks(Blocking::kOnSocket).MsgFlagsAt(0)
          .NeedsSocket();
    case Call::kReadv:  // ints: one size per iovec
      return Entry("readv", c, F::kMsg)
          .Args({kFdArg, kSizeArg}).RepeatsLast(kMaxIovecs).Result(R::kData)
          .Blocks(Blocking::kOnSocket);
    case Call::kWritev:  // ints: one length per iovec
      return Entry("writev", c, F::kMsg)
          .Args({kFdArg, kDataArg}).RepeatsLast(kMaxIovecs)
          .Blocks(Blocking::kOnSocket);
    case Call::kRecvmmsg:  // ints: vlen, size of each, flags, timeout_ms (-1: NULL)
      return Entry("recvmmsg", c, F::kMsg)
          .Args({kFdArg, {"vlen", ArgKind::kInt, {}}, kSizeArg, kMsgFlagsArg})
          .Optional({{"timeout_ms", ArgKind::kInt, {}, -1}})
          .Result(R::kMessages).Blocks(Blocking::kOnSocket).MsgFlagsAt(2)
          .NeedsSocket();
    // ints: flags, then per message its iovec count and their lengths
    case Call::kSendmmsg:
      return Entry("sendmmsg", c, F::kMsg)
          .Args({kFdArg, kMsgFlagsArg, kDataArg}).RepeatsLast(kMaxIovecs)
          .Result(R::kMessages).Blocks(Blocking::kOnSocket).MsgFlagsAt(0)
          .NeedsSocket();
    case Call::kShutdown:
      return Entry("shutdown", c, F::kSocket)
          .Args({kFdArg, {"how", ArgKind::kSymbols, {K::kShutHow}}})
          .NeedsSocket();
    case Call::kClose:
      return Entry("close", c, F::kSocket).Args({kFdArg}).ClosesFd();
    case Call::kDup:
      return Entry("dup", c, F::kSocket).Args({kFdArg}).Result(R::kFd);
    case Call::kPoll:
      return Entry("poll", c, F::kCtl)
          .Args({kFdArg, {"events", ArgKind::kSymbols, {K::kPollEvent}}})
          .Optional({{"timeout_ms", ArgKind::kInt, {}, 0}})
          .Result(R::kRevents).Blocks(Blocking::kOnTimeout).FdInStruct();
    case Call::kFcntl:  // F_DUPFD*: a new fd (ResultOf); F_SETOWN: pid(A)
      return Entry("fcntl", c, F::kCtl)
          .Args({kFdArg, {"command", ArgKind::kSymbols, {K::kFcntlCmd}}})
          .Optional({{"arg", ArgKind::kValue,
                      {K::kFileFlag, K::kFdFlag, K::kSignal}, 0}})
          .Result(R::kValue);
    case Call::kSetsockopt:  // ints: level, option, optlen; Op::data: value
      return Entry("setsockopt", c, F::kCtl)
          .Args({kFdArg, kLevelArg, kOptArg, {"value", ArgKind::kOptValue, {}}})
          .Optional({kOptlenArg}).NeedsSocket();
    case Call::kGetsockopt:  // ints: level, option, optlen
      return Entry("getsockopt", c, F::kCtl)
          .Args({kFdArg, kLevelArg, kOptArg}).Optional({kOptlenArg})
          .Result(R::kValue).NeedsSocket();
    case Call::kGetsockname:
      return Entry("getsockname", c, F::kCtl).Args({kFdArg}).Result(R::kAddress)
          .NeedsSocket();
    case Call::kGetpeername:
      return Entry("getpeername", c, F::kCtl).Args({kFdArg}).Result(R::kAddress)
          .NeedsSocket();
    case Call::kIoctl:  // with an arg it sets (result 0), without it gets
      return Entry("ioctl", c, F::kCtl)
          .Args({kFdArg, {"request", ArgKind::kSymbols, {K::kIoctl}}})
          .Optional({{"arg", ArgKind::kValue, {}}})
          .Result(R::kValue);
    case Call::kSockatmark:  // ioctl SIOCATMARK: 1 at the urgent mark, else 0
      return Entry("sockatmark", c, F::kCtl).Args({kFdArg}).NeedsSocket();
    case Call::kFill:  // writes until EAGAIN (the fd must be non-blocking)
      return Entry("fill", c, F::kIo).Args({kFdArg}).Optional({kChunkArg});
    case Call::kDrain:  // reads until EAGAIN or EOF
      return Entry("drain", c, F::kIo).Args({kFdArg}).Optional({kChunkArg});
    case Call::kFork:  // `fork NEW`: Op::new_peer inherits every fd
      return Entry("fork", c, F::kCoordination).PeerOnly().Statement();
    case Call::kRaise:
      return Entry("raise", c, F::kCtl)
          .Args({{"signal", ArgKind::kSymbols, {K::kSignal}}}).PeerOnly();
    case Call::kPipe:
      return Entry("pipe", c, F::kProc)
          .Optional({{"flags", ArgKind::kSymbols, {K::kFileFlag}, 0}})
          .Result(R::kFdPair);
    case Call::kDropPrivileges:
      return Entry("drop_privileges", c, F::kProc).PeerOnly();
    case Call::kEpollCreate1:
      return Entry("epoll_create1", c, F::kEpoll)
          .Args({{"flags", ArgKind::kSymbols, {K::kEpollFlag}}}).Result(R::kFd);
    case Call::kEpollCtl:  // ints: op, events (0 when left out: DEL)
      return Entry("epoll_ctl", c, F::kEpoll)
          .Args({{"epfd", ArgKind::kFd, {}},
                 {"op", ArgKind::kSymbols, {K::kEpollCtl}}, kFdArg})
          .Optional({{"events", ArgKind::kSymbols, {K::kEpollEvent}, 0}});
    case Call::kEpollWait:  // ints: maxevents, timeout_ms (-1: for ever)
      return Entry("epoll_wait", c, F::kEpoll)
          .Args({{"epfd", ArgKind::kFd, {}}, {"maxevents", ArgKind::kInt, {}}})
          .Optional({{"timeout_ms", ArgKind::kInt, {}, 0}})
          .Result(R::kReady).Blocks(Blocking::kOnTimeout);
    case Call::kSelect:  // ints: three set sizes, timeout_ms (-1: NULL)
    case Call::kPselect:
      return Entry(c == Call::kSelect ? "select" : "pselect", c, F::kEpoll)
          .Args({{"readfds", ArgKind::kFdSet, {}},
                 {"writefds", ArgKind::kFdSet, {}},
                 {"exceptfds", ArgKind::kFdSet, {}}})
          .Optional({{"timeout_ms", ArgKind::kInt, {}, 0}})
          .Result(R::kReady).Blocks(Blocking::kOnTimeout).FdInStruct();
    case Call::kKill:  // ints: the target peer's index, the signal
      return Entry("kill", c, F::kSignal)
          .Args({{"peer", ArgKind::kPeer, {}},
                 {"signal", ArgKind::kSymbols, {K::kSignal}}})
          .PeerOnly();
    case Call::kSigaction:  // the recording handler with these SA_ flags
      return Entry("sigaction", c, F::kSignal)
          .Args({{"signal", ArgKind::kSymbols, {K::kSignal}},
                 {"action", ArgKind::kSymbols, {K::kSigAction}}})
          .PeerOnly();
    case Call::kAlarm:  // returns the seconds left of an earlier alarm
      return Entry("alarm", c, F::kSignal)
          .Args({{"seconds", ArgKind::kInt, {}}}).PeerOnly();
    case Call::kSetrlimit:  // soft and hard limit alike
      return Entry("setrlimit", c, F::kSignal)
          .Args({{"resource", ArgKind::kSymbols, {K::kRlimit}},
                 {"limit", ArgKind::kInt, {}}})
          .PeerOnly();
    case Call::kUnshare:
      return Entry("unshare", c, F::kSignal)
          .Args({{"flags", ArgKind::kSymbols, {K::kCloneFlag}}}).PeerOnly();
    case Call::kSysctl:  // /proc/sys/<name>, read where the step runs
      return Entry("sysctl", c, F::kProc)
          .Args({{"name", ArgKind::kText, {}}}).Result(R::kValue);
    case Call::kCreat:  // a regular file in the private dir (ENOTSOCK cases)
      return Entry("creat", c, F::kProc).Args({kAddrArg}).Result(R::kFd);
    case Call::kConnectUntilFull:  // ret: how many connected; they stay open
      return Entry("connect_until_full", c, F::kSocket)
          .Args({kAddrArg, kTypeArg});
    case Call::kWakes:  // the peer's blocked call completes
      return Entry("wakes", c, F::kCoordination).PeerOnly().Statement();
    case Call::kBlocked:  // the peer's blocked call is still asleep
      return Entry("blocked", c, F::kCoordination).PeerOnly().Statement();
  }
  return Entry("?", c, F::kCoordination);  // not reached: c is a Call
}

}  // namespace

int CallSpec::FdsMade() const {
  switch (result) {
    case ResultKind::kFd: return 1;
    case ResultKind::kFdPair: return 2;
    case ResultKind::kCount:
    case ResultKind::kData:
    case ResultKind::kRevents:
    case ResultKind::kValue:
    case ResultKind::kAddress:
    case ResultKind::kReady: break;
    case ResultKind::kMessages: break;
  }
  return ancillary == Ancillary::kReceive ? -1 : 0;
}

ResultKind ResultOf(const CallSpec& spec, const std::vector<int64_t>& ints) {
  if (spec.call == Call::kFcntl && !ints.empty() &&
      (ints[0] == F_DUPFD || ints[0] == F_DUPFD_CLOEXEC)) {
    return ResultKind::kFd;
  }
  return spec.result;
}

const std::vector<CallSpec>& AllCalls() {
  static const std::vector<CallSpec>* const kCalls = [] {
    auto* v = new std::vector<CallSpec>;
    for (int i = 0; i < kCallCount; ++i) v->push_back(Describe(static_cast<Call>(i)));
    return v;
  }();
  return *kCalls;
}

const CallSpec& SpecOf(Call call) {
  return AllCalls()[static_cast<size_t>(call)];
}

const CallSpec* FindCall(std::string_view name) {
  for (const CallSpec& c : AllCalls()) {
    if (c.written_as_call && name == c.name) return &c;
  }
  return nullptr;
}

std::vector<std::string> CallNames() {
  std::vector<std::string> out;
  for (const CallSpec& c : AllCalls()) {
    if (c.written_as_call) out.emplace_back(c.name);
  }
  return out;
}

std::string DescribeArgs(const CallSpec& spec) {
  std::string out;
  for (const ArgSpec& a : spec.args) {
    if (!out.empty()) out += ", ";
    out += a.name;
  }
  if (spec.repeats_last > 0) out += ", ...";
  for (const ArgSpec& a : spec.optional) {
    out += out.empty() ? "[" : "[, ";
    out += a.name;
    out += "]";
  }
  switch (spec.ancillary) {
    case Ancillary::kNone: break;
    case Ancillary::kReceive: out += "[, rights=N][, creds]"; break;
    case Ancillary::kSend: out += "[, rights(f, ...)][, creds(A)]"; break;
  }
  return out;
}

bool PassesFdToKernel(const CallSpec& spec) {
  return !spec.args.empty() && spec.args[0].kind == ArgKind::kFd &&
         spec.fd_in_syscall_args;
}

}  // namespace sockspec
