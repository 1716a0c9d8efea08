// Lowering of captured values: `= $name` binds a step's result, `$name` in
// later arguments and expectations (with + - * / and parentheses) becomes an
// IntExpr the executor evaluates when the step runs (plan/captures.h).
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/os/symbols.h"
#include "harness/plan/captures.h"
#include "harness/lang/matrix.h"
#include "harness/lang/validate.h"
#include "harness/lang/validate_internal.h"

namespace sockspec {
namespace internal {
namespace {

using Term = IntExpr::Term;

}  // namespace

bool IsCaptureVar(const Expr& e) {
  return e.kind == Expr::Kind::kVar && IsCaptureName(e.text);
}

bool HasCapture(const Expr& e) {
  if (IsCaptureVar(e)) return true;
  for (const Expr& i : e.items) {
    if (HasCapture(i)) return true;
  }
  return false;
}

bool RowLowering::CompileInt(const Expr& e, const char* what, IntExpr* out) {
  switch (e.kind) {
    case Expr::Kind::kInt:
      out->postfix.push_back({Term::Kind::kConst, e.value});
      return true;
    case Expr::Kind::kVar: {
      auto it = captures_.find(e.text);
      if (it == captures_.end()) {
        std::vector<std::string> known;
        for (const auto& c : captures_) known.push_back(c.first);
        std::string hint = ClosestName(e.text, known);
        Error(e.loc,
              absl::StrCat("'$", e.text, "' is used before it is bound: a "
                           "step's result binds it ('= $", e.text, "')",
                           hint.empty() ? "" : absl::StrCat(
                               " (did you mean '$", hint, "'?)")));
        return false;
      }
      out->postfix.push_back({Term::Kind::kCapture, it->second.slot});
      return true;
    }
    case Expr::Kind::kArith: {
      if (e.text == "()") return !e.items.empty() && CompileInt(e.items[0], what, out);
      if (e.items.size() != 2) break;
      if (!CompileInt(e.items[0], what, out)) return false;
      if (!CompileInt(e.items[1], what, out)) return false;
      Term::Kind k = e.text == "+"   ? Term::Kind::kAdd
                     : e.text == "-" ? Term::Kind::kSub
                     : e.text == "*" ? Term::Kind::kMul
                                     : Term::Kind::kDiv;
      out->postfix.push_back({k, 0});
      return true;
    }
    default:
      break;
  }
  Error(e.loc, absl::StrCat("expected a number for '", what,
                            "' (a number, a captured '$value' or '+ - * /' "
                            "of them), found ", Shown(e)));
  return false;
}

bool RowLowering::LowerNumber(const Expr& e, const char* what, int64_t* value,
                              std::optional<IntExpr>* dynamic) {
  dynamic->reset();
  if (e.kind == Expr::Kind::kInt) {
    *value = e.value;
    return true;
  }
  IntExpr x;
  x.text = PrintExpr(e);
  if (!CompileInt(e, what, &x)) return false;
  *value = 0;
  if (HasCapture(e)) {
    *dynamic = std::move(x);
    return true;
  }
  // Arithmetic on constants (matrix values substituted): folded now.
  absl::StatusOr<int64_t> v = EvalIntExpr(x, plan_.capture_names, {});
  if (!v.ok()) {
    Error(e.loc, std::string(v.status().message()));
    return false;
  }
  *value = *v;
  return true;
}

bool RowLowering::LowerExpectedNumber(const Expr& e, bool value,
                                      Outcome* out) {
  using T = DynamicInt::Target;
  const T min_t = value ? T::kValueMin : T::kRetMin;
  const T max_t = value ? T::kValueMax : T::kRetMax;
  Range r{std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::max()};
  auto end = [&](const Expr& x, T target, int64_t* fixed) {
    std::optional<IntExpr> dyn;
    if (!LowerNumber(x, value ? "value" : "result", fixed, &dyn)) return false;
    if (dyn) out->dynamic.push_back({target, 0, std::move(*dyn)});
    return true;
  };
  if (e.kind == Expr::Kind::kRange && e.items.size() == 2) {
    if (!end(e.items[0], min_t, &r.min) || !end(e.items[1], max_t, &r.max)) {
      return false;
    }
  } else if (e.kind == Expr::Kind::kBound) {
    if (e.items.empty()) return false;
    int64_t v = 0;
    const bool lower = e.text == ">=" || e.text == ">";
    if (!end(e.items[0], lower ? min_t : max_t, &v)) return false;
    // A strict bound moves by one; on a run-time value, by an added term.
    const int64_t step = e.text == ">" ? 1 : e.text == "<" ? -1 : 0;
    if (!out->dynamic.empty() && step != 0) {
      IntExpr& x = out->dynamic.back().expr;
      x.postfix.push_back({Term::Kind::kConst, step});
      x.postfix.push_back({Term::Kind::kAdd, 0});
      x.text = absl::StrCat(x.text, step > 0 ? " + 1" : " - 1");
    }
    (lower ? r.min : r.max) = v + step;
    if (!value && lower && r.min < 0) r.min = 0;
  } else {
    int64_t v = 0;
    if (!end(e, min_t, &v)) return false;
    if (!out->dynamic.empty()) {
      out->dynamic.push_back({max_t, 0, out->dynamic.back().expr});
    }
    r = Range::Exactly(v);
  }
  if (out->dynamic.empty() && r.min > r.max) {
    Error(e.loc, absl::StrCat("empty range ", PrintExpr(e)));
    return false;
  }
  (value ? out->value : out->ret) = r;
  return true;
}

bool RowLowering::BindCapture(const Step& step, const CallSpec& spec, Op* op) {
  // `= $name` alone: the step's result becomes `$name`.
  const Expr* var = nullptr;
  for (const Alternative& alt : step.results) {
    for (const Expr& v : alt.values) {
      if (IsCaptureVar(v)) var = &v;
    }
  }
  if (var == nullptr) return true;
  if (step.results.size() > 1) {
    Error(var->loc, absl::StrCat("'$", var->text, "' cannot be bound in one "
                                 "of several alternatives ('or'): it would "
                                 "have no value when another one holds"));
    return false;
  }
  if (step.results[0].values.size() > 1) {
    Error(var->loc, absl::StrCat("'$", var->text, "' stands alone as the "
                                 "result it binds"));
    return false;
  }
  if (step.repeat) {
    Error(var->loc, absl::StrCat("a repeated step cannot bind '$", var->text,
                                 "': each repetition would bind it again"));
    return false;
  }
  switch (spec.result) {
    case ResultKind::kFd:
    case ResultKind::kFdPair:
    case ResultKind::kAddress:
      Error(var->loc, absl::StrCat("'", spec.name, "' returns ",
                                   spec.result == ResultKind::kAddress ? "an address"
                                   : spec.result == ResultKind::kFd    ? "a new fd"
                                                                       : "two new fds",
                                   ", not a number to capture into '$",
                                   var->text, "'"));
      return false;
    case ResultKind::kCount:
    case ResultKind::kData:
    case ResultKind::kRevents:
    case ResultKind::kValue:
    case ResultKind::kReady:     // the number of ready fds
    case ResultKind::kMessages:  // the number of messages
      break;
  }
  auto it = captures_.find(var->text);
  if (it != captures_.end()) {
    Error(var->loc, absl::StrCat("'$", var->text, "' is already bound (at ",
                                 LineCol(it->second.loc),
                                 "); to compare with it write '= ($",
                                 var->text, ")'"));
    return false;
  }
  return DeclareCapture(*var, op);
}

bool RowLowering::DeclareCapture(const Expr& var, Op* op) {
  const int slot = static_cast<int>(plan_.capture_names.size());
  plan_.capture_names.push_back(var.text);
  captures_[var.text] = CaptureInfo{slot, var.loc};
  if (op != nullptr) op->capture = slot;
  return true;
}

}  // namespace internal
}  // namespace sockspec
