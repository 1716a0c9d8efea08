#include "harness/report/compare.h"

#include <map>

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

void Judge(Comparison& c, bool guest_ran, const XfailEntry* listed) {
  if (!c.host || (guest_ran && !c.guest)) {
    c.agreement = Agreement::kError;
    c.note = !c.host ? "not run on the host" : "not run in the guest";
    return;
  }
  if (c.host->verdict == Verdict::kError) {
    c.agreement = Agreement::kError;
    return;
  }
  const bool host_skip = c.host->verdict == Verdict::kSkip;
  const bool guest_skip = guest_ran && c.guest->verdict == Verdict::kSkip;
  if (host_skip || guest_skip) {
    c.agreement = Agreement::kSkipped;
    c.note = host_skip ? absl::StrCat("skipped on the host: ", c.host->skip_reason)
                       : absl::StrCat("skipped in the guest: ",
                                      c.guest->skip_reason);
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
                  : !c.recorded.empty() ? Agreement::kRecorded
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
    case Agreement::kSkipped: return "skipped";
    case Agreement::kXpass: return "xpass";
    case Agreement::kHostFail: return "host-fail";
    case Agreement::kError: return "error";
  }
  return "?";
}

ConformanceRun Compare(const std::string& guest_platform,
                       const std::vector<CaseOutcome>& host,
                       const std::vector<CaseOutcome>& guest,
                       const XfailList* xfail) {
  ConformanceRun run;
  run.guest_system = guest_platform;
  run.guest_platform = guest_platform;
  if (xfail != nullptr) run.xfail_file = xfail->file;
  const bool guest_ran = !guest_platform.empty();
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
    const XfailEntry* listed =
        xfail ? FindXfail(*xfail, c.path, c.instance) : nullptr;
    if (guest_ran && c.guest) c.recorded = c.guest->recorded;
    Judge(c, guest_ran, listed);
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

std::string Answer(const CaseOutcome& o) {
  if (o.verdict == Verdict::kPass) return "as expected";
  if (o.verdict == Verdict::kSkip) return absl::StrCat("skipped: ", o.skip_reason);
  if (!o.failure) return VerdictName(o.verdict);
  const Failure& f = *o.failure;
  if (f.kind == FailureKind::kMismatch) {
    return absl::StrCat(f.observed, " (expected ", f.expected, ") at ",
                        f.peer.empty() ? "" : absl::StrCat(f.peer, ": "), f.call);
  }
  std::string first = FailureHeadline(f);
  return first.empty() ? VerdictName(o.verdict) : first;
}

std::string CaseLink(const Comparison& row) {
  for (const std::optional<CaseOutcome>* o : {&row.guest, &row.host}) {
    if (!*o || !(*o)->failure) continue;
    const Location& loc = (*o)->failure->loc;
    if (loc.line > 0) return absl::StrCat(loc.path, "#L", loc.line);
  }
  return row.path;
}

}  // namespace sockspec
