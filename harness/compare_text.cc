// Renderings of a ConformanceRun for people (text), tools (JSON) and CI
// (outcomes for JUnit).
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/compare.h"

namespace sockspec {
namespace {

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonSide(const std::optional<CaseOutcome>& o) {
  if (!o) return "null";
  return absl::StrFormat(
      "{\"verdict\": %s, \"answer\": %s, \"seconds\": %.6f, \"message\": %s}",
      Json(VerdictName(o->verdict)), Json(Answer(*o)), o->seconds,
      Json(o->message));
}

std::string Name(const Comparison& c) {
  return c.instance.empty() ? c.path
                            : absl::StrCat(c.path, " [", c.instance, "]");
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
    absl::StrAppendFormat(&out, "    line %d: %s: %s %s, %s %s (recorded)\n",
                          a.line, a.step, run.host_system, a.host_answer,
                          run.guest_system, a.guest_answer);
  }
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
        if (*o && !(*o)->message.empty()) {
          absl::StrAppend(&out, (*o)->message,
                          (*o)->message.back() == '\n' ? "" : "\n");
        }
      }
    }
  }
  std::vector<std::string> parts;
  for (Agreement a : {Agreement::kSame, Agreement::kRecorded, Agreement::kXfail,
                      Agreement::kDiffers, Agreement::kXpass,
                      Agreement::kHostFail, Agreement::kError}) {
    parts.push_back(absl::StrCat(counts[a], " ", AgreementName(a)));
  }
  absl::StrAppendFormat(&out, "\n%s vs %s%s: %s\n", run.host_system,
                        run.guest_system.empty() ? "(none)" : run.guest_system,
                        run.guest_version.empty() ? ""
                                                  : " (" + run.guest_version + ")",
                        absl::StrJoin(parts, ", "));
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
  std::map<Agreement, int> counts;
  std::vector<std::string> rows;
  for (const Comparison& c : run.rows) {
    ++counts[c.agreement];
    std::vector<std::string> covers;
    for (const std::string& b : c.covers) covers.push_back(Json(b));
    rows.push_back(absl::StrFormat(
        "    {\"path\": %s, \"instance\": %s, \"title\": %s, \"covers\": [%s], "
        "\"agreement\": %s, \"link\": %s, \"host\": %s, \"guest\": %s, "
        "\"xfail_reason\": %s, \"note\": %s}",
        Json(c.path), Json(c.instance), Json(c.title),
        absl::StrJoin(covers, ", "), Json(AgreementName(c.agreement)),
        Json(CaseLink(c)), JsonSide(c.host), JsonSide(c.guest),
        Json(c.xfail_reason), Json(c.note)));
  }
  std::vector<std::string> summary;
  for (Agreement a : {Agreement::kSame, Agreement::kRecorded, Agreement::kXfail,
                      Agreement::kDiffers, Agreement::kXpass,
                      Agreement::kHostFail, Agreement::kError}) {
    summary.push_back(absl::StrFormat("%s: %d", Json(AgreementName(a)), counts[a]));
  }
  return absl::StrFormat(
      "{\n  \"host\": %s, \"guest\": %s, \"guest_version\": %s, "
      "\"xfail_file\": %s,\n  \"host_seconds\": %.3f, \"guest_seconds\": %.3f,\n"
      "  \"summary\": {%s},\n  \"rows\": [\n%s\n  ]\n}\n",
      Json(run.host_system), Json(run.guest_system), Json(run.guest_version),
      Json(run.xfail_file), run.host_seconds, run.guest_seconds,
      absl::StrJoin(summary, ", "), absl::StrJoin(rows, ",\n"));
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
      case Agreement::kSame: case Agreement::kRecorded: case Agreement::kXfail:
        o.verdict = Verdict::kPass;
        break;
      case Agreement::kError:
        o.verdict = Verdict::kError;
        break;
      default:
        o.verdict = Verdict::kFail;
    }
    if (c.agreement != Agreement::kSame) {
      o.message = absl::StrCat(AgreementName(c.agreement), "\n",
                               BothAnswers(run, c));
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace sockspec
