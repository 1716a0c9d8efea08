#include "harness/record/notation.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/lang/case.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/os/sockopts.h"
#include "harness/os/symbols.h"
#include "harness/plan/calls.h"

namespace sockspec {
namespace {

constexpr int kScmPidfdType = 4;  // SCM_PIDFD: its data is an fd number

constexpr size_t kMinSlice = 8;  // bytes that must agree to name a slice

struct Piece {
  size_t payload = 0;  // index into payloads
  size_t from = 0;     // offset in the payload
  size_t length = 0;
};

// The longest slice of a payload that `bytes` starts with, if one is long
// enough to be no accident.
std::optional<Piece> LongestSlice(
    std::string_view bytes,
    const std::vector<std::pair<std::string, std::string>>& payloads) {
  std::optional<Piece> best;
  for (size_t p = 0; p < payloads.size(); ++p) {
    std::string_view body = payloads[p].second;
    if (body.empty()) continue;
    const size_t need = std::min({kMinSlice, body.size(), bytes.size()});
    std::string_view probe = bytes.substr(0, need);
    for (size_t at = body.find(probe); at != std::string_view::npos;
         at = body.find(probe, at + 1)) {
      size_t n = need;
      while (at + n < body.size() && n < bytes.size() && body[at + n] == bytes[n]) ++n;
      // Short matches count only when they are the whole payload.
      if (n < kMinSlice && n != body.size()) continue;
      if (!best || n > best->length) best = Piece{p, at, n};
    }
  }
  return best;
}

std::string SliceText(const std::string& name, size_t size, const Piece& s) {
  if (s.from == 0 && s.length == size) return name;
  if (s.from + s.length == size) return absl::StrCat(name, "[", s.from, ":]");
  return absl::StrCat(name, "[", s.from, ":", s.from + s.length, "]");
}

// `cred(A)`, `cred(harness)`, `cred(A, uid=0, gid=0)`.
absl::StatusOr<std::string> CredNotation(const Cred& c, const Notation& n) {
  const JudgeContext& ctx = *n.context;
  std::string who;
  int64_t uid = ctx.uid, gid = ctx.gid;
  if (c.pid == ctx.harness_pid) {
    who = "harness";
  } else {
    for (size_t p = 0; p < ctx.peer_pids.size() && p < n.peer_names.size(); ++p) {
      if (ctx.peer_pids[p] != c.pid) continue;
      who = n.peer_names[p];
      if (p < ctx.peer_uids.size()) uid = ctx.peer_uids[p];
      if (p < ctx.peer_gids.size()) gid = ctx.peer_gids[p];
    }
  }
  if (who.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "credentials of pid ", c.pid, ", which is no peer and not the harness"));
  }
  if (c.uid == uid && c.gid == gid) return absl::StrCat("cred(", who, ")");
  return absl::StrCat("cred(", who, ", uid=", c.uid, ", gid=", c.gid, ")");
}

// `rights(g=f, h)`: fresh names; `=f` where the fd is the same open file
// as one the plan knows.
std::string RightsNotation(const std::vector<FileId>& rights, const Notation& n) {
  std::set<std::string> taken(n.fd_names.begin(), n.fd_names.end());
  for (const auto& [name, bytes] : n.payloads) taken.insert(name);
  std::vector<std::string> items;
  int next = 0;
  for (const FileId& id : rights) {
    std::string name;
    do {
      name = next < 6 ? std::string(1, static_cast<char>('g' + next))
                      : absl::StrCat("got", next - 5);
      ++next;
    } while (taken.count(name));
    taken.insert(name);
    std::string same;
    for (const auto& [slot, known] : n.context->ids) {
      if (known == id && static_cast<size_t>(slot) < n.fd_names.size() && same.empty()) {
        same = n.fd_names[slot];
      }
    }
    items.push_back(same.empty() ? name : absl::StrCat(name, "=", same));
  }
  return absl::StrCat("rights(", absl::StrJoin(items, ", "), ")");
}

// The address an observed sockaddr is, as an expectation writes it
// (loopback ports are the kernel's choice: any port).
std::string AddressNotation(std::string_view raw, const JudgeContext& ctx) {
  if (raw.size() == sizeof(sa_family_t) + 6 && raw[sizeof(sa_family_t)] == '\0' &&
      std::all_of(raw.end() - 5, raw.end(),
                  [](char c) { return absl::ascii_isxdigit(c); })) {
    return "autobind";
  }
  // An abstract name padded with NULs past its end (bound with an addrlen
  // longer than the name): the name, and the length.
  const size_t path_at = sizeof(sa_family_t);
  if (raw.size() > path_at + 1 && raw[path_at] == '\0' && raw.back() == '\0') {
    size_t end = raw.size();
    while (end > path_at + 1 && raw[end - 1] == '\0') --end;
    std::string name =
        DescribeAddress(absl::string_view(raw.data(), end), ctx.abstract_prefix);
    if (absl::StartsWith(name, "abstract(")) {
      return absl::StrCat("addrlen(", name, ", ", raw.size(), ")");
    }
  }
  std::string text =
      DescribeAddress(absl::string_view(raw.data(), raw.size()), ctx.abstract_prefix);
  if (absl::StartsWith(text, "loopback4(")) return "loopback4";
  if (absl::StartsWith(text, "loopback6(")) return "loopback6";
  return text;
}

std::string ValueNotation(const Op& call, int64_t v) {
  const CallSpec& spec = SpecOf(call.call);
  if (spec.result == ResultKind::kRevents) {
    return FlagsToText(SymbolKind::kPollEvent, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETFL) {
    return FlagsToText(SymbolKind::kFileFlag, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETFD) {
    return FlagsToText(SymbolKind::kFdFlag, v);
  }
  if (call.call == Call::kFcntl && !call.ints.empty() && call.ints[0] == F_GETSIG &&
      v != 0 && !SymbolName(SymbolKind::kSignal, v).empty()) {
    return std::string(SymbolName(SymbolKind::kSignal, v));
  }
  if (call.call == Call::kGetsockopt && call.ints.size() >= 2 &&
      call.ints[0] == SOL_SOCKET && call.ints[1] == SO_TYPE) {
    std::string_view name = SymbolName(SymbolKind::kSockType, v);
    if (!name.empty()) return std::string(name);
  }
  return absl::StrCat(v);
}

// `pid(A)` for an owner query (F_GETOWN, FIOGETOWN, SIOCGPGRP) whose answer
// is a peer's pid (or the harness's), else nullopt.
std::optional<std::string> PidNotation(const Op& call, const Observation& obs,
                                       const Notation& n) {
  const bool owner =
      !call.ints.empty() &&
      ((call.call == Call::kFcntl && call.ints[0] == F_GETOWN) ||
       (call.call == Call::kIoctl && call.ints.size() == 1 &&
        (call.ints[0] == FIOGETOWN || call.ints[0] == SIOCGPGRP)));
  if (!owner || !obs.value || *obs.value == 0) return std::nullopt;
  const JudgeContext& ctx = *n.context;
  if (*obs.value == ctx.harness_pid) return std::string("pid(harness)");
  for (size_t p = 0; p < ctx.peer_pids.size() && p < n.peer_names.size(); ++p) {
    if (ctx.peer_pids[p] == *obs.value) {
      return absl::StrCat("pid(", n.peer_names[p], ")");
    }
  }
  return std::nullopt;
}

// getsockopt's value in its option's shape, then `optlen N` where the case
// passed an optlen.
absl::StatusOr<std::string> OptionNotation(const Op& call, const Observation& obs,
                                           const Notation& n) {
  const OptionInfo o = OptionOf(call.ints[0], call.ints[1]);
  std::string text;
  switch (o.shape) {
    case OptionShape::kPidfd:
      return absl::FailedPreconditionError(
          "SO_PEERPIDFD made a new fd: write pidfd(NAME=PEER)");
    case OptionShape::kUcred:
      if (obs.cred) {
        absl::StatusOr<std::string> c = CredNotation(*obs.cred, n);
        if (!c.ok()) return c.status();
        text = *c;
        break;
      }
      text = OptionValueText(o, obs.data);
      break;
    case OptionShape::kSymbol:
      text = ValueNotation(call, OptionInt(o, obs.data));
      if (text == absl::StrCat(OptionInt(o, obs.data))) {
        text = OptionValueText(o, obs.data);
      }
      break;
    case OptionShape::kInt:
    case OptionShape::kU64:
    case OptionShape::kErrno:
    case OptionShape::kTimeval:
    case OptionShape::kLinger:
    case OptionShape::kGids:
    case OptionShape::kBytes:
      text = OptionValueText(o, obs.data);
      break;
  }
  if (call.ints[2] >= 0) absl::StrAppend(&text, " optlen ", obs.data.size());
  return text;
}

// recvmmsg: `msg("ab"), msg(m[0:4], len=10, flags=MSG_TRUNC)`; sendmmsg:
// the count when every message went whole, else `msg(len=N)` each.
std::string MessagesNotation(const Op& call, const Observation& obs,
                             const Notation& n) {
  std::vector<std::string> items;
  if (call.call == Call::kSendmmsg) {
    // ints after the flags: per message, its iovec count and their lengths.
    std::vector<int64_t> sizes;
    for (size_t i = 1; i < call.ints.size(); i += 1 + std::max<int64_t>(call.ints[i], 0)) {
      int64_t total = 0;
      for (int64_t k = 1; k <= call.ints[i] && i + k < call.ints.size(); ++k) {
        total += call.ints[i + k];
      }
      sizes.push_back(total);
    }
    bool whole = obs.messages.size() <= sizes.size();
    for (size_t i = 0; i < obs.messages.size(); ++i) {
      whole = whole && i < sizes.size() && obs.messages[i].len == sizes[i];
      items.push_back(absl::StrCat("msg(len=", obs.messages[i].len, ")"));
    }
    return whole ? absl::StrCat(obs.ret) : absl::StrJoin(items, ", ");
  }
  for (const Observation::MessageResult& m : obs.messages) {
    std::string text = absl::StrCat("msg(", DataNotation(m.data, n.payloads));
    if (m.len != static_cast<int64_t>(m.data.size())) absl::StrAppend(&text, ", len=", m.len);
    if (m.flags != 0) {
      absl::StrAppend(&text, ", flags=", FlagsToText(SymbolKind::kMsgFlag, m.flags));
    }
    items.push_back(text + ")");
  }
  return items.empty() ? absl::StrCat(obs.ret) : absl::StrJoin(items, ", ");
}

}  // namespace

std::string DataNotation(
    std::string_view bytes,
    const std::vector<std::pair<std::string, std::string>>& payloads) {
  if (bytes.empty()) return "\"\"";
  std::vector<std::string> parts;
  std::string literal;
  size_t pos = 0;
  while (pos < bytes.size()) {
    std::optional<Piece> s = LongestSlice(bytes.substr(pos), payloads);
    if (!s) {
      literal.push_back(bytes[pos++]);
      continue;
    }
    if (!literal.empty()) parts.push_back(QuoteLiteral(literal));
    literal.clear();
    const auto& [name, body] = payloads[s->payload];
    parts.push_back(SliceText(name, body.size(), *s));
    pos += s->length;
  }
  if (!literal.empty()) parts.push_back(QuoteLiteral(literal));
  return absl::StrJoin(parts, " + ");
}

absl::StatusOr<std::string> AnswerNotation(const Op& call, const Observation& obs,
                                   const Notation& n) {
  if (!obs.harness_error.empty()) {
    return absl::FailedPreconditionError("harness error: " + obs.harness_error);
  }
  const CallSpec& spec = SpecOf(call.call);
  if (!obs.leaked.empty() && spec.ancillary != Ancillary::kReceive) {
    return absl::FailedPreconditionError(
        absl::StrCat("the call left ", obs.leaked.size(), " fd(s) open unnamed"));
  }
  std::vector<std::string> parts;
  if (obs.ret < 0) {
    parts.push_back(ErrnoName(obs.err));
  } else {
    switch (ResultOf(spec, call.ints)) {
      case ResultKind::kFd:
      case ResultKind::kFdPair:
        return absl::FailedPreconditionError(
            "the call made a new fd: write the name it gets");
      case ResultKind::kCount:
        parts.push_back(absl::StrCat(obs.ret));
        break;
      case ResultKind::kData:
        if (obs.data.empty() && obs.ret == 0) {
          parts.push_back("0");
        } else {
          if (obs.ret != static_cast<int64_t>(obs.data.size())) {
            parts.push_back(absl::StrCat(obs.ret));
          }
          parts.push_back(DataNotation(obs.data, n.payloads));
        }
        break;
      case ResultKind::kRevents:
      case ResultKind::kValue:
        if (call.call == Call::kGetsockopt && call.ints.size() >= 3) {
          absl::StatusOr<std::string> v = OptionNotation(call, obs, n);
          if (!v.ok()) return v.status();
          parts.push_back(*v);
        } else if (obs.cred && !obs.value) {
          absl::StatusOr<std::string> c = CredNotation(*obs.cred, n);
          if (!c.ok()) return c.status();
          parts.push_back(*c);
        } else if (std::optional<std::string> pid = PidNotation(call, obs, n)) {
          parts.push_back(*pid);
        } else {
          parts.push_back(ValueNotation(call, obs.value.value_or(obs.ret)));
        }
        break;
      case ResultKind::kReady:
        parts.push_back(ReadyText(call.call, obs.ready, n.fd_names));
        break;
      case ResultKind::kAddress:
        parts.push_back(obs.addr ? AddressNotation(*obs.addr, *n.context)
                                 : std::string("unnamed"));
        break;
      case ResultKind::kMessages:
        parts.push_back(MessagesNotation(call, obs, n));
        break;
    }
    if (obs.msg_flags && *obs.msg_flags != 0) {
      parts.push_back(absl::StrCat("flags ", FlagsToText(SymbolKind::kMsgFlag, *obs.msg_flags)));
    }
    if (call.call == Call::kRecvfrom && obs.addr && !obs.addr->empty()) {
      parts.push_back(absl::StrCat("from ", AddressNotation(*obs.addr, *n.context)));
    }
    if (spec.ancillary == Ancillary::kReceive) {
      for (const Observation::ControlMessage& c : obs.cmsgs) {
        if (StatedElsewhere(c)) continue;
        std::string_view type = c.level == SOL_SOCKET
                                    ? SymbolName(SymbolKind::kCmsgType, c.type)
                                    : std::string_view();
        if (type.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "a control message of unknown type arrived (level ", c.level,
              ", type ", c.type, ", ", c.data.size(), " bytes)"));
        }
        std::string value;
        if (c.type == SCM_CREDENTIALS) {
          value = absl::StrCat(", bytes=", c.data.size());  // cut short
        } else if (c.data.size() == sizeof(int) && c.type != kScmPidfdType) {
          int v;
          memcpy(&v, c.data.data(), sizeof v);
          value = absl::StrCat(", ", v);
        }
        parts.push_back(absl::StrCat("cmsg(SOL_SOCKET, ", std::string(type), value, ")"));
      }
      if (!obs.rights.empty()) parts.push_back(RightsNotation(obs.rights, n));
      if (obs.cred) {
        absl::StatusOr<std::string> c = CredNotation(*obs.cred, n);
        if (!c.ok()) return c.status();
        parts.push_back(*c);
      }
    }
  }
  if (!obs.signals.empty()) {
    std::vector<std::string> names;
    for (int s : obs.signals) names.push_back(SignalName(s));
    parts.push_back(absl::StrCat("signal ", absl::StrJoin(names, "|")));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace sockspec
