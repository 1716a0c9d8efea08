// Lowering of step arguments and results to plan fields: the half of
// validate that knows what each call's arguments and results may be. This
// file: fd names, integers, symbols and data; lower_address.cc: addresses,
// credentials and pids; lower_arg_list.cc: a call's argument list.
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

// "an address family", "a socket type or socket flag".
std::string KindList(const std::vector<SymbolKind>& kinds) {
  std::vector<std::string> names;
  for (SymbolKind k : kinds) names.emplace_back(SymbolKindName(k));
  std::string out = absl::StrJoin(names, " or ");
  bool vowel =
      !out.empty() && std::string("aeiou").find(out[0]) != std::string::npos;
  return absl::StrCat(vowel ? "an " : "a ", out);
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
                              DidYouMean(ClosestName(name, known))));
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
              absl::StrCat("unknown errno '", e.text, "'", DidYouMean(hint)));
      } else {
        Error(e.loc,
              absl::StrCat("unknown symbol '", e.text, "'", DidYouMean(hint)));
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
                              DidYouMean(ClosestName(e.text, known))));
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

}  // namespace internal
}  // namespace sockspec
