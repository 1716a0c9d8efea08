#include "harness/report/compare.h"

#include <algorithm>
#include <map>
#include <set>

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

// The guest's failing steps, each looked up in the list; the step entries
// of this instance whose steps ran and passed; the per-step counts.
void JudgeSteps(Comparison& c, const XfailList* xfail) {
  const CaseOutcome& g = *c.guest;
  std::vector<const Failure*> failures;
  if (g.verdict == Verdict::kFail && g.failure) failures.push_back(&*g.failure);
  for (const Failure& f : g.later_failures) failures.push_back(&f);
  std::set<int> failed;
  for (const Failure* f : failures) {
    FailingStep step;
    step.failure = *f;
    const XfailEntry* e =
        xfail ? FindStepXfail(*xfail, c.path, c.instance, f->loc.line) : nullptr;
    if (e != nullptr) {
      step.listed = true;
      step.xfail_reason = e->reason;
    }
    failed.insert(f->loc.line);
    c.failing.push_back(std::move(step));
  }
  c.not_run = g.not_run;
  const std::set<int> lines(g.step_lines.begin(), g.step_lines.end());
  const std::set<int> unreached(g.not_run.begin(), g.not_run.end());
  if (xfail != nullptr && g.verdict != Verdict::kError) {
    for (const XfailEntry* e : XfailEntriesFor(*xfail, c.path, c.instance)) {
      const int line = e->step_line;
      if (line > 0 && !e->racy && lines.count(line) && !unreached.count(line) &&
          !failed.count(line)) {
        c.xpass_lines.push_back(line);
      }
    }
  }
  if (g.verdict != Verdict::kPass && g.verdict != Verdict::kFail) return;
  std::set<int> recorded, listed, unlisted;
  for (const RecordedAnswer& a : g.recorded) recorded.insert(a.loc.line);
  for (const FailingStep& f : c.failing) {
    (f.listed ? listed : unlisted).insert(f.failure.loc.line);
  }
  for (int line : listed) unlisted.erase(line);
  StepCounts& n = c.steps;
  n.not_run = static_cast<int>(unreached.size());
  n.xfail = static_cast<int>(listed.size());
  n.differs = static_cast<int>(unlisted.size());
  for (int line : recorded) {
    if (!failed.count(line) && !unreached.count(line)) ++n.recorded;
  }
  n.same = std::max(0, static_cast<int>(lines.size()) - n.not_run - n.xfail -
                           n.differs - n.recorded);
}

void Judge(Comparison& c, bool guest_ran, const XfailList* xfail) {
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
  JudgeSteps(c, xfail);
  const Verdict gv = c.guest->verdict;
  if (c.host->verdict == Verdict::kFail) {
    c.agreement = Agreement::kHostFail;
    return;
  }
  if (gv == Verdict::kError) {
    // Only a whole-instance entry (or one for the step the error names)
    // covers an instance the guest cannot run.
    const int line = c.guest->failure ? c.guest->failure->loc.line : 0;
    const XfailEntry* e =
        xfail ? FindStepXfail(*xfail, c.path, c.instance, line) : nullptr;
    if (e != nullptr) c.xfail_reason = e->reason;
    c.agreement = e != nullptr ? Agreement::kXfail : Agreement::kError;
    return;
  }
  if (gv == Verdict::kPass) {
    // Listed racy steps that passed this time do not make it stale.
    const XfailEntry* e =
        xfail ? FindXfail(*xfail, c.path, c.instance, false) : nullptr;
    if (e != nullptr) {
      c.xfail_reason = e->reason;
      c.agreement = Agreement::kXpass;
    } else {
      c.agreement = c.recorded.empty() ? Agreement::kSame : Agreement::kRecorded;
    }
    return;
  }
  bool all_listed = true;
  for (const FailingStep& f : c.failing) {
    if (!f.listed) all_listed = false;
    if (f.listed && c.xfail_reason.empty()) c.xfail_reason = f.xfail_reason;
  }
  if (!all_listed) {
    c.agreement = Agreement::kDiffers;
  } else if (!c.xpass_lines.empty()) {
    c.agreement = Agreement::kXpass;
  } else {
    c.agreement = Agreement::kXfail;
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
    if (guest_ran && c.guest) c.recorded = c.guest->recorded;
    Judge(c, guest_ran, xfail);
    run.steps.same += c.steps.same;
    run.steps.recorded += c.steps.recorded;
    run.steps.xfail += c.steps.xfail;
    run.steps.differs += c.steps.differs;
    run.steps.not_run += c.steps.not_run;
  }
  for (const Comparison& c : run.rows) {
    if (c.host) run.host_seconds += c.host->seconds;
  }
  return run;
}

std::string StepCountsText(const StepCounts& s) {
  return absl::StrCat(s.same, " same, ", s.recorded, " recorded, ", s.xfail,
                      " xfail, ", s.differs, " differs, ", s.not_run, " not run");
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
