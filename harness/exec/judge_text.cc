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
    case K::kNone: break;
  }
  return "no address";
}

std::string CredText(int64_t pid, int64_t uid, int64_t gid) {
  return absl::StrCat("cred(pid=", pid, ", uid=", uid, ", gid=", gid, ")");
}

// `rights(g=x, h)` as the outcome states it.
std::string RightsText(const Op& call, const std::vector<int>& same,
                       const JudgeContext& ctx) {
  std::vector<std::string> items;
  for (size_t i = 0; i < same.size(); ++i) {
    std::string name = i < call.results.size() ? SlotName(ctx, call.results[i])
                                               : absl::StrCat("fd ", i + 1);
    items.push_back(same[i] < 0 ? name
                                : absl::StrCat(name, "=", SlotName(ctx, same[i])));
  }
  return absl::StrCat("rights(", FoldRepeats(items), ")");
}

// `rights(g=x, h=?)` as received: each fd named by the case's result name
// and by the named fd it is the same open file as ("=(new file ino N)" when
// it is none the case knows); fds the case does not name as "(unnamed)".
std::string ReceivedRightsText(const Op& call, const Observation& obs,
                               const JudgeContext& ctx) {
  std::vector<std::string> items;
  size_t unnamed = 0;
  for (size_t i = 0; i < obs.rights.size(); ++i) {
    const bool named = i < call.results.size();
    if (!named) ++unnamed;
    std::string same;
    for (const auto& [slot, id] : ctx.ids) {
      bool own = std::find(call.results.begin(), call.results.end(), slot) !=
                 call.results.end();
      if (!own && id == obs.rights[i]) {
        same = SlotName(ctx, slot);
        break;
      }
    }
    if (same.empty()) same = absl::StrCat("(a file no fd names, ino ", obs.rights[i].ino, ")");
    items.push_back(absl::StrCat(named ? SlotName(ctx, call.results[i]) : "(unnamed)",
                                 "=", same));
  }
  std::string text = absl::StrCat("rights(", FoldRepeats(items), ")");
  if (unnamed > 0) {
    absl::StrAppend(&text, "; ", unnamed, unnamed == 1 ? " fd" : " fds",
                    " arrived that the case does not name (closed)");
  }
  return text;
}

std::string CmsgTypeText(int level, int type) {
  std::string_view t = level == SOL_SOCKET ? SymbolName(SymbolKind::kCmsgType, type)
                                           : std::string_view();
  std::string_view l = SymbolName(SymbolKind::kLevel, level);
  return absl::StrCat(l.empty() ? absl::StrCat(level) : std::string(l), ", ",
                      t.empty() ? absl::StrCat(type) : std::string(t));
}

// The control messages other than rights and credentials, as cmsg(...);
// an unknown type shows its level and type numbers and its size.
std::string CmsgsText(const std::vector<Observation::ControlMessage>& got) {
  std::vector<std::string> parts;
  for (const Observation::ControlMessage& c : got) {
    if (StatedElsewhere(c)) continue;
    const bool known = c.level == SOL_SOCKET &&
                       !SymbolName(SymbolKind::kCmsgType, c.type).empty();
    std::string value;
    if (c.data.size() == sizeof(int) && known && c.type != SCM_CREDENTIALS) {
      int v;
      memcpy(&v, c.data.data(), sizeof v);
      value = absl::StrCat(", ", v);
    } else if (!known || c.type == SCM_CREDENTIALS || !c.data.empty()) {
      value = absl::StrCat(", bytes=", c.data.size());
    }  // else SCM_PIDFD: its fd was closed, nothing to show
    parts.push_back(absl::StrCat("cmsg(", CmsgTypeText(c.level, c.type), value,
                                 ")", known ? "" : " (unknown type)"));
  }
  return absl::StrJoin(parts, " ");
}

std::string ExpectedCmsgsText(const std::vector<Outcome::Cmsg>& want) {
  std::vector<std::string> parts;
  for (const Outcome::Cmsg& c : want) {
    parts.push_back(absl::StrCat("cmsg(", CmsgTypeText(c.level, c.type),
                                 c.value ? absl::StrCat(", ", *c.value) : "",
                                 c.bytes ? absl::StrCat(", bytes=", *c.bytes) : "",
                                 ")"));
  }
  return absl::StrJoin(parts, " ");
}

std::string MessageText(const std::optional<std::string>& data,
                        const std::optional<Range>& len,
                        const std::optional<int>& flags) {
  std::vector<std::string> items;
  if (data) items.push_back(QuoteBytes(*data));
  if (len) items.push_back(absl::StrCat("len=", RangeText(*len)));
  if (flags) {
    items.push_back(absl::StrCat("flags=", FlagsToText(SymbolKind::kMsgFlag, *flags)));
  }
  return absl::StrCat("msg(", absl::StrJoin(items, ", "), ")");
}

}  // namespace

std::string FoldRepeats(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (size_t i = 0; i < items.size();) {
    size_t j = i;
    while (j < items.size() && items[j] == items[i]) ++j;
    out.push_back(j - i > 1 ? absl::StrCat(items[i], " \u00d7 ", j - i) : items[i]);
    i = j;
  }
  return absl::StrJoin(out, ", ");
}

bool StatedElsewhere(const Observation::ControlMessage& c) {
  if (c.level != SOL_SOCKET) return false;
  return c.type == SCM_RIGHTS ||
         (c.type == SCM_CREDENTIALS && c.data.size() >= sizeof(ucred));
}

std::string SlotName(const JudgeContext& ctx, int slot) {
  if (slot >= 0 && static_cast<size_t>(slot) < ctx.fd_names.size()) {
    return ctx.fd_names[slot];
  }
  return absl::StrCat("slot ", slot);
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
      if (out.rights_same_as) parts.push_back(RightsText(call, *out.rights_same_as, ctx));
      if (!out.cmsgs.empty()) parts.push_back(ExpectedCmsgsText(out.cmsgs));
      if (out.messages) {
        std::vector<std::string> msgs;
        for (const Outcome::Message& m : *out.messages) {
          msgs.push_back(MessageText(m.data, m.len, m.flags));
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
    std::string others = CmsgsText(obs.cmsgs);
    if (!others.empty()) parts.push_back(others);
    if (!obs.rights.empty()) parts.push_back(ReceivedRightsText(call, obs, ctx));
    if (SpecOf(call.call).result == ResultKind::kMessages) {
      const bool receive = call.call == Call::kRecvmmsg;
      std::vector<std::string> msgs;
      for (const Observation::MessageResult& m : obs.messages) {
        // As a case writes it: len= only where it is not the data's size,
        // flags= only when set.
        std::optional<Range> len;
        if (!receive || m.len != static_cast<int64_t>(m.data.size())) {
          len = Range::Exactly(m.len);
        }
        std::optional<int> flags;
        if (m.flags != 0) flags = m.flags;
        msgs.push_back(MessageText(receive ? std::optional<std::string>(m.data)
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
