#include "harness/compare.h"

#include <map>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sockspec {
namespace {

Comparison Row(const CaseOutcome& o) {
  Comparison c;
  c.path = o.path;
  c.instance = o.instance;
  c.title = o.title;
  c.covers = o.covers;
  return c;
}

void Judge(Comparison& c, bool guest_ran, bool recorded,
           const XfailEntry* listed) {
  if (!c.host || (guest_ran && !c.guest)) {
    c.agreement = Agreement::kError;
    c.note = !c.host ? "not run on the host" : "not run in the guest";
    return;
  }
  if (c.host->verdict == Verdict::kError) {
    c.agreement = Agreement::kError;
    return;
  }
  if (!guest_ran) {
    c.agreement = c.host->verdict == Verdict::kFail ? Agreement::kHostFail
                                                    : Agreement::kSame;
    return;
  }
  const bool guest_ok = c.guest->verdict == Verdict::kPass ||
                        c.guest->verdict == Verdict::kSkip;
  if (listed != nullptr) c.xfail_reason = listed->reason;
  if (c.host->verdict == Verdict::kFail) {
    c.agreement = Agreement::kHostFail;
  } else if (guest_ok) {
    c.agreement = listed    ? Agreement::kXpass
                  : recorded ? Agreement::kRecorded
                             : Agreement::kSame;
  } else if (listed) {
    // A listed instance may also be one the guest cannot run at all.
    c.agreement = Agreement::kXfail;
  } else {
    c.agreement = c.guest->verdict == Verdict::kError ? Agreement::kError
                                                      : Agreement::kDiffers;
  }
}

}  // namespace

const char* AgreementName(Agreement a) {
  switch (a) {
    case Agreement::kSame: return "same";
    case Agreement::kRecorded: return "recorded";
    case Agreement::kXfail: return "xfail";
    case Agreement::kDiffers: return "differs";
    case Agreement::kXpass: return "xpass";
    case Agreement::kHostFail: return "host-fail";
    case Agreement::kError: return "error";
  }
  return "?";
}

ConformanceRun Compare(const std::string& guest_system,
                       const std::vector<CaseOutcome>& host,
                       const std::vector<CaseOutcome>& guest,
                       const RecordedAnswers& recorded,
                       const XfailList* xfail) {
  ConformanceRun run;
  run.guest_system = guest_system;
  if (xfail != nullptr) run.xfail_file = xfail->file;
  const bool guest_ran = !guest_system.empty();
  // DisplayName -> rows with that name, in order (several with --repeat).
  std::map<std::string, std::vector<size_t>> by_name;
  std::map<std::string, size_t> used;
  for (const CaseOutcome& o : host) {
    by_name[DisplayName(o)].push_back(run.rows.size());
    run.rows.push_back(Row(o));
    run.rows.back().host = o;
  }
  if (guest_ran) {
    for (const CaseOutcome& o : guest) {
      std::string name = DisplayName(o);
      std::vector<size_t>& slots = by_name[name];
      size_t& next = used[name];
      if (next < slots.size()) {
        run.rows[slots[next++]].guest = o;
      } else {
        run.rows.push_back(Row(o));
        run.rows.back().guest = o;
      }
    }
  }
  for (Comparison& c : run.rows) {
    std::string name = c.instance.empty()
                           ? c.path
                           : absl::StrCat(c.path, " [", c.instance, "]");
    const XfailEntry* listed =
        xfail ? FindXfail(*xfail, c.path, c.instance) : nullptr;
    auto rec = recorded.find(name);
    if (guest_ran && rec != recorded.end()) c.recorded = rec->second;
    Judge(c, guest_ran, rec != recorded.end(), listed);
  }
  for (const Comparison& c : run.rows) {
    if (c.host) run.host_seconds += c.host->seconds;
  }
  return run;
}

int ComparisonExitCode(const ConformanceRun& run) {
  int code = 0;
  for (const Comparison& c : run.rows) {
    if (c.agreement == Agreement::kError) return 2;
    if (c.agreement == Agreement::kDiffers || c.agreement == Agreement::kXpass ||
        c.agreement == Agreement::kHostFail) {
      code = 1;
    }
  }
  return code;
}

Mismatch SplitMismatch(const std::string& message) {
  Mismatch m;
  std::string first = message.substr(0, message.find('\n'));
  static const std::regex kLocated(R"(^(\S+\.case):(\d+):\d+: (.*)$)");
  std::smatch loc;
  std::string rest = first;
  if (std::regex_match(first, loc, kLocated)) {
    m.path = loc[1];
    if (!absl::SimpleAtoi(std::string(loc[2]), &m.line)) m.line = 0;
    rest = loc[3];
  }
  size_t exp = rest.rfind(": expected ");
  if (exp == std::string::npos) return m;
  size_t got = rest.find(", got ", exp);
  m.step = rest.substr(0, exp);
  if (got == std::string::npos) {
    m.expected = rest.substr(exp + 11);
    return m;
  }
  m.expected = rest.substr(exp + 11, got - exp - 11);
  m.observed = rest.substr(got + 6);
  return m;
}

std::string Answer(const CaseOutcome& o) {
  if (o.verdict == Verdict::kPass) return "as expected";
  if (o.verdict == Verdict::kSkip) return "skipped";
  Mismatch m = SplitMismatch(o.message);
  if (!m.observed.empty()) {
    return absl::StrCat(m.observed, " (expected ", m.expected, ") at ", m.step);
  }
  std::string first = o.message.substr(0, o.message.find('\n'));
  return first.empty() ? VerdictName(o.verdict) : first;
}

std::string CaseLink(const Comparison& row) {
  for (const std::optional<CaseOutcome>* o : {&row.guest, &row.host}) {
    if (!*o) continue;
    Mismatch m = SplitMismatch((*o)->message);
    if (m.line > 0) return absl::StrCat(m.path, "#L", m.line);
  }
  return row.path;
}

}  // namespace sockspec
