#include "harness/result/outcome_json.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sockspec {
namespace {

using json = nlohmann::ordered_json;

void PutLocation(json& j, const Location& loc) {
  j["path"] = loc.path;
  j["line"] = loc.line;
  j["col"] = loc.col;
}

Location GetLocation(const json& j) {
  Location loc;
  loc.path = j.value("path", "");
  loc.line = j.value("line", 0);
  loc.col = j.value("col", 0);
  return loc;
}

// Throws nlohmann::ordered_json::exception on a field of the wrong type; the caller
// catches it.
Failure GetFailure(const json& j) {
  Failure f;
  const std::string kind = j.at("kind").get<std::string>();
  if (!ParseFailureKind(kind, &f.kind)) {
    throw json::other_error::create(501, "unknown failure kind '" + kind + "'", &j);
  }
  f.loc = GetLocation(j);
  f.peer = j.value("peer", "");
  f.call = j.value("call", "");
  f.expected_text = j.value("expected_text", "");
  f.expected = j.value("expected", "");
  f.observed = j.value("observed", "");
  f.detail = j.value("detail", "");
  f.more_errors = j.value("more_errors", std::vector<std::string>());
  f.woken_by = j.value("woken_by", -1);
  for (const json& s : j.value("trace", json::array())) {
    f.trace.push_back(TraceStep{GetLocation(s), s.value("peer", ""),
                                s.value("call", ""), s.value("observed", ""),
                                s.value("ok", true), s.value("asleep", false),
                                s.value("woken_at", -1), s.value("woken_by", -1)});
  }
  return f;
}

RecordedAnswer GetRecorded(const json& j) {
  RecordedAnswer a;
  a.loc = GetLocation(j);
  a.peer = j.value("peer", "");
  a.call = j.value("call", "");
  a.default_platform = j.value("default_platform", "");
  a.default_answer = j.value("default_answer", "");
  a.platform = j.value("platform", "");
  a.platform_answer = j.value("platform_answer", "");
  a.source = j.value("source", "");
  a.observed = j.value("observed", "");
  return a;
}

CaseOutcome GetOutcome(const json& r) {
  CaseOutcome o;
  o.path = r.value("path", "");
  o.instance = r.value("instance", "");
  o.title = r.value("title", "");
  o.covers = r.value("covers", std::vector<std::string>());
  o.seconds = r.value("seconds", 0.0);
  o.skip_reason = r.value("skip_reason", "");
  const std::string verdict = r.at("verdict").get<std::string>();
  bool known = false;
  for (Verdict v : {Verdict::kPass, Verdict::kFail, Verdict::kError, Verdict::kSkip}) {
    if (verdict == VerdictName(v)) {
      o.verdict = v;
      known = true;
    }
  }
  if (!known) {
    throw json::other_error::create(501, "unknown verdict '" + verdict + "'", &r);
  }
  if (r.contains("failure") && !r["failure"].is_null()) {
    o.failure = GetFailure(r["failure"]);
  }
  for (const json& a : r.value("recorded", json::array())) {
    o.recorded.push_back(GetRecorded(a));
  }
  for (const json& f : r.value("later_failures", json::array())) {
    o.later_failures.push_back(GetFailure(f));
  }
  o.step_lines = r.value("step_lines", std::vector<int>());
  o.not_run = r.value("not_run", std::vector<int>());
  return o;
}

}  // namespace

json FailureJson(const Failure& f) {
  json j;
  j["kind"] = FailureKindName(f.kind);
  PutLocation(j, f.loc);
  j["peer"] = f.peer;
  j["call"] = f.call;
  j["expected_text"] = f.expected_text;
  j["expected"] = f.expected;
  j["observed"] = f.observed;
  j["detail"] = f.detail;
  j["more_errors"] = f.more_errors;
  if (f.woken_by >= 0) j["woken_by"] = f.woken_by;
  j["trace"] = json::array();
  for (const TraceStep& s : f.trace) {
    json t;
    PutLocation(t, s.loc);
    t["peer"] = s.peer;
    t["call"] = s.call;
    t["observed"] = s.observed;
    t["ok"] = s.ok;
    // Only when set: traces without blocking calls keep their old JSON.
    if (s.asleep) t["asleep"] = true;
    if (s.woken_at >= 0) t["woken_at"] = s.woken_at;
    if (s.woken_by >= 0) t["woken_by"] = s.woken_by;
    j["trace"].push_back(std::move(t));
  }
  j["text"] = FailureText(f);
  return j;
}

json RecordedJson(const RecordedAnswer& a) {
  json j;
  PutLocation(j, a.loc);
  j["peer"] = a.peer;
  j["call"] = a.call;
  j["default_platform"] = a.default_platform;
  j["default_answer"] = a.default_answer;
  j["platform"] = a.platform;
  j["platform_answer"] = a.platform_answer;
  j["source"] = a.source;
  j["observed"] = a.observed;
  return j;
}

json OutcomeJson(const CaseOutcome& o) {
  json j;
  j["path"] = o.path;
  j["instance"] = o.instance;
  j["title"] = o.title;
  j["covers"] = o.covers;
  j["verdict"] = VerdictName(o.verdict);
  j["seconds"] = o.seconds;
  j["message"] = Message(o);
  j["skip_reason"] = o.skip_reason;
  j["failure"] = o.failure ? FailureJson(*o.failure) : json(nullptr);
  j["recorded"] = json::array();
  for (const RecordedAnswer& a : o.recorded) j["recorded"].push_back(RecordedJson(a));
  // Only when set: outcomes of runs that stop at the first failure keep
  // their old JSON.
  if (!o.later_failures.empty()) {
    j["later_failures"] = json::array();
    for (const Failure& f : o.later_failures) j["later_failures"].push_back(FailureJson(f));
  }
  if (!o.step_lines.empty()) j["step_lines"] = o.step_lines;
  if (!o.not_run.empty()) j["not_run"] = o.not_run;
  return j;
}

json OutcomesJson(const std::vector<CaseOutcome>& outcomes) {
  int pass = 0, fail = 0, error = 0, skip = 0;
  double seconds = 0;
  json results = json::array();
  for (const CaseOutcome& o : outcomes) {
    switch (o.verdict) {
      case Verdict::kPass: ++pass; break;
      case Verdict::kFail: ++fail; break;
      case Verdict::kError: ++error; break;
      case Verdict::kSkip: ++skip; break;
    }
    seconds += o.seconds;
    results.push_back(OutcomeJson(o));
  }
  json doc;
  doc["summary"] = {{"pass", pass}, {"fail", fail}, {"error", error},
                    {"skip", skip}, {"seconds", seconds}};
  doc["results"] = std::move(results);
  return doc;
}

std::string DumpJson(const json& doc) {
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

absl::StatusOr<std::vector<CaseOutcome>> ParseJsonOutcomes(
    const std::string& text) {
  std::vector<CaseOutcome> out;
  try {
    json doc = json::parse(text);
    if (!doc.is_object() || !doc.contains("results") || !doc["results"].is_array()) {
      return absl::InvalidArgumentError("JSON results: no \"results\" array");
    }
    for (const json& r : doc["results"]) out.push_back(GetOutcome(r));
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("JSON results: ", e.what()));
  }
  return out;
}

}  // namespace sockspec
