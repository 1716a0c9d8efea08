#include "harness/record/observe.h"

#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "harness/lang/case.h"
#include "harness/lang/frontend.h"
#include "harness/lang/parser.h"
#include "harness/lang/source.h"
#include "harness/record/notation.h"
#include "harness/record/rewrite.h"

namespace sockspec {
namespace {

using LineCol = std::pair<int, int>;

// One run of `plan`: every completed step's answer, by location (the last
// repetition's for repeated steps), and the failure, if any.
struct Probe {
  std::map<LineCol, ObservedStep> steps;
  std::optional<Failure> failure;
};

Probe RunOnce(const Plan& plan, const Case& parsed, const RecordOptions& options) {
  InstanceResult r = RunPlan(plan, options.exec);
  Notation names;
  names.payloads = CasePayloads(parsed, plan);
  for (const PeerDecl& p : plan.peers) names.peer_names.push_back(p.name);
  names.fd_names = plan.fd_names;
  names.context = &r.context;
  Probe out;
  for (const StepRecord& rec : r.trace) {
    if (!rec.observation || rec.call == nullptr) continue;
    ObservedStep s;
    s.line = rec.op->loc.line;
    s.col = rec.op->loc.col;
    absl::StatusOr<std::string> a = AnswerNotation(*rec.call, *rec.observation, names);
    if (a.ok()) {
      s.answer = *a;
    } else {
      s.error = std::string(a.status().message());
    }
    s.diverged = rec.op->expect.placeholder;
    out.steps[{s.line, s.col}] = s;
  }
  out.failure = std::move(r.failure);
  return out;
}

ObservedRow ObservePlan(Plan plan, const Case& parsed, const RecordOptions& options) {
  ObservedRow row;
  row.instance = plan.InstanceName();
  Probe probe;
  // Each round makes the step that failed a placeholder; a step is probed
  // at most once, so this ends.
  for (size_t round = 0; round <= plan.ops.size(); ++round) {
    probe = RunOnce(plan, parsed, options);
    const std::optional<Failure>& f = probe.failure;
    if (!f || f->kind != FailureKind::kMismatch) break;
    bool probed = false;
    for (Op& op : plan.ops) {
      if (op.loc.line == f->loc.line && op.loc.col == f->loc.col && !op.expect.placeholder) {
        op.expect.placeholder = true;
        probed = true;
      }
    }
    if (!probed) break;  // only placeholders fail now
  }
  if (probe.failure && probe.failure->kind != FailureKind::kMismatch) {
    row.failure = FailureHeadline(*probe.failure);
  }
  // Once more, alone: the divergent answers must not change.
  Probe again = RunOnce(plan, parsed, options);
  for (const auto& [key, step] : probe.steps) {
    auto it = again.steps.find(key);
    if (step.diverged && (it == again.steps.end() || it->second.answer != step.answer)) {
      row.stable = false;
    }
    row.steps.push_back(step);
  }
  return row;
}

}  // namespace

absl::StatusOr<std::vector<ObservedRow>> ObserveFile(const std::string& path,
                                                     const RecordOptions& options) {
  absl::StatusOr<LoadedCase> loaded = LoadCaseFile(path, options.platform);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->errors.empty()) return absl::InvalidArgumentError(FormatErrors(*loaded));
  DiagnosticSink sink;
  const Case parsed = ParseCase(Source(path, loaded->text), &sink);
  std::vector<ObservedRow> rows;
  for (const Plan& plan : loaded->plans) rows.push_back(ObservePlan(plan, parsed, options));
  return rows;
}

std::string ObservedJson(const std::vector<ObservedRow>& rows) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::array();
  for (const ObservedRow& r : rows) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const ObservedStep& s : r.steps) {
      steps.push_back({{"line", s.line}, {"col", s.col}, {"answer", s.answer},
                       {"error", s.error}, {"diverged", s.diverged}});
    }
    doc.push_back({{"instance", r.instance}, {"stable", r.stable},
                   {"failure", r.failure}, {"steps", steps}});
  }
  return doc.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

absl::StatusOr<std::vector<ObservedRow>> ParseObservedJson(const std::string& text) {
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    std::vector<ObservedRow> rows;
    for (const auto& r : doc) {
      ObservedRow row;
      row.instance = r.at("instance").get<std::string>();
      row.stable = r.at("stable").get<bool>();
      row.failure = r.at("failure").get<std::string>();
      for (const auto& s : r.at("steps")) {
        row.steps.push_back(ObservedStep{s.at("line").get<int>(), s.at("col").get<int>(),
                                         s.at("answer").get<std::string>(),
                                         s.at("error").get<std::string>(),
                                         s.at("diverged").get<bool>()});
      }
      rows.push_back(std::move(row));
    }
    return rows;
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not observed answers: ", e.what()));
  }
}

absl::StatusOr<FileRecord> RecordUnder(const std::string& path, Guest& guest,
                                       const RecordOptions& options) {
  const std::string platform = guest.Platform();
  absl::StatusOr<LoadedCase> loaded = LoadCaseFile(path, platform);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->errors.empty()) return absl::InvalidArgumentError(FormatErrors(*loaded));
  std::vector<std::string> args = {"record", absl::StrCat("--inner-run=", platform)};
  if (options.exec.step_timeout_ms > 0) {
    args.push_back(absl::StrCat("--step-timeout=", options.exec.step_timeout_ms));
  }
  args.push_back("--");
  args.push_back(path);
  absl::StatusOr<std::string> out = guest.RunSockspec(args);
  if (!out.ok()) return out.status();
  absl::StatusOr<std::vector<ObservedRow>> rows = ParseObservedJson(*out);
  if (!rows.ok()) return rows.status();
  const std::vector<Plan>& plans = loaded->plans;
  if (rows->size() != plans.size()) {
    return absl::InternalError(absl::StrCat(guest.System(), " ran ", rows->size(),
                                            " instances of ", path, ", not ", plans.size()));
  }

  FileRecord rec;
  rec.path = path;
  rec.original = rec.recorded = loaded->text;
  std::map<LineCol, RowAnswers> answers;
  std::set<LineCol> diverged, unstable;
  // The rows recorded: a known failure of the guest is not.
  std::vector<Plan> kept;
  for (size_t i = 0; i < rows->size(); ++i) {
    const ObservedRow& row = (*rows)[i];
    const std::string name = absl::StrCat("[", row.instance, "] ");
    if (options.known_failure) {
      const std::string why = options.known_failure(path, row.instance);
      if (!why.empty()) {
        rec.skipped.push_back(absl::StrCat(path, " ", name, "an expected failure: ", why));
        continue;
      }
    }
    const size_t r = kept.size();
    kept.push_back(plans[i]);
    if (!row.failure.empty()) rec.attention.push_back(name + row.failure);
    for (const ObservedStep& s : row.steps) {
      answers[{s.line, s.col}][r].push_back(
          s.error.empty() ? absl::StatusOr<std::string>(s.answer)
                          : absl::FailedPreconditionError(s.error));
      if (s.diverged && !row.stable) {
        unstable.insert({s.line, s.col});
        rec.attention.push_back(absl::StrCat(name, path, ":", s.line, ":", s.col,
                                             ": the answer changed when run again: not recorded"));
      } else if (s.diverged) {
        diverged.insert({s.line, s.col});
      }
    }
  }

  DiagnosticSink sink;
  const Case parsed = ParseCase(Source(path, loaded->text), &sink);
  const std::string because = absl::StrCat("observed with ", guest.System());
  std::vector<TextEdit> edits;
  for (const Step& step : parsed.steps) {
    const LineCol key = {step.loc.line, step.loc.col};
    // Unstable in any row: reported above, recorded nowhere.
    if (!diverged.count(key) || unstable.count(key)) continue;
    const std::string where = absl::StrCat(path, ":", step.loc.line, ":", step.loc.col, ": ");
    if (step.placeholder) {
      rec.attention.push_back(where + "a placeholder: record it on this machine first");
      continue;
    }
    int last_line = step.loc.line;
    bool has_own = false;
    for (const PlatformLine& line : step.platforms) {
      last_line = std::max(last_line, line.loc.line);
      for (const NameRef& n : line.platforms) has_own = has_own || n.name == platform;
    }
    absl::StatusOr<std::string> answer = AgreedAnswer(
        answers[key], kept, RowsWithoutStepAt(kept, key.first, key.second));
    if (!answer.ok()) {
      rec.attention.push_back(where + std::string(answer.status().message()));
      continue;
    }
    if (has_own) {
      rec.attention.push_back(absl::StrCat(where, guest.System(), " no longer gives the ",
                                           platform, " answer written there: it gives ",
                                           *answer));
      continue;
    }
    const std::string added = absl::StrCat("   on ", platform, " = ", *answer, " because ",
                                           QuoteLiteral(because));
    const int end_col = static_cast<int>(LineOf(loaded->text, last_line).size()) + 1;
    edits.push_back(TextEdit{{path, last_line, end_col}, 0, "\n" + added});
    rec.filled.push_back(absl::StrCat(where, added.substr(3)));
  }
  absl::StatusOr<std::string> recorded = ApplyEdits(rec.original, std::move(edits));
  if (!recorded.ok()) return recorded.status();
  rec.recorded = *std::move(recorded);
  return rec;
}

}  // namespace sockspec
