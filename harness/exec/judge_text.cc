// The text half of the judge: outcomes, observations, addresses and flags as
// the case language writes them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/plan/calls.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/exec/judge.h"
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

std::string ValueText(const Op& call, int64_t v) {
  if (SpecOf(call.call).result == ResultKind::kRevents) {
    return FlagsToText(SymbolKind::kPollEvent, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETFL) {
    return v == O_NONBLOCK ? "O_NONBLOCK" : absl::StrCat(v);
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
      if (out.data) {
        if (out.ret) parts.push_back(RangeText(*out.ret));
        parts.push_back(QuoteBytes(*out.data));
      } else if (out.value) {
        parts.push_back(out.value->min == out.value->max
                            ? ValueText(call, out.value->min)
                            : RangeText(*out.value));
      } else if (out.addr && IsName(call.call)) {
        parts.push_back(SpecText(*out.addr));
      } else if (out.cred) {
        // The credentials are the result: shown below.
      } else if (out.ret) {
        parts.push_back(RangeText(*out.ret));
      } else {
        parts.push_back("success");
      }
      if (out.msg_flags) parts.push_back(absl::StrCat("flags ", FlagsToText(SymbolKind::kMsgFlag, *out.msg_flags)));
      if (out.addr && !IsName(call.call)) parts.push_back(absl::StrCat("from ", SpecText(*out.addr)));
      if (out.cred) {
        const Cred c = ExpectedCred(*out.cred, ctx);
        parts.push_back(CredText(c.pid, c.uid, c.gid));
      }
      if (out.rights_same_as) parts.push_back(absl::StrCat("rights(", out.rights_same_as->size(), " fds)"));
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
  } else if (IsRead(call.call)) {
    parts.push_back(absl::StrCat(obs.ret));
    parts.push_back(QuoteBytes(obs.data));
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
    if (!obs.rights.empty()) parts.push_back(absl::StrCat("rights(", obs.rights.size(), " fds)"));
  }
  if (!obs.signals.empty()) parts.push_back(SignalsText(obs.signals));
  std::string text = absl::StrJoin(parts, " ");
  for (const auto& [fd, what] : obs.leaked) {
    absl::StrAppend(&text, "; leaked fd ", fd, " (", what, ")");
  }
  return text;
}

}  // namespace sockspec
