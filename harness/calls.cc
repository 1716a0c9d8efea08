#include "harness/calls.h"

namespace sockspec {
namespace {

using K = SymbolKind;

const std::vector<CallSpec>& Calls() {
  const ArgSpec kFdArg{"fd", ArgKind::kFd, {}};
  const ArgSpec kSizeArg{"size", ArgKind::kInt, {}};
  const ArgSpec kDataArg{"data", ArgKind::kData, {}};
  const ArgSpec kAddrArg{"address", ArgKind::kAddress, {}};
  const ArgSpec kMsgFlagsArg{"flags", ArgKind::kSymbols, {K::kMsgFlag}};
  const ArgSpec kDomainArg{"domain", ArgKind::kSymbols, {K::kDomain}};
  const ArgSpec kTypeArg{
      "type", ArgKind::kSymbols, {K::kSockType, K::kSockFlag}};
  const ArgSpec kLevelArg{"level", ArgKind::kSymbols, {K::kLevel}};
  const ArgSpec kOptArg{"option", ArgKind::kSymbols, {K::kSockOpt}};
  static const std::vector<CallSpec>* const kCalls = new std::vector<CallSpec>{
      {"socket",
       Call::kSocket,
       {kDomainArg, kTypeArg},
       {{"protocol", ArgKind::kInt, {}}},
       ResultKind::kFd},
      {"socketpair",
       Call::kSocketpair,
       {kDomainArg, kTypeArg},
       {{"protocol", ArgKind::kInt, {}}},
       ResultKind::kFdPair},
      {"pair",
       Call::kPair,
       {{"kind", ArgKind::kPairKind, {}}, kTypeArg},
       {},
       ResultKind::kFdPair},
      {"bind", Call::kBind, {kFdArg, kAddrArg}, {}, ResultKind::kCount},
      {"listen",
       Call::kListen,
       {kFdArg, {"backlog", ArgKind::kInt, {}}},
       {},
       ResultKind::kCount},
      {"connect", Call::kConnect, {kFdArg, kAddrArg}, {}, ResultKind::kCount},
      {"accept", Call::kAccept, {kFdArg}, {}, ResultKind::kFd},
      {"accept4",
       Call::kAccept4,
       {kFdArg, {"flags", ArgKind::kSymbols, {K::kSockFlag}}},
       {},
       ResultKind::kFd},
      {"read", Call::kRead, {kFdArg, kSizeArg}, {}, ResultKind::kData},
      {"write", Call::kWrite, {kFdArg, kDataArg}, {}, ResultKind::kCount},
      {"recv",
       Call::kRecv,
       {kFdArg, kSizeArg, kMsgFlagsArg},
       {},
       ResultKind::kData},
      {"recvfrom",
       Call::kRecvfrom,
       {kFdArg, kSizeArg, kMsgFlagsArg},
       {},
       ResultKind::kData},
      {"send",
       Call::kSend,
       {kFdArg, kDataArg, kMsgFlagsArg},
       {},
       ResultKind::kCount},
      {"sendto",
       Call::kSendto,
       {kFdArg, kDataArg, kMsgFlagsArg, kAddrArg},
       {},
       ResultKind::kCount},
      {"recvmsg",
       Call::kRecvmsg,
       {kFdArg, kSizeArg, kMsgFlagsArg},
       {},
       ResultKind::kData,
       true},
      {"sendmsg",
       Call::kSendmsg,
       {kFdArg, kDataArg, kMsgFlagsArg},
       {},
       ResultKind::kCount,
       true},
      {"shutdown",
       Call::kShutdown,
       {kFdArg, {"how", ArgKind::kSymbols, {K::kShutHow}}},
       {},
       ResultKind::kCount},
      {"close", Call::kClose, {kFdArg}, {}, ResultKind::kCount},
      {"dup", Call::kDup, {kFdArg}, {}, ResultKind::kFd},
      {"poll",
       Call::kPoll,
       {kFdArg, {"events", ArgKind::kSymbols, {K::kPollEvent}}},
       {{"timeout_ms", ArgKind::kInt, {}}},
       ResultKind::kRevents},
      {"fcntl",
       Call::kFcntl,
       {kFdArg, {"command", ArgKind::kSymbols, {K::kFcntlCmd}}},
       {{"arg", ArgKind::kSymbols, {K::kFileFlag, K::kFdFlag}}},
       ResultKind::kValue},
      {"setsockopt",
       Call::kSetsockopt,
       {kFdArg, kLevelArg, kOptArg, {"value", ArgKind::kInt, {}}},
       {},
       ResultKind::kCount},
      {"getsockopt",
       Call::kGetsockopt,
       {kFdArg, kLevelArg, kOptArg},
       {},
       ResultKind::kValue},
      {"getsockname", Call::kGetsockname, {kFdArg}, {}, ResultKind::kAddress},
      {"getpeername", Call::kGetpeername, {kFdArg}, {}, ResultKind::kAddress},
      {"ioctl",
       Call::kIoctl,
       {kFdArg, {"request", ArgKind::kSymbols, {K::kIoctl}}},
       {},
       ResultKind::kValue},
      {"fill",
       Call::kFill,
       {kFdArg},
       {{"chunk", ArgKind::kInt, {}}},
       ResultKind::kCount},
      {"drain",
       Call::kDrain,
       {kFdArg},
       {{"chunk", ArgKind::kInt, {}}},
       ResultKind::kCount},
      {"raise",
       Call::kRaise,
       {{"signal", ArgKind::kSymbols, {K::kSignal}}},
       {},
       ResultKind::kCount,
       false,
       true},
      {"pipe",
       Call::kPipe,
       {},
       {{"flags", ArgKind::kSymbols, {K::kFileFlag}}},
       ResultKind::kFdPair},
      {"drop_privileges",
       Call::kDropPrivileges,
       {},
       {},
       ResultKind::kCount,
       false,
       true},
  };
  return *kCalls;
}

}  // namespace

const CallSpec* FindCall(std::string_view name) {
  for (const CallSpec& c : Calls()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::vector<std::string> CallNames() {
  std::vector<std::string> out;
  for (const CallSpec& c : Calls()) out.emplace_back(c.name);
  return out;
}

std::string DescribeArgs(const CallSpec& spec) {
  std::string out;
  for (const ArgSpec& a : spec.args) {
    if (!out.empty()) out += ", ";
    out += a.name;
  }
  for (const ArgSpec& a : spec.optional) {
    out += out.empty() ? "[" : "[, ";
    out += a.name;
    out += "]";
  }
  if (spec.ancillary) {
    out += spec.call == Call::kRecvmsg ? "[, rights=N][, creds]"
                                       : "[, rights(f, ...)][, creds(A)]";
  }
  return out;
}

}  // namespace sockspec
