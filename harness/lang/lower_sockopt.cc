// Lowering of socket option values: setsockopt's value and getsockopt's
// result in the shape the option has (harness/os/sockopts.h), `optlen=N`
// and `optlen N`. A value of the wrong shape is an error naming the shape.
#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "harness/lang/matrix.h"
#include "harness/lang/validate_internal.h"
#include "harness/os/sockopts.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace internal {
namespace {

constexpr int64_t kMaxOptlen = 65536;

// "SO_LINGER", or "option 13 at level 6" for numbers.
std::string OptionName(const OptionInfo& o) {
  std::optional<SymbolKind> kind = OptionKindOfLevel(o.level);
  std::string_view name = kind ? SymbolName(*kind, o.name) : "";
  if (name.empty()) return absl::StrCat("option ", o.name, " at level ", o.level);
  return std::string(name);
}

// How a value of the shape is written.
std::string Spelling(OptionShape shape, bool result) {
  switch (shape) {
    case OptionShape::kInt:
    case OptionShape::kU64: return "a number";
    case OptionShape::kSymbol: return "a number or a constant";
    case OptionShape::kErrno: return "errno(ENAME), or 0 for none";
    case OptionShape::kTimeval: return "timeval(SECONDS, MICROSECONDS)";
    case OptionShape::kLinger: return "linger(on, SECONDS) or linger(off, SECONDS)";
    case OptionShape::kUcred: return result ? "cred(PEER)" : "a string of raw bytes";
    case OptionShape::kGids: return result ? "gids(GID, ...) or gids(harness)" : "a string of raw bytes";
    case OptionShape::kPidfd: return result ? "pidfd(NAME=PEER)" : "a string of raw bytes";
    case OptionShape::kBytes: return "a string";
  }
  return "a value";
}

bool IsIntLike(OptionShape s) {
  return s == OptionShape::kInt || s == OptionShape::kU64 ||
         s == OptionShape::kSymbol;
}

// Two integers: timeval(1, 500000).
bool TwoInts(const Expr& e, int64_t* a, int64_t* b) {
  if (e.items.size() != 2 || e.items[0].kind != Expr::Kind::kInt ||
      e.items[1].kind != Expr::Kind::kInt) {
    return false;
  }
  *a = e.items[0].value;
  *b = e.items[1].value;
  return true;
}

bool IsApply(const Expr& e, const char* f) {
  return e.kind == Expr::Kind::kApply && e.text == f;
}

// `timeval(S, US)` or `linger(on|off, S)` as the option's bytes, for the
// shapes written that way; nullopt when `e` is not that shape's form.
std::optional<std::string> StructBytes(const Expr& e, OptionShape shape) {
  int64_t a = 0, b = 0;
  if (shape == OptionShape::kTimeval && IsApply(e, "timeval") && TwoInts(e, &a, &b)) {
    return EncodeTimeval(a, b);
  }
  if (shape == OptionShape::kLinger && IsApply(e, "linger") && e.items.size() == 2 &&
      e.items[0].kind == Expr::Kind::kName &&
      (e.items[0].text == "on" || e.items[0].text == "off") &&
      e.items[1].kind == Expr::Kind::kInt) {
    return EncodeLinger(e.items[0].text == "on", e.items[1].value);
  }
  return std::nullopt;
}

}  // namespace

bool RowLowering::LowerOptionValue(const Expr& e, Op* op,
                                   std::string* bytes) {
  const OptionInfo o = OptionOf(op->ints[0], op->ints[1]);
  const size_t natural = NaturalOptlen(o.shape);
  if (e.kind == Expr::Kind::kString) {  // raw bytes, whatever the shape
    *bytes = e.text;
    return true;
  }
  // An int option's value as arithmetic or a captured value (`$sndbuf / 2`):
  // its bytes are written when the step runs (DynamicInt::kDataInt).
  const bool int_shape = o.shape == OptionShape::kInt || o.shape == OptionShape::kU64;
  if (int_shape && IsRunTimeNumber(e)) {
    int64_t v = 0;
    std::optional<IntExpr> dyn;
    if (!LowerNumber(e, "value", &v, &dyn)) return false;
    *bytes = EncodeInt(v, natural);
    if (dyn) op->dynamic.push_back({DynamicInt::Target::kDataInt, 0, *dyn});
    return true;
  }
  switch (o.shape) {
    case OptionShape::kInt:
    case OptionShape::kU64:
    case OptionShape::kSymbol:
      if (e.kind == Expr::Kind::kInt) {
        *bytes = EncodeInt(e.value, natural);
        return true;
      }
      if (e.kind == Expr::Kind::kName && FindSymbol(e.text) != nullptr) {
        *bytes = EncodeInt(FindSymbol(e.text)->value, natural);
        return true;
      }
      break;
    case OptionShape::kErrno:
      if (e.kind == Expr::Kind::kInt) {
        *bytes = EncodeInt(e.value, natural);
        return true;
      }
      break;
    case OptionShape::kTimeval:
    case OptionShape::kLinger:
      if (std::optional<std::string> v = StructBytes(e, o.shape)) {
        *bytes = *v;
        return true;
      }
      break;
    case OptionShape::kUcred:
    case OptionShape::kGids:
    case OptionShape::kPidfd:
    case OptionShape::kBytes:
      break;
  }
  Error(e.loc, absl::StrCat("'", OptionName(o), "' takes ", std::string(ShapeName(o.shape)),
                            ": write ", Spelling(o.shape, false),
                            " (or a string of raw bytes), not ", Shown(e)));
  return false;
}

bool RowLowering::CheckOptionLevel(const Expr& level, const Expr& option,
                                   const Op& op) {
  if (option.kind != Expr::Kind::kName || level.kind != Expr::Kind::kName) {
    return true;
  }
  const Symbol* sym = FindSymbol(option.text);
  std::optional<SymbolKind> want = OptionKindOfLevel(op.ints[0]);
  if (sym == nullptr || !want || sym->kind == *want) return true;
  Error(option.loc,
        absl::StrCat("'", option.text, "' (", std::string(SymbolKindName(sym->kind)),
                     ") is not an option of level ", level.text, " (",
                     std::string(SymbolKindName(*want)), ")"));
  return false;
}

bool RowLowering::LowerOptlen(const Expr& e, int64_t* out) {
  if (e.kind == Expr::Kind::kKeyValue && e.text == "optlen" &&
      e.items.size() == 1 && e.items[0].kind == Expr::Kind::kInt &&
      e.items[0].value >= 0 && e.items[0].value <= kMaxOptlen) {
    *out = e.items[0].value;
    return true;
  }
  Error(e.loc, absl::StrCat("expected optlen=N (0 to ", kMaxOptlen,
                            "), found ", Shown(e)));
  return false;
}

bool RowLowering::LowerOptionResult(const Expr& e, Binds* binds,
                                    Outcome* out) {
  const OptionInfo o = OptionOf(current_op_->ints[0], current_op_->ints[1]);
  if (e.kind == Expr::Kind::kName && e.text == "any") {
    out->ret = Range{0, std::numeric_limits<int64_t>::max()};
    return true;
  }
  if (e.kind == Expr::Kind::kString) {
    out->optval = e.text;
    return true;
  }
  if (e.kind == Expr::Kind::kRange && e.value > e.value2) {
    Error(e.loc, absl::StrCat("empty range ", PrintExpr(e)));
    return false;
  }
  // An int option's value as arithmetic, a captured value or a bound on one
  // (`2 * 4096`, `$sndbuf`, `>= $min`, `1..$n`): as any other value.
  if (IsRunTimeNumber(e) &&
      (o.shape == OptionShape::kInt || o.shape == OptionShape::kU64)) {
    return LowerExpectedNumber(e, /*value=*/true, out);
  }
  switch (o.shape) {
    case OptionShape::kInt:
    case OptionShape::kU64:
    case OptionShape::kSymbol:
      if (e.kind == Expr::Kind::kInt) {
        out->value = Range::Exactly(e.value);
        return true;
      }
      if (e.kind == Expr::Kind::kRange) {
        out->value = Range{e.value, e.value2};
        return true;
      }
      if (e.kind == Expr::Kind::kName && !e.text.empty() && e.text[0] >= 'A' &&
          e.text[0] <= 'Z') {
        std::vector<SymbolKind> kinds;
        if (o.shape == OptionShape::kSymbol) {
          kinds = {o.symbols};
        } else {
          for (const Symbol& s : AllSymbols()) {
            if (s.kind != SymbolKind::kErrno &&
                std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end()) {
              kinds.push_back(s.kind);
            }
          }
        }
        int64_t v;
        if (!LowerSymbols(e, {"value", ArgKind::kSymbols, kinds}, &v)) return false;
        out->value = Range::Exactly(v);
        return true;
      }
      break;
    case OptionShape::kErrno:
      if (e.kind == Expr::Kind::kInt && e.value == 0) {
        out->value = Range::Exactly(0);
        return true;
      }
      if (IsApply(e, "errno") && e.items.size() == 1) {
        int64_t v;
        if (!LowerSymbols(e.items[0], {"errno", ArgKind::kSymbols, {SymbolKind::kErrno}}, &v)) {
          return false;
        }
        out->value = Range::Exactly(v);
        return true;
      }
      break;
    case OptionShape::kTimeval:
    case OptionShape::kLinger:
      if (std::optional<std::string> v = StructBytes(e, o.shape)) {
        out->optval = *v;
        return true;
      }
      break;
    case OptionShape::kUcred:
      if (IsApply(e, "cred")) {
        CredSpec cred;
        if (!LowerCred(e, &cred)) return false;
        out->cred = cred;
        return true;
      }
      break;
    case OptionShape::kGids:
      if (IsApply(e, "gids")) {
        if (e.items.size() == 1 && e.items[0].kind == Expr::Kind::kName &&
            e.items[0].text == "harness") {
          out->groups_of_harness = true;
          return true;
        }
        std::vector<int64_t> gids;
        for (const Expr& g : e.items) {
          if (g.kind != Expr::Kind::kInt || g.value < 0 || g.value > 0xffffffffll) {
            Error(g.loc, absl::StrCat("'gids' takes group ids (0 to 4294967295) "
                                      "or 'harness', not ", Shown(g)));
            return false;
          }
          gids.push_back(g.value);
        }
        out->optval = EncodeGids(gids);
        return true;
      }
      break;
    case OptionShape::kPidfd:
      if (IsApply(e, "pidfd") && e.items.size() == 1 &&
          e.items[0].kind == Expr::Kind::kKeyValue && e.items[0].items.size() == 1 &&
          e.items[0].items[0].kind == Expr::Kind::kName) {
        const Expr& who = e.items[0].items[0];
        int p = CredSpec::kHarness;
        if (who.text != "harness") {
          p = PeerIndex(NameRef{who.text, who.loc}, true);
          if (p < 0) return false;
        }
        binds->emplace_back(e.items[0].text, e.items[0].loc);
        out->pidfd_of = p;
        return true;
      }
      break;
    case OptionShape::kBytes:
      break;
  }
  Error(e.loc, absl::StrCat("'", OptionName(o), "' gives ", std::string(ShapeName(o.shape)),
                            ": write ", Spelling(o.shape, true),
                            IsIntLike(o.shape) ? "" : " (or a string of raw bytes)",
                            ", not ", Shown(e)));
  return false;
}

bool RowLowering::LowerOptlenAttribute(const Attribute& a, const CallSpec& spec,
                                       Outcome* out) {
  if (spec.call != Call::kGetsockopt) {
    Error(a.loc, absl::StrCat("'optlen' is what getsockopt writes back; '",
                              spec.name, "' has none"));
    return false;
  }
  if (a.value.kind != Expr::Kind::kInt || a.value.value < 0 ||
      a.value.value > kMaxOptlen) {
    Error(a.value.loc, absl::StrCat("expected a length after 'optlen' (0 to ",
                                    kMaxOptlen, "), found ", Shown(a.value)));
    return false;
  }
  out->optlen = a.value.value;
  return true;
}

bool RowLowering::CheckOptlenStated(const Alternative& alt, const CallSpec& spec,
                                    const Outcome& out) {
  if (spec.call != Call::kGetsockopt || current_op_ == nullptr ||
      current_op_->ints.size() < 3 || current_op_->ints[2] < 0 ||
      out.kind != Outcome::Kind::kReturn || out.optlen) {
    return true;
  }
  Error(alt.loc, absl::StrCat("getsockopt with optlen=", current_op_->ints[2],
                              ": state the length the kernel writes back "
                              "('= VALUE optlen N')"));
  return false;
}

}  // namespace internal
}  // namespace sockspec
