// Lowering of step results (`= RESULT or RESULT`, attributes) to Outcomes:
// which result kinds each call may have, and what they bind.
#include <sys/socket.h>

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/os/symbols.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {
namespace internal {
namespace {

bool IsDataExpr(const Expr& e) {
  return e.kind == Expr::Kind::kString || e.kind == Expr::Kind::kSlice ||
         e.kind == Expr::Kind::kConcat ||
         (e.kind == Expr::Kind::kName && IsLower(e.text) && e.text != "any");
}

bool IsCount(const Expr& e) {
  return e.kind == Expr::Kind::kInt || e.kind == Expr::Kind::kRange ||
         (e.kind == Expr::Kind::kName && e.text == "any");
}

bool IsFdName(const Expr& e) {
  return (e.kind == Expr::Kind::kName || e.kind == Expr::Kind::kIndex) &&
         IsLower(e.text);
}

const std::vector<SymbolKind>& ValueKinds() {
  static const std::vector<SymbolKind>* const kKinds =
      new std::vector<SymbolKind>{
          SymbolKind::kDomain,   SymbolKind::kSockType,  SymbolKind::kSockFlag,
          SymbolKind::kMsgFlag,  SymbolKind::kLevel,     SymbolKind::kSockOpt,
          SymbolKind::kShutHow,  SymbolKind::kPollEvent, SymbolKind::kFcntlCmd,
          SymbolKind::kFileFlag, SymbolKind::kFdFlag,    SymbolKind::kIoctl,
          SymbolKind::kSignal};
  return *kKinds;
}

}  // namespace

// A count: `5`, `1..4096`, `any`.
static bool CountRange(const Expr& e, Range* out) {
  if (e.kind == Expr::Kind::kInt) {
    *out = Range::Exactly(e.value);
  } else if (e.kind == Expr::Kind::kRange) {
    *out = Range{e.value, e.value2};
  } else {
    *out = Range{0, std::numeric_limits<int64_t>::max()};
  }
  return true;
}

bool RowLowering::LowerValue(const Expr& e, const CallSpec& spec,
                             Outcome* out) {
  if (IsRunTimeNumber(e) && spec.result != ResultKind::kRevents &&
      spec.result != ResultKind::kAddress && spec.result != ResultKind::kFd &&
      spec.result != ResultKind::kFdPair) {
    return LowerExpectedNumber(e, spec.result == ResultKind::kValue, out);
  }
  if (e.kind == Expr::Kind::kRange && e.items.empty() && e.value > e.value2) {
    Error(e.loc, absl::StrCat("empty range ", PrintExpr(e)));
    return false;
  }
  switch (spec.result) {
    case ResultKind::kRevents: {
      int64_t v;
      if (!LowerSymbols(
              e, {"revents", ArgKind::kSymbols, {SymbolKind::kPollEvent}},
              &v)) {
        return false;
      }
      out->value = Range::Exactly(v);
      return true;
    }
    case ResultKind::kValue: {
      if (e.kind == Expr::Kind::kApply && e.text == "pid") {
        int who;
        if (!LowerPid(e, &who)) return false;
        out->value_pid_of = who;
        return true;
      }
      if (e.kind == Expr::Kind::kApply && e.text == "cred") {
        CredSpec cred;
        if (!LowerCred(e, &cred)) return false;
        out->cred = cred;
        return true;
      }
      if (IsCount(e) && !(e.kind == Expr::Kind::kName)) {
        Range r;
        CountRange(e, &r);
        out->value = r;
        return true;
      }
      int64_t v;
      if (!LowerSymbols(e, {"value", ArgKind::kSymbols, ValueKinds()}, &v)) {
        return false;
      }
      out->value = Range::Exactly(v);
      return true;
    }
    case ResultKind::kAddress: {
      AddressSpec addr;
      if (!LowerAddress(e, /*expectation=*/true, &addr)) return false;
      out->addr = addr;
      return true;
    }
    case ResultKind::kCount:
    case ResultKind::kFd:
    case ResultKind::kFdPair:
    case ResultKind::kData:
    case ResultKind::kReady:
    case ResultKind::kMessages:
      break;
  }
  if (IsCount(e)) {
    Range r;
    CountRange(e, &r);
    out->ret = r;
    return true;
  }
  if (IsDataExpr(e)) {
    if (spec.result != ResultKind::kData) {
      Error(e.loc, absl::StrCat("data result on '", spec.name,
                                "': only reads return data"));
      return false;
    }
    std::string data;
    if (!LowerData(e, &data, &out->dynamic)) return false;
    out->data = std::move(data);
    return true;
  }
  Error(e.loc,
        absl::StrCat("expected a count, a range, 'any'",
                     spec.result == ResultKind::kData ? ", data" : "",
                     " or an errno for '", spec.name, "', found ", Shown(e)));
  return false;
}

bool RowLowering::LowerOutcome(const Alternative& alt, const CallSpec& spec,
                               int holder, int iteration, Binds* binds,
                               Outcome* out) {
  out->loc = alt.loc;
  const std::vector<Expr>& v = alt.values;
  if (v.empty()) {
    Error(alt.loc, "expected a result");
    return false;
  }
  const Expr& first = v[0];
  if (v.size() == 1 && IsCaptureVar(first) && alt.attrs.empty() &&
      captures_.count(first.text) &&
      captures_.at(first.text).loc.line == first.loc.line &&
      captures_.at(first.text).loc.col == first.loc.col) {
    // `= $name`, bound here (BindCapture): any success; its value is kept.
    return true;
  }
  if (first.kind == Expr::Kind::kName && IsErrnoLike(first.text) &&
      ((spec.result != ResultKind::kValue &&
        spec.result != ResultKind::kReady) ||
       LookupSymbol(first.text, SymbolKind::kErrno))) {
    auto err = LookupSymbol(first.text, SymbolKind::kErrno);
    if (!err) {
      Error(first.loc, absl::StrCat("unknown errno '", first.text, "'", [&] {
              std::string h = ClosestSymbol(first.text, {SymbolKind::kErrno});
              return h.empty() ? std::string()
                               : absl::StrCat(" (did you mean '", h, "'?)");
            }()));
      return false;
    }
    if (v.size() > 1) {
      Error(v[1].loc, "an errno result stands alone");
      return false;
    }
    out->kind = Outcome::Kind::kErrno;
    out->err = static_cast<int>(*err);
  } else if (spec.result == ResultKind::kReady) {
    if (!LowerReady(alt, spec, out)) return false;
  } else if (spec.result == ResultKind::kFd ||
             spec.result == ResultKind::kFdPair) {
    size_t want = spec.result == ResultKind::kFd ? 1 : 2;
    for (size_t i = 0; i < v.size() || i < want; ++i) {
      if (i >= v.size() || i >= want || !IsFdName(v[i])) {
        const Location& at = i < v.size() ? v[i].loc : v.back().loc;
        Error(at, absl::StrCat("'", spec.name, "' returns ",
                               want == 1 ? "a new fd: name it (= s)"
                                         : "two new fds: name them (= a, b)"));
        return false;
      }
      std::string name;
      if (!FdName(v[i], iteration, &name)) return false;
      binds->emplace_back(name, v[i].loc);
    }
  } else if (spec.result == ResultKind::kMessages &&
             first.kind == Expr::Kind::kApply && first.text == "msg") {
    // `msg("ab"), msg("cd", flags=MSG_TRUNC)`: one per message handled.
    std::vector<Outcome::Message> messages;
    for (const Expr& e : v) {
      Outcome::Message m;
      if (!LowerMessage(e, spec, &m)) return false;
      messages.push_back(std::move(m));
    }
    out->ret = Range::Exactly(static_cast<int64_t>(messages.size()));
    out->messages = std::move(messages);
  } else if (spec.result == ResultKind::kData && v.size() == 2 &&
             v[0].kind == Expr::Kind::kInt && IsDataExpr(v[1])) {
    // `100 m1[0:10]`: recv(MSG_TRUNC) returns more than it copies.
    out->ret = Range::Exactly(v[0].value);
    std::string data;
    if (!LowerData(v[1], &data)) return false;
    out->data = std::move(data);
  } else {
    if (v.size() > 1) {
      Error(v[1].loc, absl::StrCat("'", spec.name, "' has one result value",
                                   spec.result == ResultKind::kData
                                       ? " (or a count and data: 5 \"hello\")"
                                       : ""));
      return false;
    }
    if (spec.call == Call::kGetsockopt) {
      if (!LowerOptionResult(first, binds, out)) return false;
    } else if (!LowerValue(first, spec, out)) {
      return false;
    }
  }
  for (const Attribute& a : alt.attrs) {
    if (!LowerAttribute(a, spec, binds, out)) return false;
  }
  if (!CheckOptlenStated(alt, spec, *out)) return false;
  (void)holder;
  return true;
}

bool RowLowering::LowerAttribute(const Attribute& a, const CallSpec& spec,
                                 Binds* binds, Outcome* out) {
  // recvmsg's msg_flags and ancillary results.
  const bool recvmsg = spec.ancillary == Ancillary::kReceive;
  if (a.key == "optlen") return LowerOptlenAttribute(a, spec, out);
  if (a.key == "signal") return LowerSignalAttribute(a, out);
  if (a.key == "flags") {
    if (!recvmsg) {
      Error(a.loc, absl::StrCat("'flags' is recvmsg's msg_flags; '", spec.name,
                                "' has none"));
      return false;
    }
    int64_t v;
    if (!LowerSymbols(a.value,
                      {"flags", ArgKind::kSymbols, {SymbolKind::kMsgFlag}},
                      &v)) {
      return false;
    }
    out->msg_flags = static_cast<int>(v);
    return true;
  }
  if (a.key == "from") {
    if (!spec.source_address) {
      Error(a.loc, absl::StrCat("'from' is for recvfrom, recvmsg and accept; '",
                                spec.name, "' has no source address"));
      return false;
    }
    AddressSpec addr;
    if (!LowerAddress(a.value, /*expectation=*/true, &addr)) return false;
    out->addr = addr;
    return true;
  }
  if (!recvmsg) {
    Error(a.loc, absl::StrCat("'", a.key, "(...)' is a recvmsg result; '",
                              spec.name, "' receives no ancillary data"));
    return false;
  }
  if (a.key == "cred") {
    CredSpec cred;
    if (!LowerCred(a.value, &cred)) return false;
    out->cred = cred;
    return true;
  }
  if (a.key == "cmsg") return LowerCmsg(a.value, out);
  std::vector<int> same;
  for (const Expr& e : a.value.items) {
    const Expr* name = &e;
    int sender = -1;
    if (e.kind == Expr::Kind::kKeyValue && e.items.size() == 1) {
      name = &e.items[0];
      std::string sender_name;
      if (!FdName(e.items[0], -1, &sender_name)) return false;
      sender = SlotOf(sender_name);
      if (sender < 0) {
        Error(e.items[0].loc,
              absl::StrCat("undeclared fd '", sender_name, "'"));
        return false;
      }
      binds->emplace_back(e.text, e.loc);
    } else {
      std::string n;
      if (!FdName(*name, -1, &n)) return false;
      binds->emplace_back(n, e.loc);
    }
    same.push_back(sender);
  }
  out->rights_same_as = std::move(same);
  return true;
}

}  // namespace internal
}  // namespace sockspec
