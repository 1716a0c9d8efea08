#include "harness/record/recorder.h"

#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/lang/case.h"
#include "harness/lang/frontend.h"
#include "harness/lang/parser.h"
#include "harness/lang/payload.h"
#include "harness/lang/source.h"
#include "harness/record/notation.h"
#include "harness/record/rewrite.h"

namespace sockspec {
namespace {

using LineCol = std::pair<int, int>;

LineCol Key(const Location& loc) { return {loc.line, loc.col}; }

std::string RowName(const Plan& plan) {
  std::string name = plan.InstanceName();
  return name.empty() ? "(the only instance)" : name;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> CasePayloads(const Case& c,
                                                              const Plan& plan) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const PayloadDecl& d : c.payloads) {
    const Expr& v = d.value;
    if (v.kind == Expr::Kind::kString) {
      out.emplace_back(d.name.name, v.text);
      continue;
    }
    int64_t size = v.value;
    if (v.kind == Expr::Kind::kVar) {
      size = -1;
      for (const auto& [name, value] : plan.bindings) {
        if (name == v.text && !absl::SimpleAtoi(value, &size)) size = -1;
      }
    }
    if (size >= 0) out.emplace_back(d.name.name, PayloadBytes(d.name.name, 0, size));
  }
  return out;
}

namespace {

// What the rows answered at one placeholder.
struct Answers {
  std::string step;  // "B: read(b, 60)", for messages
  std::map<size_t, std::vector<absl::StatusOr<std::string>>> by_row;
};

// The one text for `a` across `plans`, or why there is none.
absl::StatusOr<std::string> Agree(const Answers& a, const std::vector<Plan>& plans) {
  std::vector<std::string> missing, problems;
  std::map<size_t, std::string> text;
  for (size_t r = 0; r < plans.size(); ++r) {
    auto it = a.by_row.find(r);
    if (it == a.by_row.end()) {
      missing.push_back(RowName(plans[r]));
      continue;
    }
    std::set<std::string> seen;
    for (const absl::StatusOr<std::string>& s : it->second) {
      if (!s.ok()) {
        problems.push_back(absl::StrCat(RowName(plans[r]), ": ", s.status().message()));
        seen.clear();
        break;
      }
      seen.insert(*s);
    }
    if (seen.size() > 1) {
      problems.push_back(absl::StrCat(RowName(plans[r]), ": its repetitions answer ",
                                      absl::StrJoin(seen, ", ")));
    } else if (seen.size() == 1) {
      text[r] = *seen.begin();
    }
  }
  if (!missing.empty()) {
    problems.push_back(absl::StrCat("not reached in ", absl::StrJoin(missing, ", "),
                                    " (an earlier step failed)"));
  }
  if (!problems.empty()) {
    return absl::FailedPreconditionError(absl::StrJoin(problems, "; "));
  }
  std::set<std::string> distinct;
  for (const auto& [r, t] : text) distinct.insert(t);
  if (distinct.size() == 1) return *distinct.begin();
  // Each row's value of one matrix variable: `$VAR`.
  if (!plans.empty()) {
    for (const auto& [var, unused] : plans[0].bindings) {
      bool all = true;
      for (const auto& [r, t] : text) {
        bool match = false;
        for (const auto& [name, value] : plans[r].bindings) {
          if (name == var && value == t) match = true;
        }
        all = all && match;
      }
      if (all) return absl::StrCat("$", var);
    }
  }
  std::vector<std::string> rows;
  for (const auto& [r, t] : text) rows.push_back(absl::StrCat(RowName(plans[r]), ": ", t));
  return absl::FailedPreconditionError(absl::StrCat(
      "matrix rows answer differently (", absl::StrJoin(rows, "; "),
      "): split the matrix, add a tuple column, or write row-specific steps"));
}

// The op at `loc` that is a placeholder, if any.
bool IsPlaceholderAt(const Plan& plan, const Location& loc) {
  for (const Op& op : plan.ops) {
    if (op.expect.placeholder && Key(op.loc) == Key(loc)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<FileRecord> RecordFile(const std::string& path,
                                      const RecordOptions& options) {
  absl::StatusOr<LoadedCase> loaded = LoadCaseFile(path, options.platform);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->errors.empty()) {
    return absl::InvalidArgumentError(FormatErrors(*loaded));
  }
  FileRecord out;
  out.path = path;
  out.original = loaded->text;
  out.recorded = loaded->text;
  DiagnosticSink sink;
  const Case parsed = ParseCase(Source(path, loaded->text), &sink);

  // Step location -> the `?` of its placeholder.
  std::map<LineCol, Location> marks;
  std::map<LineCol, Answers> answers;
  for (const Step& s : parsed.steps) {
    if (!s.placeholder) continue;
    marks[Key(s.loc)] = *s.placeholder;
    ++out.placeholders;
  }

  const std::vector<Plan>& plans = loaded->plans;
  for (size_t r = 0; r < plans.size(); ++r) {
    const Plan& plan = plans[r];
    InstanceResult result = RunPlan(plan, options.exec);
    Notation names;
    names.payloads = CasePayloads(parsed, plan);
    for (const PeerDecl& p : plan.peers) names.peer_names.push_back(p.name);
    names.fd_names = plan.fd_names;
    names.context = &result.context;
    for (const StepRecord& rec : result.trace) {
      if (!rec.op->expect.placeholder || !rec.observation || rec.call == nullptr) continue;
      Answers& a = answers[Key(rec.op->loc)];
      if (a.step.empty()) {
        a.step = rec.op->peer >= 0
                     ? absl::StrCat(plan.peers[rec.op->peer].name, ": ", rec.op->text)
                     : rec.op->text;
      }
      a.by_row[r].push_back(Answer(*rec.call, *rec.observation, names));
    }
    if (result.failure && !(result.failure->kind == FailureKind::kMismatch &&
                            IsPlaceholderAt(plan, result.failure->loc))) {
      out.attention.push_back(absl::StrCat("[", RowName(plan), "] ",
                                           FailureHeadline(*result.failure)));
    }
  }

  std::vector<TextEdit> edits;
  for (const auto& [key, mark] : marks) {
    auto it = answers.find(key);
    const std::string where = absl::StrCat(path, ":", mark.line, ":", mark.col, ": ");
    if (it == answers.end()) {
      out.attention.push_back(absl::StrCat(where, "not reached in any row"));
      continue;
    }
    absl::StatusOr<std::string> text = Agree(it->second, plans);
    if (!text.ok()) {
      out.attention.push_back(
          absl::StrCat(where, it->second.step, ": ", text.status().message()));
      continue;
    }
    out.filled.push_back(absl::StrCat(where, it->second.step, " = ", *text));
    edits.push_back(TextEdit{mark, 1, *text});
  }
  absl::StatusOr<std::string> recorded = ApplyEdits(out.original, std::move(edits));
  if (!recorded.ok()) return recorded.status();
  out.recorded = *std::move(recorded);
  return out;
}

}  // namespace sockspec
