#include "harness/lang/step_when.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "harness/os/symbols.h"

namespace sockspec {

bool StepAppliesToRow(const Step& step, const MatrixRow& row) {
  // Per variable: does any of its pairs match this row's value?
  std::map<std::string, bool> matched;
  for (const auto& [name, value] : step.when) {
    const Expr* v = row.Find(name.name);
    bool hit = v != nullptr && PrintExpr(*v) == PrintExpr(value);
    matched[name.name] = matched[name.name] || hit;
  }
  for (const auto& [name, hit] : matched) {
    if (!hit) return false;
  }
  return true;
}

void CheckStepConditions(const Case& c, const std::vector<MatrixRow>& rows,
                         DiagnosticSink* sink) {
  const auto dims = MatrixDims(c);
  for (const Step& step : c.steps) {
    if (step.when.empty()) continue;
    bool bad = false;
    for (const auto& [name, value] : step.when) {
      const std::vector<std::string>* values = nullptr;
      std::vector<std::string> all;
      for (const auto& d : dims) {
        all.push_back(d.first);
        if (d.first == name.name) values = &d.second;
      }
      if (values == nullptr) {
        std::string hint = ClosestName(name.name, all);
        sink->Add(name.loc,
                  absl::StrCat("unknown matrix variable '", name.name, "'",
                               hint.empty() ? ""
                                            : absl::StrCat(" (did you mean '",
                                                           hint, "'?)")));
        bad = true;
        continue;
      }
      const std::string v = PrintExpr(value);
      bool found = false;
      for (const std::string& s : *values) found = found || s == v;
      if (!found) {
        sink->Add(value.loc, absl::StrCat("matrix variable '", name.name,
                                          "' never takes the value '", v, "'"));
        bad = true;
      }
    }
    if (bad || rows.empty()) continue;
    bool any = false;
    for (const MatrixRow& row : rows) any = any || StepAppliesToRow(step, row);
    if (!any) {
      sink->Add(step.when[0].first.loc,
                "this 'when' matches no matrix row: the step would never run");
    }
  }
}

}  // namespace sockspec
