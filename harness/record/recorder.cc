#include "harness/record/recorder.h"

#include <algorithm>
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

// How the rows' answers differ, as briefly as the matrix allows: by the one
// variable that decides them ("TYPE=SOCK_STREAM: m[60:]; TYPE=SOCK_DGRAM,
// SOCK_SEQPACKET: EAGAIN"), else row by row.
std::string Differences(const std::map<size_t, std::string>& text,
                        const std::vector<Plan>& plans) {
  for (const auto& [var, unused] : plans[0].bindings) {
    std::map<std::string, std::set<std::string>> by_value;  // value -> answers
    std::vector<std::string> order;
    for (const auto& [r, t] : text) {
      for (const auto& [name, value] : plans[r].bindings) {
        if (name != var) continue;
        if (!by_value.count(value)) order.push_back(value);
        by_value[value].insert(t);
      }
    }
    bool decides = true;
    for (const auto& [value, answers] : by_value) decides = decides && answers.size() == 1;
    if (!decides) continue;
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (const std::string& value : order) {
      const std::string& answer = *by_value[value].begin();
      auto g = std::find_if(groups.begin(), groups.end(),
                            [&](const auto& x) { return x.first == answer; });
      if (g == groups.end()) {
        groups.push_back({answer, {value}});
      } else {
        g->second.push_back(value);
      }
    }
    std::vector<std::string> parts;
    for (const auto& [answer, values] : groups) {
      parts.push_back(absl::StrCat(var, "=", absl::StrJoin(values, ", "), ": ", answer));
    }
    return absl::StrJoin(parts, "; ");
  }
  std::vector<std::string> rows;
  for (const auto& [r, t] : text) rows.push_back(absl::StrCat(RowName(plans[r]), ": ", t));
  return absl::StrJoin(rows, "; ");
}

// What the rows answered at one placeholder.
struct Answers {
  std::string step;  // "B: read(b, 60)", for messages
  RowAnswers by_row;
};

}  // namespace

std::set<size_t> RowsWithoutStepAt(const std::vector<Plan>& plans, int line,
                                   int col) {
  std::set<size_t> out;
  for (size_t r = 0; r < plans.size(); ++r) {
    bool has = false;
    for (const Op& op : plans[r].ops) {
      has = has || (op.loc.line == line && op.loc.col == col);
    }
    if (!has) out.insert(r);
  }
  return out;
}

absl::StatusOr<std::string> AgreedAnswer(const RowAnswers& by_row,
                                         const std::vector<Plan>& plans,
                                         const std::set<size_t>& without_step) {
  std::vector<std::string> missing, problems;
  std::map<size_t, std::string> text;
  for (size_t r = 0; r < plans.size(); ++r) {
    if (without_step.count(r)) continue;
    auto it = by_row.find(r);
    if (it == by_row.end()) {
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
  return absl::FailedPreconditionError(absl::StrCat(
      "matrix rows answer differently: ", Differences(text, plans),
      "; split the matrix (or exclude rows) so that each file states one answer"));
}

namespace {

// Replaces the `?` at `mark` with `text`; where spaces then a comment
// follow, takes the extra width from those spaces (keeping one), so the
// comment stays in its column.
TextEdit KeepCommentColumn(const std::string& original, const Location& mark,
                           const std::string& text) {
  TextEdit e{mark, 1, text};
  std::string_view line = LineOf(original, mark.line);
  size_t after = static_cast<size_t>(mark.col);  // index just past the `?`
  size_t spaces = 0;
  while (after + spaces < line.size() && line[after + spaces] == ' ') ++spaces;
  if (spaces == 0 || after + spaces >= line.size() || line[after + spaces] != '#') {
    return e;
  }
  const size_t grow = text.size() - 1;
  const size_t take = std::min(grow, spaces - 1);
  e.length += take;
  e.text += std::string(spaces - take, ' ');
  e.length += spaces - take;
  return e;
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
      a.by_row[r].push_back(AnswerNotation(*rec.call, *rec.observation, names));
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
    absl::StatusOr<std::string> text = AgreedAnswer(
        it->second.by_row, plans, RowsWithoutStepAt(plans, key.first, key.second));
    if (!text.ok()) {
      out.attention.push_back(
          absl::StrCat(where, it->second.step, ": ", text.status().message()));
      continue;
    }
    out.filled.push_back(absl::StrCat(where, it->second.step, " = ", *text));
    edits.push_back(KeepCommentColumn(out.original, mark, *text));
  }
  absl::StatusOr<std::string> recorded = ApplyEdits(out.original, std::move(edits));
  if (!recorded.ok()) return recorded.status();
  out.recorded = *std::move(recorded);
  return out;
}

}  // namespace sockspec
