#include "harness/plan/captures.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sockspec {
namespace {

using Term = IntExpr::Term;
using Target = DynamicInt::Target;

absl::Status Overflow(const IntExpr& e) {
  return absl::OutOfRangeError(
      absl::StrCat("'", e.text, "' overflows a 64-bit integer"));
}

// Applies each entry to `ints`, `data` and the outcome fields (null when the
// list belongs to an Op, which has only kInt and kData*).
absl::Status Apply(const std::vector<DynamicInt>& dyn,
                   const std::vector<std::string>& names,
                   const CaptureValues& values, std::vector<int64_t>* ints,
                   std::string* data, Outcome* out) {
  std::optional<int64_t> begin, end;
  std::string begin_text, end_text;
  for (const DynamicInt& d : dyn) {
    absl::StatusOr<int64_t> v = EvalIntExpr(d.expr, names, values);
    if (!v.ok()) return v.status();
    switch (d.target) {
      case Target::kInt:
        if (ints == nullptr || d.index < 0 ||
            static_cast<size_t>(d.index) >= ints->size()) {
          return absl::InternalError("a run-time argument has no place");
        }
        (*ints)[d.index] = *v;
        break;
      case Target::kDataInt:
        if (data == nullptr || data->empty() || data->size() > 8) {
          return absl::InternalError("a run-time option value has no place");
        }
        for (size_t b = 0; b < data->size(); ++b) {
          (*data)[b] = static_cast<char>((static_cast<uint64_t>(*v) >> (8 * b)) & 0xff);
        }
        break;
      case Target::kDataBegin:
        begin = *v;
        begin_text = d.expr.text;
        break;
      case Target::kDataEnd:
        end = *v;
        end_text = d.expr.text;
        break;
      case Target::kRetMin:
      case Target::kRetMax:
      case Target::kValueMin:
      case Target::kValueMax: {
        if (out == nullptr) {
          return absl::InternalError("a run-time expectation has no outcome");
        }
        const bool ret = d.target == Target::kRetMin || d.target == Target::kRetMax;
        std::optional<Range>& r = ret ? out->ret : out->value;
        if (!r) r = Range{std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max()};
        const bool min = d.target == Target::kRetMin || d.target == Target::kValueMin;
        (min ? r->min : r->max) = *v;
        break;
      }
    }
  }
  for (const DynamicInt& d : dyn) {
    if (d.target != Target::kRetMin && d.target != Target::kValueMin) continue;
    const std::optional<Range>& r = d.target == Target::kRetMin ? out->ret : out->value;
    if (r && r->min > r->max) {
      return absl::OutOfRangeError(
          absl::StrCat("the range ", r->min, "..", r->max, " is empty"));
    }
  }
  if (begin || end) {
    if (data == nullptr) return absl::InternalError("a run-time slice has no data");
    const int64_t size = static_cast<int64_t>(data->size());
    const int64_t b = begin.value_or(0), e = end.value_or(size);
    if (b < 0 || b > e || e > size) {
      return absl::OutOfRangeError(absl::StrCat(
          "slice [", begin_text.empty() ? absl::StrCat(b) : begin_text, ":",
          end_text.empty() ? absl::StrCat(e) : end_text, "] = [", b, ":", e,
          "] is out of range for a payload of ", size, " bytes"));
    }
    *data = data->substr(static_cast<size_t>(b), static_cast<size_t>(e - b));
  }
  return absl::OkStatus();
}

absl::Status ResolveExpected(const std::vector<std::string>& names,
                             const CaptureValues& values, Expected* exp) {
  for (Outcome& o : exp->any_of) {
    if (o.dynamic.empty()) continue;
    std::string* data = o.data ? &*o.data : nullptr;
    absl::Status s = Apply(o.dynamic, names, values, nullptr, data, &o);
    if (!s.ok()) return s;
    o.dynamic.clear();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> EvalIntExpr(const IntExpr& e,
                                    const std::vector<std::string>& names,
                                    const CaptureValues& values) {
  std::vector<int64_t> stack;
  for (const Term& t : e.postfix) {
    if (t.kind == Term::Kind::kConst) {
      stack.push_back(t.value);
      continue;
    }
    if (t.kind == Term::Kind::kCapture) {
      const size_t slot = static_cast<size_t>(t.value);
      if (t.value < 0 || slot >= values.size() || !values[slot]) {
        const std::string name =
            t.value >= 0 && slot < names.size() ? names[slot] : "?";
        return absl::FailedPreconditionError(absl::StrCat(
            "$", name, " has no value: the step that captures it gave none"));
      }
      stack.push_back(*values[slot]);
      continue;
    }
    if (stack.size() < 2) return absl::InternalError("malformed expression");
    const int64_t b = stack.back();
    stack.pop_back();
    const int64_t a = stack.back();
    int64_t r = 0;
    switch (t.kind) {
      case Term::Kind::kAdd:
        if (__builtin_add_overflow(a, b, &r)) return Overflow(e);
        break;
      case Term::Kind::kSub:
        if (__builtin_sub_overflow(a, b, &r)) return Overflow(e);
        break;
      case Term::Kind::kMul:
        if (__builtin_mul_overflow(a, b, &r)) return Overflow(e);
        break;
      case Term::Kind::kDiv:
        if (b == 0) {
          return absl::OutOfRangeError(
              absl::StrCat("'", e.text, "' divides by zero"));
        }
        if (a == std::numeric_limits<int64_t>::min() && b == -1) {
          return Overflow(e);
        }
        r = a / b;
        break;
      case Term::Kind::kConst:
      case Term::Kind::kCapture:
        break;
    }
    stack.back() = r;
  }
  if (stack.size() != 1) return absl::InternalError("malformed expression");
  return stack.back();
}

bool HasDynamic(const Op& op) {
  if (!op.dynamic.empty()) return true;
  auto any = [](const Expected& e) {
    for (const Outcome& o : e.any_of) {
      if (!o.dynamic.empty()) return true;
    }
    return false;
  };
  if (any(op.expect)) return true;
  for (const auto& p : op.platforms) {
    if (any(p.second)) return true;
  }
  return false;
}

absl::Status ResolveCaptures(const std::vector<std::string>& names,
                             const CaptureValues& values, Op* op) {
  absl::Status s =
      Apply(op->dynamic, names, values, &op->ints, &op->data, nullptr);
  if (!s.ok()) return s;
  op->dynamic.clear();
  s = ResolveExpected(names, values, &op->expect);
  if (!s.ok()) return s;
  for (auto& p : op->platforms) {
    s = ResolveExpected(names, values, &p.second);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace sockspec
