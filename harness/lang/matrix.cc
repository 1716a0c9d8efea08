#include "harness/lang/matrix.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace {

bool HasVar(const Expr& e, const Expr** var) {
  if (e.kind == Expr::Kind::kVar) {
    *var = &e;
    return true;
  }
  for (const Expr& i : e.items) {
    if (HasVar(i, var)) return true;
  }
  return false;
}

bool IsUpperName(const std::string& s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsCaptureName(const std::string& name) {
  return !name.empty() && name[0] >= 'a' && name[0] <= 'z';
}

const Expr* MatrixRow::Find(const std::string& name) const {
  for (const auto& v : values) {
    if (v.first == name) return &v.second;
  }
  return nullptr;
}

std::vector<MatrixRow> ExpandMatrix(const Case& c, DiagnosticSink* sink) {
  size_t errors = sink->size();
  std::set<std::string> names;
  size_t count = 1;
  for (const MatrixDecl& m : c.matrices) {
    for (const NameRef& n : m.names) {
      if (!IsUpperName(n.name)) {
        sink->Add(n.loc, absl::StrCat("matrix variable '", n.name,
                                      "' must be UPPER_CASE"));
      } else if (!names.insert(n.name).second) {
        sink->Add(n.loc,
                  absl::StrCat("duplicate matrix variable '", n.name, "'"));
      }
    }
    for (const auto& row : m.rows) {
      if (row.size() != m.names.size()) {
        sink->Add(row.empty() ? m.loc : row[0].loc,
                  absl::StrCat("matrix row has ", row.size(), " values for ",
                               m.names.size(), " variables"));
      }
      for (const Expr& e : row) {
        const Expr* var = nullptr;
        if (HasVar(e, &var)) {
          sink->Add(var->loc, "a matrix value cannot use a matrix variable");
        }
      }
    }
    count *= m.rows.size();
    if (count > kMaxMatrixRows) {
      sink->Add(m.loc, absl::StrCat("the matrix has more than ", kMaxMatrixRows,
                                    " rows"));
      return {};
    }
  }
  for (const ExcludeDecl& x : c.excludes) {
    for (const auto& match : x.matches) {
      if (!names.count(match.first.name)) {
        std::vector<std::string> all(names.begin(), names.end());
        std::string hint = ClosestName(match.first.name, all);
        sink->Add(
            match.first.loc,
            absl::StrCat("unknown matrix variable '", match.first.name, "'",
                         hint.empty()
                             ? ""
                             : absl::StrCat(" (did you mean '", hint, "'?)")));
      }
    }
  }
  if (sink->size() != errors) return {};

  std::vector<MatrixRow> rows(1);
  for (const MatrixDecl& m : c.matrices) {
    std::vector<MatrixRow> next;
    for (const MatrixRow& base : rows) {
      for (const auto& values : m.rows) {
        MatrixRow r = base;
        for (size_t i = 0; i < m.names.size(); ++i) {
          r.values.emplace_back(m.names[i].name, values[i]);
        }
        next.push_back(std::move(r));
      }
    }
    rows = std::move(next);
  }
  std::vector<MatrixRow> kept;
  for (MatrixRow& r : rows) {
    bool drop = false;
    for (const ExcludeDecl& x : c.excludes) {
      bool all = true;
      for (const auto& match : x.matches) {
        const Expr* v = r.Find(match.first.name);
        if (v == nullptr || PrintExpr(*v) != PrintExpr(match.second))
          all = false;
      }
      if (all) drop = true;
    }
    if (!drop) kept.push_back(std::move(r));
  }
  return kept;
}

std::vector<std::pair<std::string, std::vector<std::string>>> MatrixDims(
    const Case& c) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const MatrixDecl& m : c.matrices) {
    for (size_t i = 0; i < m.names.size(); ++i) {
      std::vector<std::string> values;
      for (const auto& row : m.rows) {
        if (i < row.size()) values.push_back(PrintExpr(row[i]));
      }
      out.emplace_back(m.names[i].name, std::move(values));
    }
  }
  return out;
}

namespace {

// Whether `e` is, or is arithmetic on, a captured value (`$n`, `$n / 2`).
bool MentionsCapture(const Expr& e) {
  if (e.kind == Expr::Kind::kVar) return IsCaptureName(e.text);
  for (const Expr& i : e.items) {
    if (MentionsCapture(i)) return true;
  }
  return false;
}

}  // namespace

bool IsRunTimeNumber(const Expr& e) {
  return e.kind == Expr::Kind::kArith || e.kind == Expr::Kind::kBound ||
         (e.kind == Expr::Kind::kRange && !e.items.empty()) ||
         (e.kind == Expr::Kind::kVar && IsCaptureName(e.text));
}

bool Substitute(Expr* e, const MatrixRow& row, DiagnosticSink* sink) {
  if (e->kind == Expr::Kind::kVar && IsCaptureName(e->text)) {
    return true;  // a captured value: known only at run time
  }
  if (e->kind == Expr::Kind::kVar) {
    const Expr* v = row.Find(e->text);
    if (v == nullptr) {
      std::vector<std::string> all;
      for (const auto& p : row.values) all.push_back(p.first);
      std::string hint = ClosestName(e->text, all);
      sink->Add(e->loc,
                absl::StrCat("unknown matrix variable '$", e->text, "'",
                             hint.empty() ? ""
                                          : absl::StrCat(" (did you mean '$",
                                                         hint, "'?)")));
      return false;
    }
    Location loc = e->loc;
    *e = *v;
    e->loc = loc;
    return true;
  }
  bool ok = true;
  for (Expr& i : e->items) ok = Substitute(&i, row, sink) && ok;
  const bool bounds = e->kind == Expr::Kind::kRange ||
                      e->kind == Expr::Kind::kIndex ||
                      e->kind == Expr::Kind::kSlice;
  if (!ok || !bounds || e->items.empty()) return ok;
  // Bounds that involve a captured value (`m[0:$n - 1]`, `1..$sndbuf`) are
  // known only at run time: they stay items for lowering.
  for (const Expr& i : e->items) {
    if (MentionsCapture(i)) return true;
  }
  // `1..$N`, `c[$I]`, `m[0:$N]`: the row's numbers become the bounds.
  for (const Expr& i : e->items) {
    if (i.kind != Expr::Kind::kInt) {
      sink->Add(i.loc, absl::StrCat("a range, index or slice bound is a "
                                    "number, not '",
                                    PrintExpr(i), "'"));
      return false;
    }
  }
  e->value = e->items[0].value;
  if (e->items.size() > 1) e->value2 = e->items[1].value;
  e->items.clear();
  return true;
}

}  // namespace sockspec
