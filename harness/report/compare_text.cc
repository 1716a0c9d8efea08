// Renderings of a ConformanceRun for people (text), tools (JSON) and CI
// (outcomes for JUnit).
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/report/compare.h"
#include "harness/result/outcome_json.h"

namespace sockspec {
namespace {

nlohmann::ordered_json JsonSide(const std::optional<CaseOutcome>& o) {
  if (!o) return nullptr;
  return {{"verdict", VerdictName(o->verdict)},
          {"answer", Answer(*o)},
          {"seconds", o->seconds},
          {"message", Message(*o)},
          {"failure", o->failure ? FailureJson(*o->failure) : nlohmann::ordered_json(nullptr)}};
}

std::string Name(const Comparison& c) {
  return c.instance.empty() ? c.path
                            : absl::StrCat(c.path, " [", c.instance, "]");
}

// The guest's steps: each failing one (listed or not), the lines never
// reached, listed steps that passed, and the counts; "" when the guest's
// run had no failing step.
std::string StepLines(const ConformanceRun& run, const Comparison& c) {
  std::string out;
  if (c.failing.empty() && c.xpass_lines.empty()) return out;
  for (const FailingStep& f : c.failing) {
    const Failure& x = f.failure;
    const std::string what =
        x.kind == FailureKind::kMismatch
            ? absl::StrCat(x.observed, " (expected ", x.expected, ")")
            : x.detail;
    absl::StrAppendFormat(&out, "    step %d: %s%s: %s: %s\n", x.loc.line,
                          x.peer.empty() ? "" : x.peer + ": ", x.call, what,
                          f.listed ? "xfail" : "differs, not listed");
  }
  if (!c.not_run.empty()) {
    absl::StrAppend(&out, "    not run: line", c.not_run.size() > 1 ? "s " : " ",
                    absl::StrJoin(c.not_run, ", "), "\n");
  }
  if (!c.xpass_lines.empty()) {
    absl::StrAppend(&out, "    listed in ", run.xfail_file, " but passed: line",
                    c.xpass_lines.size() > 1 ? "s " : " ",
                    absl::StrJoin(c.xpass_lines, ", "), "\n");
  }
  absl::StrAppend(&out, "    steps in ", run.guest_system, ": ",
                  StepCountsText(c.steps), "\n");
  return out;
}

nlohmann::ordered_json StepsJson(const StepCounts& s) {
  return {{"same", s.same}, {"recorded", s.recorded}, {"xfail", s.xfail},
          {"differs", s.differs}, {"not_run", s.not_run}};
}

// Both systems' answers, one line each, indented.
std::string BothAnswers(const ConformanceRun& run, const Comparison& c) {
  std::string out;
  auto side = [&out](const std::string& system,
                     const std::optional<CaseOutcome>& o) {
    absl::StrAppendFormat(&out, "    %-7s %s\n", system + ":",
                          o ? Answer(*o) : "not run");
  };
  side(run.host_system, c.host);
  if (!run.guest_system.empty()) side(run.guest_system, c.guest);
  for (const RecordedAnswer& a : c.recorded) {
    absl::StrAppendFormat(&out, "    line %d: %s%s: %s %s, %s %s (recorded)\n",
                          a.loc.line, a.peer.empty() ? "" : a.peer + ": ",
                          a.call, run.host_system, a.default_answer,
                          run.guest_system, a.platform_answer);
  }
  out += StepLines(run, c);
  if (!c.xfail_reason.empty()) {
    absl::StrAppend(&out, "    listed in ", run.xfail_file, ": \"",
                    c.xfail_reason, "\"\n");
  }
  if (!c.note.empty()) absl::StrAppend(&out, "    ", c.note, "\n");
  return out;
}

}  // namespace

std::string ComparisonText(const ConformanceRun& run, bool verbose) {
  std::string out;
  std::map<Agreement, int> counts;
  for (const Comparison& c : run.rows) {
    ++counts[c.agreement];
    if (c.agreement == Agreement::kSame && !verbose) continue;
    std::string tag = AgreementName(c.agreement);
    for (char& ch : tag) ch = toupper(ch);
    absl::StrAppendFormat(&out, "%-9s %s\n", tag, Name(c));
    out += BothAnswers(run, c);
    // Full failure reports (with traces) for what needs a look.
    if (c.agreement == Agreement::kDiffers || c.agreement == Agreement::kError ||
        c.agreement == Agreement::kHostFail) {
      for (const std::optional<CaseOutcome>* o : {&c.host, &c.guest}) {
        const std::string message = *o ? Message(**o) : "";
        if (!message.empty()) {
          absl::StrAppend(&out, message, message.back() == '\n' ? "" : "\n");
        }
      }
    }
  }
  std::vector<std::string> parts;
  for (Agreement a : {Agreement::kSame, Agreement::kSkipped, Agreement::kRecorded, Agreement::kXfail,
                      Agreement::kDiffers, Agreement::kXpass,
                      Agreement::kHostFail, Agreement::kError}) {
    parts.push_back(absl::StrCat(counts[a], " ", AgreementName(a)));
  }
  absl::StrAppendFormat(&out, "\n%s vs %s%s: %s\n", run.host_system,
                        run.guest_system.empty() ? "(none)" : run.guest_system,
                        run.guest_version.empty() ? ""
                                                  : " (" + run.guest_version + ")",
                        absl::StrJoin(parts, ", "));
  if (!run.guest_system.empty()) {
    absl::StrAppend(&out, "steps in ", run.guest_system, ": ",
                    StepCountsText(run.steps), "\n");
  }
  absl::StrAppendFormat(&out, "time: %s %.2f s of cases", run.host_system,
                        run.host_seconds);
  if (!run.guest_system.empty()) {
    absl::StrAppendFormat(&out, ", %s %.2f s wall (sandbox start included)",
                          run.guest_system, run.guest_seconds);
  }
  out += "\n";
  return out;
}

std::string ComparisonJson(const ConformanceRun& run) {
  using json = nlohmann::ordered_json;
  std::map<Agreement, int> counts;
  json rows = json::array();
  for (const Comparison& c : run.rows) {
    ++counts[c.agreement];
    json recorded = json::array();
    for (const RecordedAnswer& a : c.recorded) recorded.push_back(RecordedJson(a));
    json failing = json::array();
    for (const FailingStep& f : c.failing) {
      failing.push_back({{"failure", FailureJson(f.failure)},
                         {"listed", f.listed},
                         {"xfail_reason", f.xfail_reason}});
    }
    rows.push_back({{"path", c.path},
                    {"instance", c.instance},
                    {"title", c.title},
                    {"covers", c.covers},
                    {"agreement", AgreementName(c.agreement)},
                    {"link", CaseLink(c)},
                    {"host", JsonSide(c.host)},
                    {"guest", JsonSide(c.guest)},
                    {"recorded", std::move(recorded)},
                    {"xfail_reason", c.xfail_reason},
                    {"steps", StepsJson(c.steps)},
                    {"failing_steps", std::move(failing)},
                    {"not_run", c.not_run},
                    {"xpass_lines", c.xpass_lines},
                    {"note", c.note}});
  }
  json summary = json::object();
  for (Agreement a : {Agreement::kSame, Agreement::kSkipped, Agreement::kRecorded, Agreement::kXfail,
                      Agreement::kDiffers, Agreement::kXpass,
                      Agreement::kHostFail, Agreement::kError}) {
    summary[AgreementName(a)] = counts[a];
  }
  json doc = {{"host", run.host_system},
              {"guest", run.guest_system},
              {"guest_platform", run.guest_platform},
              {"guest_version", run.guest_version},
              {"xfail_file", run.xfail_file},
              {"host_seconds", run.host_seconds},
              {"guest_seconds", run.guest_seconds},
              {"summary", std::move(summary)},
              {"steps", StepsJson(run.steps)},
              {"rows", std::move(rows)}};
  return DumpJson(doc);
}

std::vector<CaseOutcome> ComparisonOutcomes(const ConformanceRun& run) {
  std::vector<CaseOutcome> out;
  for (const Comparison& c : run.rows) {
    CaseOutcome o;
    o.path = c.path;
    o.instance = c.instance;
    o.title = c.title;
    o.covers = c.covers;
    o.seconds = (c.host ? c.host->seconds : 0) + (c.guest ? c.guest->seconds : 0);
    switch (c.agreement) {
      case Agreement::kSame: case Agreement::kRecorded:
        o.verdict = Verdict::kPass;
        break;
      case Agreement::kXfail:  // JUnit <skipped>, KTAP # SKIP, with the reason
        o.verdict = Verdict::kSkip;
        o.skip_reason = absl::StrCat("expected failure: ", c.xfail_reason,
                                     " (steps: ", StepCountsText(c.steps), ")");
        break;
      case Agreement::kSkipped:
        o.verdict = Verdict::kSkip;
        o.skip_reason = c.note;
        break;
      case Agreement::kError:
        o.verdict = Verdict::kError;
        break;
      case Agreement::kDiffers: case Agreement::kXpass: case Agreement::kHostFail:
        o.verdict = Verdict::kFail;
        break;
    }
    if (c.agreement != Agreement::kSame && c.agreement != Agreement::kSkipped) {
      // The headline names where the systems parted (the failing side's
      // step, file:line:col) so a CI page links to it without the body.
      const Failure* at = c.guest && c.guest->failure ? &*c.guest->failure
                          : c.host && c.host->failure ? &*c.host->failure
                                                      : nullptr;
      std::string where;
      if (at != nullptr && at->loc.line > 0) {
        where = absl::StrCat(" at ", c.path, ":", at->loc.line, ":", at->loc.col,
                             at->call.empty() ? "" : " ",
                             at->peer.empty() ? "" : at->peer + ": ", at->call);
      }
      if (c.agreement == Agreement::kXfail) {
        absl::StrAppend(&where, " (listed: \"", c.xfail_reason, "\")");
      }
      o.failure = TextFailure(
          FailureKind::kDisagreement,
          absl::StrCat(AgreementName(c.agreement), where, "\n", BothAnswers(run, c)));
      if (at != nullptr) {
        o.failure->loc = at->loc;
        o.failure->peer = at->peer;
        o.failure->call = at->call;
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace sockspec
