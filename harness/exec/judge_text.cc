// The text half of the judge: outcomes, observations, addresses and flags as
// the case language writes them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/plan/calls.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/exec/judge.h"
#include "harness/os/sockopts.h"
#include "harness/exec/judge_internal.h"
#include "harness/os/symbols.h"
#include "harness/plan/quote.h"

namespace sockspec {
namespace {

std::string RangeText(const Range& r) {
  if (r.min == r.max) return absl::StrCat(r.min);
  if (r.min <= 0 && r.max == std::numeric_limits<int64_t>::max()) return "any";
  return absl::StrCat(r.min, "..", r.max);
}

bool IsRead(Call c) { return SpecOf(c).result == ResultKind::kData; }

bool IsName(Call c) { return SpecOf(c).result == ResultKind::kAddress; }

bool IsGetsockopt(const Op& call) {
  return call.call == Call::kGetsockopt && call.ints.size() >= 3;
}

OptionInfo OptionOfCall(const Op& call) {
  return OptionOf(call.ints[0], call.ints[1]);
}

std::string ValueText(const Op& call, int64_t v) {
  if (IsGetsockopt(call)) {
    const OptionInfo o = OptionOfCall(call);
    if (o.shape == OptionShape::kPidfd) return absl::StrCat("pidfd(pid=", v, ")");
    return OptionValueText(o, EncodeInt(v, NaturalOptlen(o.shape)));
  }
  if (SpecOf(call.call).result == ResultKind::kRevents) {
    return FlagsToText(SymbolKind::kPollEvent, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETFL) {
    return v == 0 ? "O_RDONLY" : FlagsToText(SymbolKind::kFileFlag, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETFD) {
    return FlagsToText(SymbolKind::kFdFlag, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETSIG &&
      v != 0 && !SymbolName(SymbolKind::kSignal, v).empty()) {
    return std::string(SymbolName(SymbolKind::kSignal, v));
  }
  return absl::StrCat(v);
}

std::string SignalsText(const std::vector<int>& signals) {
  std::vector<std::string> names;
  for (int s : signals) names.push_back(absl::StrCat("signal ", SignalName(s)));
  return absl::StrJoin(names, " ");
}

// The address an outcome names, in words.
std::string SpecText(const AddressSpec& a) {
  using K = AddressSpec::Kind;
  switch (a.kind) {
    case K::kPath: return absl::StrCat("path(", QuoteBytes(a.name), ")");
    case K::kAbstract: return absl::StrCat("abstract(", QuoteBytes(a.name), ")");
    case K::kUnnamed: return "unnamed";
    case K::kAutobind: return "autobind";
    case K::kInet4: return a.port ? absl::StrCat("loopback4(", a.port, ")") : "loopback4";
    case K::kInet6: return a.port ? absl::StrCat("loopback6(", a.port, ")") : "loopback6";
    case K::kBoundOf: return absl::StrCat("addr(slot ", a.fd, ")");
    case K::kLongPath: return absl::StrCat("longpath(", a.length, ")");
    case K::kUnspec: return "unspec";
    case K::kFamily: return absl::StrCat("family(", std::string(SymbolName(SymbolKind::kDomain, a.family)), ")");
    case K::kRaw: return absl::StrCat("sockaddr(", std::string(SymbolName(SymbolKind::kDomain, a.family)), ", ", QuoteBytes(a.name), ")");
    case K::kBadPointer: return "badptr";
    case K::kNone: break;
  }
  return "no address";
}

std::string CredText(int64_t pid, int64_t uid, int64_t gid) {
  return absl::StrCat("cred(pid=", pid, ", uid=", uid, ", gid=", gid, ")");
}

}  // namespace

std::string ReadyText(Call call, std::vector<std::pair<int, int64_t>> ready,
                      const std::vector<std::string>& fd_names) {
  if (ready.empty()) return "0";
  std::sort(ready.begin(), ready.end());
  auto name = [&](int slot) {
    return slot >= 0 && static_cast<size_t>(slot) < fd_names.size()
               ? fd_names[slot]
               : absl::StrCat("slot", slot);
  };
  if (call == Call::kEpollWait) {
    std::vector<std::string> items;
    for (const auto& [slot, events] : ready) {
      items.push_back(absl::StrCat(name(slot), "=",
                                   FlagsToText(SymbolKind::kEpollEvent, events)));
    }
    return absl::StrCat("events(", absl::StrJoin(items, ", "), ")");
  }
  std::vector<std::string> sets;
  const std::pair<int64_t, const char*> kSets[] = {
      {kReadSet, "readfds"}, {kWriteSet, "writefds"}, {kExceptSet, "exceptfds"}};
  for (const auto& [bit, set] : kSets) {
    std::vector<std::string> members;
    for (const auto& [slot, bits] : ready) {
      if (bits & bit) members.push_back(name(slot));
    }
    if (!members.empty()) {
      sets.push_back(absl::StrCat(set, "(", absl::StrJoin(members, ", "), ")"));
    }
  }
  return absl::StrJoin(sets, " ");
}

std::string QuoteBytes(absl::string_view bytes, size_t from, size_t max) {
  from = std::min(from, bytes.size());
  absl::string_view shown = bytes.substr(from, max);
  return absl::StrCat(from > 0 ? "..." : "", QuoteLiteral(shown),
                      from + shown.size() < bytes.size() ? "..." : "");
}

std::string DescribeAddress(absl::string_view b, const std::string& prefix) {
  if (b.size() <= sizeof(sa_family_t)) return "unnamed";
  sa_family_t family;
  memcpy(&family, b.data(), sizeof family);
  absl::string_view rest = b.substr(sizeof family);
  if (family == AF_UNIX) {
    if (rest[0] != '\0') {
      return absl::StrCat("path(", QuoteBytes(rest.substr(0, rest.find('\0'))), ")");
    }
    absl::string_view name = rest.substr(1);
    if (!prefix.empty() && absl::StartsWith(name, prefix)) {
      return absl::StrCat("abstract(", QuoteBytes(name.substr(prefix.size())), ")");
    }
    return absl::StrCat("abstract(", QuoteBytes(rest), ")");
  }
  sockaddr_storage ss = {};
  memcpy(&ss, b.data(), std::min(b.size(), sizeof ss));
  if (family == AF_INET) {
    return absl::StrCat("loopback4(", ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port), ")");
  }
  if (family == AF_INET6) {
    return absl::StrCat("loopback6(", ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port), ")");
  }
  return absl::StrCat("family ", family, " address");
}

std::string DescribeOutcome(const Op& call, const Outcome& out,
                            const JudgeContext& ctx) {
  std::vector<std::string> parts;
  switch (out.kind) {
    case Outcome::Kind::kBlocks:
      return "blocks";
    case Outcome::Kind::kErrno:
      parts.push_back(absl::StrCat("-1 ", ErrnoName(out.err)));
      break;
    case Outcome::Kind::kReturn:
      if (out.ready) {
        parts.push_back(ReadyText(call.call, *out.ready, ctx.fd_names));
      } else if (out.value_pid_of) {
        const int p = *out.value_pid_of;
        parts.push_back(absl::StrCat(
            "pid ", p >= 0 && static_cast<size_t>(p) < ctx.peer_pids.size()
                        ? ctx.peer_pids[p]
                        : ctx.harness_pid,
            p >= 0 ? absl::StrCat(" (peer ", p, ")") : " (the harness)"));
      } else if (out.data) {
        if (out.ret) parts.push_back(RangeText(*out.ret));
        parts.push_back(QuoteBytes(*out.data));
      } else if (out.value) {
        parts.push_back(out.value->min == out.value->max
                            ? ValueText(call, out.value->min)
                            : RangeText(*out.value));
      } else if (out.optval && IsGetsockopt(call)) {
        parts.push_back(OptionValueText(OptionOfCall(call), *out.optval));
      } else if (out.pidfd_of) {
        parts.push_back(absl::StrCat("pidfd(pid=", *out.pidfd_of >= 0 &&
            static_cast<size_t>(*out.pidfd_of) < ctx.peer_pids.size()
                ? ctx.peer_pids[static_cast<size_t>(*out.pidfd_of)] : ctx.harness_pid, ")"));
      } else if (out.groups_of_harness) {
        parts.push_back(OptionValueText(OptionOfCall(call), EncodeGids(ctx.harness_groups)));
      } else if (out.addr && IsName(call.call)) {
        parts.push_back(SpecText(*out.addr));
      } else if (out.cred) {
        // The credentials are the result: shown below.
      } else if (out.ret) {
        parts.push_back(RangeText(*out.ret));
      } else {
        parts.push_back("success");
      }
      if (out.optlen) parts.push_back(absl::StrCat("optlen ", *out.optlen));
      if (out.msg_flags) parts.push_back(absl::StrCat("flags ", FlagsToText(SymbolKind::kMsgFlag, *out.msg_flags)));
      if (out.addr && !IsName(call.call)) parts.push_back(absl::StrCat("from ", SpecText(*out.addr)));
      if (out.cred) {
        const Cred c = ExpectedCred(*out.cred, ctx);
        parts.push_back(CredText(c.pid, c.uid, c.gid));
      }
      if (out.rights_same_as) parts.push_back(internal::RightsText(call, *out.rights_same_as, ctx));
      if (!out.cmsgs.empty()) parts.push_back(internal::ExpectedCmsgsText(out.cmsgs));
      if (out.messages) {
        std::vector<std::string> msgs;
        for (const Outcome::Message& m : *out.messages) {
          std::optional<std::string> len;
          if (m.len) len = RangeText(*m.len);
          msgs.push_back(internal::MessageText(m.data, len, m.flags));
        }
        parts.push_back(absl::StrJoin(msgs, ", "));
      }
      break;
  }
  if (!out.signals.empty()) parts.push_back(SignalsText(out.signals));
  return absl::StrJoin(parts, " ");
}

std::string DescribeObservation(const Op& call, const Observation& obs,
                                const JudgeContext& ctx) {
  if (!obs.harness_error.empty()) return absl::StrCat("harness error: ", obs.harness_error);
  std::vector<std::string> parts;
  if (obs.ret < 0) {
    parts.push_back(absl::StrCat("-1 ", ErrnoName(obs.err)));
  } else if (SpecOf(call.call).result == ResultKind::kReady) {
    parts.push_back(ReadyText(call.call, obs.ready, ctx.fd_names));
    if (static_cast<int64_t>(obs.ready.size()) != obs.ret &&
        call.call == Call::kEpollWait) {
      parts.push_back(absl::StrCat("(returned ", obs.ret, ")"));
    }
  } else if (IsRead(call.call)) {
    parts.push_back(absl::StrCat(obs.ret));
    parts.push_back(QuoteBytes(obs.data));
  } else if (IsGetsockopt(call) && !obs.cred) {
    const OptionInfo o = OptionOfCall(call);
    parts.push_back(o.shape == OptionShape::kPidfd
                        ? ValueText(call, obs.value.value_or(-1))
                        : OptionValueText(o, obs.data));
    // The length the kernel wrote, where it is not the value's own size.
    const bool sized = o.shape != OptionShape::kGids && o.shape != OptionShape::kBytes;
    if (call.ints[2] >= 0 || (sized && obs.data.size() != NaturalOptlen(o.shape))) {
      parts.push_back(absl::StrCat("optlen ", obs.data.size()));
    }
  } else if (obs.value) {
    parts.push_back(ValueText(call, *obs.value));
  } else if (obs.addr && IsName(call.call)) {
    parts.push_back(DescribeAddress(*obs.addr, ctx.abstract_prefix));
  } else if (!obs.cred) {
    parts.push_back(absl::StrCat(obs.ret));
  }
  if (obs.ret >= 0) {
    if (obs.msg_flags) parts.push_back(absl::StrCat("flags ", FlagsToText(SymbolKind::kMsgFlag, *obs.msg_flags)));
    if (obs.addr && !IsName(call.call) && !obs.addr->empty()) {
      parts.push_back(absl::StrCat("from ", DescribeAddress(*obs.addr, ctx.abstract_prefix)));
    }
    if (obs.cred) parts.push_back(CredText(obs.cred->pid, obs.cred->uid, obs.cred->gid));
    std::string others = internal::CmsgsText(obs.cmsgs);
    if (!others.empty()) parts.push_back(others);
    if (!obs.rights.empty()) parts.push_back(internal::ReceivedRightsText(call, obs, ctx));
    if (SpecOf(call.call).result == ResultKind::kMessages) {
      const bool receive = call.call == Call::kRecvmmsg;
      std::vector<std::string> msgs;
      for (const Observation::MessageResult& m : obs.messages) {
        // As a case writes it: len= only where it is not the data's size,
        // flags= only when set.
        std::optional<std::string> len;
        if (!receive || m.len != static_cast<int64_t>(m.data.size())) {
          len = absl::StrCat(m.len);
        }
        std::optional<int> flags;
        if (m.flags != 0) flags = m.flags;
        msgs.push_back(internal::MessageText(receive ? std::optional<std::string>(m.data)
                                           : std::nullopt,
                                   len, flags));
      }
      if (!msgs.empty()) parts.push_back(absl::StrJoin(msgs, ", "));
    }
  }
  if (!obs.signals.empty()) parts.push_back(SignalsText(obs.signals));
  std::string text = absl::StrJoin(parts, " ");
  for (const auto& [fd, what] : obs.leaked) {
    absl::StrAppend(&text, "; leaked fd ", fd, " (", what, ")");
  }
  return text;
}

}  // namespace sockspec
