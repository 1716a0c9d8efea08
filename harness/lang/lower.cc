// Lowering of step arguments and results to plan fields: the half of
// validate that knows what each call's arguments and results may be.
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/lang/payload.h"
#include "harness/os/symbols.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {
namespace internal {
namespace {

// Bytes one instance (one matrix row) may send or expect, over all its
// operations.
constexpr int64_t kMaxCaseDataBytes = 64ll << 20;

std::string Shown(const Expr& e) {
  std::string s = PrintExpr(e);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return absl::StrCat("'", s, "'");
}

std::string Hint(const std::string& hint) {
  return hint.empty() ? "" : absl::StrCat(" (did you mean '", hint, "'?)");
}

bool IsLower(const std::string& s) {
  return !s.empty() && s[0] >= 'a' && s[0] <= 'z';
}

bool IsErrnoLike(const std::string& s) {
  if (s.size() < 2 || s[0] != 'E') return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// "an address family", "a socket type or socket flag".
std::string KindList(const std::vector<SymbolKind>& kinds) {
  std::vector<std::string> names;
  for (SymbolKind k : kinds) names.emplace_back(SymbolKindName(k));
  std::string out = absl::StrJoin(names, " or ");
  bool vowel =
      !out.empty() && std::string("aeiou").find(out[0]) != std::string::npos;
  return absl::StrCat(vowel ? "an " : "a ", out);
}

std::string ArityMessage(const CallSpec& spec, size_t got) {
  size_t n = spec.args.size();
  size_t m = spec.optional.size();
  std::string count = m == 0 ? absl::StrCat(n) : absl::StrCat(n, " to ", n + m);
  return absl::StrCat("'", spec.name, "' takes ", count,
                      n + m == 1 ? " argument (" : " arguments (",
                      DescribeArgs(spec), "), got ", got);
}

}  // namespace

bool RowLowering::FdName(const Expr& e, int iteration, std::string* name) {
  if (e.kind == Expr::Kind::kName && IsLower(e.text)) {
    *name = e.text;
    return true;
  }
  if (e.kind == Expr::Kind::kIndex && IsLower(e.text)) {
    if (e.empty_index) {
      if (iteration < 0) {
        Error(e.loc, absl::StrCat("'", e.text,
                                  "[]' names the fd of each "
                                  "repetition: use it in a 'repeat' step or "
                                  "write ",
                                  e.text, "[N]"));
        return false;
      }
      *name = absl::StrCat(e.text, "[", iteration, "]");
      return true;
    }
    if (e.value < 0 || e.value >= kMaxRepeat) {
      Error(e.loc, absl::StrCat("fd index ", e.value, " is out of range"));
      return false;
    }
    *name = absl::StrCat(e.text, "[", e.value, "]");
    return true;
  }
  if (e.kind == Expr::Kind::kName && FindSymbol(e.text) != nullptr) {
    Error(e.loc, absl::StrCat("expected an fd, found symbol '", e.text, "'"));
  } else {
    Error(e.loc, absl::StrCat("expected an fd, found ", Shown(e)));
  }
  return false;
}

bool RowLowering::LowerFd(const Expr& e, int holder, int iteration, int* slot) {
  if (e.kind == Expr::Kind::kName && e.text == "badfd") {
    *slot = kBadFdSlot;  // a number no fd of the process has: EBADF
    return true;
  }
  std::string name;
  if (!FdName(e, iteration, &name)) return false;
  int s = SlotOf(name);
  if (s < 0) {
    std::vector<std::string> known;
    for (const auto& k : slots_) known.push_back(k.first);
    Error(e.loc, absl::StrCat("undeclared fd '", name, "'",
                              Hint(ClosestName(name, known))));
    return false;
  }
  if (!held_[holder + 1].count(s)) {
    auto closed = closed_[holder + 1].find(s);
    if (closed != closed_[holder + 1].end()) {
      Error(e.loc,
            absl::StrCat("fd '", name, "' is used after close (closed at ",
                         closed->second.line, ":", closed->second.col, ")"));
    } else {
      Error(e.loc, absl::StrCat("fd '", name, "' is not held by ",
                                HolderName(holder)));
    }
    return false;
  }
  *slot = s;
  return true;
}

bool RowLowering::LowerInt(const Expr& e, const char* what, int64_t* out) {
  if (e.kind != Expr::Kind::kInt) {
    Error(e.loc,
          absl::StrCat("expected a number for '", what, "', found ", Shown(e)));
    return false;
  }
  *out = e.value;
  return true;
}

bool RowLowering::LowerSymbols(const Expr& e, const ArgSpec& arg,
                               int64_t* out) {
  // A number, a flag set, or a symbol; any other expression is an error.
  // Signals are names only: a number (signal 0) could never be delivered.
  if (e.kind == Expr::Kind::kInt && arg.symbols.size() == 1 &&
      arg.symbols[0] == SymbolKind::kSignal) {
    Error(e.loc, absl::StrCat("'", arg.name,
                              "' takes a signal name (SIGPIPE, SIGUSR1, ...), "
                              "not the number ",
                              e.value));
    return false;
  }
  if (e.kind == Expr::Kind::kInt) {
    *out = e.value;
    return true;
  }
  if (e.kind == Expr::Kind::kFlags) {
    int64_t v = 0;
    for (const Expr& item : e.items) {
      int64_t bit;
      if (!LowerSymbols(item, arg, &bit)) return false;
      v |= bit;
    }
    *out = v;
    return true;
  }
  if (e.kind == Expr::Kind::kName) {
    const Symbol* sym = FindSymbol(e.text);
    if (sym == nullptr) {
      std::string hint = ClosestSymbol(e.text, arg.symbols);
      if (IsErrnoLike(e.text) && arg.symbols.size() == 1 &&
          arg.symbols[0] == SymbolKind::kErrno) {
        Error(e.loc,
              absl::StrCat("unknown errno '", e.text, "'", Hint(hint)));
      } else {
        Error(e.loc,
              absl::StrCat("unknown symbol '", e.text, "'", Hint(hint)));
      }
      return false;
    }
    for (SymbolKind k : arg.symbols) {
      if (sym->kind == k) {
        *out = sym->value;
        return true;
      }
    }
    Error(e.loc,
          absl::StrCat("'", arg.name, "' takes ", KindList(arg.symbols),
                       ", not '", e.text, "' (", KindList({sym->kind}), ")"));
    return false;
  }
  Error(e.loc, absl::StrCat("expected ", KindList(arg.symbols), " for '",
                            arg.name, "', found ", Shown(e)));
  return false;
}

bool RowLowering::CountData(const Expr& e, int64_t bytes) {
  const bool was_over = *total_data_ > kMaxCaseDataBytes;
  *total_data_ += bytes;
  if (*total_data_ <= kMaxCaseDataBytes) return true;
  // One mistake, one error: the step that crosses the budget is reported;
  // later steps of the row fail quietly (the row is already invalid).
  if (!was_over) {
    Error(e.loc,
          "this instance sends or expects more than 64 MiB (the budget of "
          "one matrix row)");
  }
  return false;
}

bool RowLowering::LowerData(const Expr& e, std::string* out,
                            std::vector<DynamicInt>* dynamic) {
  if (e.kind == Expr::Kind::kString) {
    if (!CountData(e, static_cast<int64_t>(e.text.size()))) return false;
    *out += e.text;
    return true;
  }
  if (e.kind == Expr::Kind::kConcat) {
    for (const Expr& item : e.items) {
      if (!LowerData(item, out)) return false;
    }
    return true;
  }
  if ((e.kind != Expr::Kind::kName && e.kind != Expr::Kind::kSlice) ||
      !IsLower(e.text)) {
    Error(e.loc,
          absl::StrCat("expected data (a payload, a slice, a string or a "
                       "'+' of them), found ",
                       Shown(e)));
    return false;
  }
  auto it = payloads_.find(e.text);
  if (it == payloads_.end()) {
    std::vector<std::string> known;
    for (const auto& p : payloads_) known.push_back(p.first);
    Error(e.loc, absl::StrCat("undefined payload '", e.text, "'",
                              Hint(ClosestName(e.text, known))));
    return false;
  }
  int64_t size = it->second;
  int64_t begin = 0;
  int64_t end = size;
  if (e.kind == Expr::Kind::kSlice && !e.items.empty()) {
    // `m[0:$n]`: the whole payload goes in; the executor cuts it when the
    // step runs.
    if (dynamic == nullptr) {
      Error(e.loc, absl::StrCat("a slice with run-time ends stands alone as "
                                "the data, not inside a '+'"));
      return false;
    }
    using T = DynamicInt::Target;
    for (size_t k = 0; k < e.items.size(); ++k) {
      int64_t v = 0;
      std::optional<IntExpr> dyn;
      if (!LowerNumber(e.items[k], "slice", &v, &dyn)) return false;
      if (!dyn) {
        dyn = IntExpr();
        dyn->postfix.push_back({IntExpr::Term::Kind::kConst, v});
        dyn->text = absl::StrCat(v);
      }
      dynamic->push_back({k == 0 ? T::kDataBegin : T::kDataEnd, 0, *dyn});
    }
  } else if (e.kind == Expr::Kind::kSlice) {
    begin = e.value;
    end = e.open_end ? size : e.value2;
    if (begin < 0 || begin > end || end > size) {
      Error(e.loc, absl::StrCat("slice ", PrintExpr(e).substr(e.text.size()),
                                " is out of range for payload '", e.text,
                                "' of ", size, " bytes"));
      return false;
    }
  }
  if (!CountData(e, end - begin)) return false;
  auto text = payload_text_.find(e.text);
  if (text != payload_text_.end()) {
    *out += text->second.substr(static_cast<size_t>(begin),
                                static_cast<size_t>(end - begin));
  } else {
    *out += PayloadBytes(e.text, begin, end - begin);
  }
  return true;
}

bool RowLowering::LowerAddress(const Expr& e, bool expectation,
                               AddressSpec* out) {
  using AK = AddressSpec::Kind;
  const char* kExpected =
      "expected an address (path(\"x\"), abstract(\"x\"), unnamed, loopback4, "
      "loopback6, addr(fd), longpath(N), unspec, family(AF_X), "
      "sockaddr(AF_X, \"bytes\"), addrlen(ADDRESS, N), badptr)";
  bool handled = false;
  if (!LowerRawAddress(e, out, &handled)) return false;
  if (handled && expectation && out->kind == AK::kBadPointer) {
    Error(e.loc, "'badptr' is an argument, not an address a call gives back");
    return false;
  }
  if (handled && expectation && out->addrlen && *out->addrlen < 0) {
    Error(e.loc, "an addrlen of -1 is an argument, not an address a call gives back");
    return false;
  }
  if (handled) return true;
  if (e.kind == Expr::Kind::kName) {
    if (e.text == "unnamed") {
      out->kind = AK::kUnnamed;
    } else if (e.text == "autobind" && expectation) {
      out->kind = AK::kAutobind;
    } else if (e.text == "autobind") {
      Error(e.loc, "'autobind' is a result; bind to 'unnamed' to autobind");
      return false;
    } else if (e.text == "loopback4" || e.text == "loopback6") {
      out->kind = e.text == "loopback4" ? AK::kInet4 : AK::kInet6;
    } else {
      Error(e.loc, absl::StrCat(kExpected, ", found ", Shown(e)));
      return false;
    }
    return true;
  }
  if (e.kind != Expr::Kind::kApply) {
    Error(e.loc, absl::StrCat(kExpected, ", found ", Shown(e)));
    return false;
  }
  const std::string& f = e.text;
  bool one_string =
      e.items.size() == 1 && e.items[0].kind == Expr::Kind::kString;
  bool one_int = e.items.size() == 1 && e.items[0].kind == Expr::Kind::kInt;
  if (f == "path" || f == "abstract") {
    if (!one_string) {
      Error(e.loc,
            absl::StrCat("'", f, "' takes one string: ", f, "(\"srv\")"));
      return false;
    }
    const std::string& name = e.items[0].text;
    if (f == "path" &&
        (name.empty() || name.find('/') != std::string::npos || name == "." ||
         name == ".." || name.find('\0') != std::string::npos)) {
      Error(e.items[0].loc,
            "a path(...) name is one relative file name: not "
            "empty, no '/', no NUL, not '.' or '..'");
      return false;
    }
    out->kind = f == "path" ? AK::kPath : AK::kAbstract;
    out->name = name;
    return true;
  }
  if (f == "loopback4" || f == "loopback6") {
    if (!one_int || e.items[0].value < 0 || e.items[0].value > 65535) {
      Error(e.loc, absl::StrCat("'", f, "' takes one port number, 0 to 65535"));
      return false;
    }
    out->kind = f == "loopback4" ? AK::kInet4 : AK::kInet6;
    out->port = static_cast<int>(e.items[0].value);
    return true;
  }
  if (f == "longpath") {
    if (!one_int || e.items[0].value < 1 || e.items[0].value > 4096) {
      Error(e.loc, "'longpath' takes one length, 1 to 4096");
      return false;
    }
    out->kind = AK::kLongPath;
    out->length = static_cast<int>(e.items[0].value);
    return true;
  }
  if (f == "addr") {
    std::string name;
    if (e.items.size() != 1) {
      Error(e.loc, "'addr' takes one fd: addr(l)");
      return false;
    }
    if (!FdName(e.items[0], -1, &name)) return false;
    int slot = SlotOf(name);
    if (slot < 0) {
      Error(e.items[0].loc, absl::StrCat("undeclared fd '", name, "'"));
      return false;
    }
    out->kind = AK::kBoundOf;
    out->fd = slot;
    return true;
  }
  Error(e.loc, absl::StrCat(kExpected, ", found ", Shown(e)));
  return false;
}

bool RowLowering::LowerCred(const Expr& e, CredSpec* out) {
  if (e.items.empty()) {
    Error(e.loc,
          absl::StrCat("'", e.text, "' takes a peer, 'harness' or pid=N"));
    return false;
  }
  for (const Expr& item : e.items) {
    if (item.kind == Expr::Kind::kName && item.text == "harness") {
      out->pid_of = CredSpec::kHarness;
    } else if (item.kind == Expr::Kind::kName) {
      int p = PeerIndex(NameRef{item.text, item.loc}, true);
      if (p < 0) return false;
      out->pid_of = p;
    } else if (item.kind == Expr::Kind::kKeyValue && item.items.size() == 1 &&
               item.items[0].kind == Expr::Kind::kInt &&
               (item.text == "pid" || item.text == "uid" ||
                item.text == "gid")) {
      int64_t v = item.items[0].value;
      if (item.text != "pid") {
        // uid_t and gid_t are unsigned 32-bit: -1 is (uid_t)-1, the
        // 4294967295 the kernel reports for "no credentials".
        if (v < -1 || v > 0xffffffffll) {
          Error(item.items[0].loc,
                absl::StrCat("'", item.text, "' is 0 to 4294967295 (or -1 for ",
                             item.text == "uid" ? "(uid_t)-1" : "(gid_t)-1",
                             "), not ", v));
          return false;
        }
        if (v == -1) v = 0xffffffffll;
      }
      (item.text == "pid"   ? out->pid
       : item.text == "uid" ? out->uid
                            : out->gid) = v;
    } else {
      Error(item.loc, absl::StrCat("'", e.text,
                                   "' takes a peer, 'harness', "
                                   "pid=N, uid=N or gid=N, not ",
                                   Shown(item)));
      return false;
    }
  }
  return true;
}

bool RowLowering::LowerPid(const Expr& e, int* who) {
  if (e.items.size() != 1 || e.items[0].kind != Expr::Kind::kName) {
    Error(e.loc, "'pid' takes one peer or 'harness': pid(A)");
    return false;
  }
  if (e.items[0].text == "harness") {
    *who = CredSpec::kHarness;
    return true;
  }
  *who = PeerIndex(NameRef{e.items[0].text, e.items[0].loc}, true);
  return *who >= 0;
}

bool RowLowering::LowerArgs(const CallSpec& spec, const std::vector<Expr>& args,
                            const Step& step, int holder, int iteration,
                            Op* op) {
  size_t n = spec.args.size();
  size_t m = spec.optional.size();
  if (TakesAddressOut(spec) || spec.call == Call::kSocketpair) {
    // `addr=` / `addrlen=` (socketpair: `sv=`) keywords after the
    // positional arguments.
    std::vector<Expr> positional;
    for (const Expr& e : args) {
      if (e.kind == Expr::Kind::kKeyValue &&
          (spec.call == Call::kSocketpair ? e.text == "sv"
                                          : e.text == "addr" || e.text == "addrlen")) {
        if (!LowerAddressOut(e, op)) return false;
      } else {
        positional.push_back(e);
      }
    }
    if (positional.size() != args.size()) {
      return LowerArgs(spec, positional, step, holder, iteration, op);
    }
  }
  if (args.size() < n) {
    Error(step.rparen, ArityMessage(spec, args.size()));
    return false;
  }
  const bool ancillary = spec.ancillary != Ancillary::kNone;
  const size_t repeats = static_cast<size_t>(spec.repeats_last);
  if (repeats > 0 && args.size() > n - 1 + repeats) {
    Error(args[n - 1 + repeats].loc,
          absl::StrCat("'", spec.name, "' takes at most ", repeats, " ",
                       spec.args[n - 1].name, " arguments (UIO_MAXIOV)"));
    return false;
  }
  if (!ancillary && repeats == 0 && args.size() > n + m) {
    Error(args[n + m].loc, ArityMessage(spec, args.size()));
    return false;
  }
  // After the required arguments, a call with ancillary data takes only
  // ancillary ones (recvmsg and sendmsg have no optional arguments).
  const size_t positional = ancillary ? n : args.size();
  for (size_t i = 0; i < positional; ++i) {
    const ArgSpec& a = i < n           ? spec.args[i]
                       : repeats > 0 ? spec.args[n - 1]
                                     : spec.optional[i - n];
    const Expr& e = args[i];
    switch (a.kind) {
      case ArgKind::kFd: {
        int slot;
        if (!LowerFd(e, holder, iteration, &slot)) return false;
        op->fds.push_back(slot);
        break;
      }
      case ArgKind::kInt: {
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        if (bad) break;
        int64_t v;
        std::optional<IntExpr> dyn;
        if (!LowerNumber(e, a.name, &v, &dyn)) return false;
        if (dyn) {
          op->dynamic.push_back({DynamicInt::Target::kInt,
                                 static_cast<int>(op->ints.size()), *dyn});
        }
        op->ints.push_back(v);
        break;
      }
      case ArgKind::kSymbols: {
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        int64_t v;
        if (!LowerSymbols(e, a, &v)) return false;
        op->ints.push_back(v);
        break;
      }
      case ArgKind::kData: {
        if (spec.call == Call::kSendmmsg) {
          if (!LowerMessageIovecs(e, op)) return false;
          break;
        }
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        if (bad) break;
        const size_t before = op->data.size();
        if (!LowerData(e, &op->data, &op->dynamic)) return false;
        // One iovec or message per data argument: its length.
        if (repeats > 0) {
          op->ints.push_back(static_cast<int64_t>(op->data.size() - before));
        }
        break;
      }
      case ArgKind::kText:
        if (e.kind != Expr::Kind::kString || e.text.empty() ||
            e.text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_./") !=
                std::string::npos ||
            e.text[0] == '/' || e.text.find("..") != std::string::npos) {
          Error(e.loc, absl::StrCat("'", a.name, "' is a string relative to "
                                    "/proc/sys: \"net/core/somaxconn\" or "
                                    "\"net.core.somaxconn\""));
          return false;
        }
        op->data = e.text;
        break;
      case ArgKind::kAddress:
        if (!LowerAddress(e, /*expectation=*/false, &op->addr)) return false;
        break;
      case ArgKind::kOptValue: {
        bool bad = false;
        if (!LowerBadBuffer(e, a, op, &bad)) return false;
        if (bad) break;
        if (!LowerOptionValue(e, op, &op->data)) return false;
        break;
      }
      case ArgKind::kOptlen: {
        int64_t v;
        if (!LowerOptlen(e, &v)) return false;
        op->ints.push_back(v);
        break;
      }
      case ArgKind::kPeer: {
        if (e.kind != Expr::Kind::kName || !IsPeerName(e.text)) {
          Error(e.loc, absl::StrCat("expected a peer (A, Server), found ",
                                    Shown(e)));
          return false;
        }
        int p = PeerIndex(NameRef{e.text, e.loc}, true);
        if (p < 0) return false;
        op->ints.push_back(p);
        break;
      }
      case ArgKind::kPairKind: {
        static const char* const kKinds[] = {"socketpair", "pathname",
                                             "abstract", "inet4", "inet6"};
        int found = -1;
        for (int k = 0; k < 5; ++k) {
          if (e.kind == Expr::Kind::kName && e.text == kKinds[k]) found = k;
        }
        if (found < 0) {
          Error(e.loc, absl::StrCat("expected a socket kind (socketpair, "
                                    "pathname, abstract, inet4, inet6), found ",
                                    Shown(e)));
          return false;
        }
        op->ints.push_back(found);
        break;
      }
      case ArgKind::kFdSet: {
        // select's sets: readfds(a, b) ...; the fds go to Op::fds, the
        // set's size to Op::ints.
        if (e.kind != Expr::Kind::kApply || e.text != a.name) {
          Error(e.loc, absl::StrCat("'", spec.name, "' takes its ", a.name,
                                    " set here: ", a.name, "(fd, ...), found ",
                                    Shown(e)));
          return false;
        }
        for (const Expr& fd : e.items) {
          int slot;
          if (!LowerFd(fd, holder, iteration, &slot)) return false;
          op->fds.push_back(slot);
        }
        op->ints.push_back(static_cast<int64_t>(e.items.size()));
        break;
      }
      case ArgKind::kValue: {
        if (e.kind == Expr::Kind::kApply && e.text == "pid") {
          int who;
          if (!LowerPid(e, &who)) return false;
          op->pid_args.emplace_back(op->ints.size(), who);
          op->ints.push_back(0);
          break;
        }
        if (a.symbols.empty() && e.kind != Expr::Kind::kInt) {
          Error(e.loc, absl::StrCat("expected a number or pid(PEER) for '",
                                    a.name, "', found ", Shown(e)));
          return false;
        }
        int64_t v;
        if (!LowerSymbols(e, a, &v)) return false;
        op->ints.push_back(v);
        break;
      }
    }
  }
  // Fallbacks for optional arguments left out, then the call's extra ints,
  // so ints always has the layout of the call's entry.
  for (size_t i = positional; repeats == 0 && i < n + m; ++i) {
    if (spec.optional[i - n].fallback) {
      op->ints.push_back(*spec.optional[i - n].fallback);
    }
  }
  op->ints.insert(op->ints.end(), spec.extra_ints.begin(),
                  spec.extra_ints.end());
  if ((spec.call == Call::kSetsockopt || spec.call == Call::kGetsockopt) &&
      !CheckOptionLevel(args[1], args[2], *op)) {
    return false;
  }
  for (size_t i = positional; i < args.size(); ++i) {
    if (!LowerAncillary(spec, args[i], holder, op)) return false;
  }
  return true;
}

}  // namespace internal
}  // namespace sockspec
