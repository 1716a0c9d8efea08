#include "harness/report/systems_html.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/report/html_report.h"

namespace sockspec {
namespace {

constexpr char kStyle[] =
    "body{font:14px system-ui,sans-serif;margin:1em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
    "vertical-align:top}th{background:#eee}tr.case td{background:#f6f6f6;"
    "font-weight:bold}.same,.recorded{color:#286}.xfail{color:#a60}"
    ".differs,.xpass,.host-fail,.error{color:#c00;font-weight:bold}"
    ".answer{color:#444;font-weight:normal;font-size:12px}"
    "#only:checked~table tbody.agree{display:none}"
    ".ladder td,.ladder th{font-size:12px;font-weight:normal;color:#222}"
    ".ladder tr.parted td{background:#fdd}.ladder td.asleep{color:#06c}"
    ".ladder td.sleeping{color:#06c;font-style:italic}.woke{color:#06c}";

}  // namespace

bool SystemsDiffer(Agreement a) {
  switch (a) {
    case Agreement::kSame:
    case Agreement::kRecorded:
    case Agreement::kSkipped:
      return false;
    case Agreement::kXfail:
    case Agreement::kDiffers:
    case Agreement::kXpass:
    case Agreement::kHostFail:
    case Agreement::kError:
      return true;
  }
  return true;
}

std::vector<SystemsGroup> GroupSystems(const std::vector<ConformanceRun>& runs) {
  std::vector<SystemsGroup> groups;
  if (runs.empty()) return groups;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < runs[0].rows.size(); ++i) {
    const std::string& path = runs[0].rows[i].path;
    auto [it, added] = index.emplace(path, groups.size());
    if (added) groups.push_back(SystemsGroup{path, {}, false});
    SystemsGroup& g = groups[it->second];
    g.rows.push_back(i);
    for (const ConformanceRun& run : runs) {
      g.differs = g.differs || i >= run.rows.size() || run.rows[i].path != path ||
                  SystemsDiffer(run.rows[i].agreement);
    }
  }
  std::stable_partition(groups.begin(), groups.end(),
                        [](const SystemsGroup& g) { return g.differs; });
  return groups;
}

namespace {

// Who woke a `wakes` step: "woken by A: write(a, "x") (line 8)".
std::string Waker(const Failure& f, int by) {
  if (by < 0 || static_cast<size_t>(by) >= f.trace.size()) return "";
  const TraceStep& w = f.trace[by];
  return absl::StrCat("<div class=\"woke\">woken by ",
                      HtmlEscape(w.peer.empty() ? "setup" : w.peer), ": ", HtmlEscape(w.call),
                      " (line ", w.loc.line, ")</div>");
}

// The steps the system ran up to where it parted from the expectation, one
// column per peer (setup first), one row per step: who called what and what
// it observed; a call seen asleep is marked, its peer's column says
// "asleep" until the step that woke it, which names who woke it; the step
// where it parted (and any step not as expected) is highlighted.
std::string Ladder(const Failure& f) {
  std::vector<std::string> peers = {""};
  for (const TraceStep& t : f.trace) {
    if (std::find(peers.begin(), peers.end(), t.peer) == peers.end()) peers.push_back(t.peer);
  }
  if (std::find(peers.begin(), peers.end(), f.peer) == peers.end()) peers.push_back(f.peer);
  std::string out = "<details><summary>steps</summary><table class=\"ladder\"><tr><th>line</th>";
  for (const std::string& p : peers) {
    absl::StrAppend(&out, "<th>", p.empty() ? "setup" : HtmlEscape(p), "</th>");
  }
  out += "</tr>";
  // The peers asleep in a call, and the trace index that wakes each.
  std::map<std::string, int> asleep;
  auto row = [&](int line, const std::string& peer, const std::string& html, bool bad,
                 bool sleeps) {
    absl::StrAppend(&out, "<tr", bad ? " class=\"parted\"" : "", "><td>", line, "</td>");
    for (const std::string& p : peers) {
      if (p == peer) {
        absl::StrAppend(&out, sleeps ? "<td class=\"asleep\">" : "<td>", html, "</td>");
      } else {
        out += asleep.count(p) ? "<td class=\"sleeping\">\u22ee asleep</td>" : "<td></td>";
      }
    }
    out += "</tr>";
  };
  auto wake_line = [&](int at) {
    return static_cast<size_t>(at) < f.trace.size() ? f.trace[at].loc.line : f.loc.line;
  };
  for (size_t k = 0; k < f.trace.size(); ++k) {
    const TraceStep& t = f.trace[k];
    std::string html = HtmlEscape(absl::StrCat(t.call, " \u2192 ", t.observed));
    if (t.asleep) {
      absl::StrAppend(&html, " <b>blocked</b>",
                      t.woken_at >= 0 ? absl::StrCat(", woken at line ", wake_line(t.woken_at))
                                      : "");
    }
    html += Waker(f, t.woken_by);
    row(t.loc.line, t.peer, html, !t.ok, t.asleep);
    if (t.asleep) asleep[t.peer] = t.woken_at;
    for (auto it = asleep.begin(); it != asleep.end();) {
      it = it->second >= 0 && static_cast<size_t>(it->second) <= k ? asleep.erase(it)
                                                                    : std::next(it);
    }
  }
  if (f.loc.line > 0) {
    asleep.erase(f.peer);
    row(f.loc.line, f.peer,
        HtmlEscape(absl::StrCat(f.call, " \u2192 ", f.observed.empty() ? f.detail : f.observed,
                                f.expected.empty() ? "" : " (expected " + f.expected + ")")) +
            Waker(f, f.woken_by),
        true, false);
  }
  return out + "</table></details>";
}

std::string Cell(const Comparison& row) {
  std::string cell = absl::StrCat("<td class=\"", AgreementName(row.agreement), "\">",
                                  AgreementName(row.agreement));
  if (SystemsDiffer(row.agreement)) {
    absl::StrAppend(&cell, "<div class=\"answer\">",
                    HtmlEscape(row.guest ? Answer(*row.guest)
                                         : row.note.empty() ? "not run" : row.note),
                    "</div>");
    if (row.guest && row.guest->failure) absl::StrAppend(&cell, Ladder(*row.guest->failure));
    // Per step: every failing step (the run went on after the first), and
    // the steps it never reached.
    if (row.failing.size() > 1 || !row.not_run.empty()) {
      std::string steps;
      for (const FailingStep& f : row.failing) {
        absl::StrAppend(&steps, "<li>line ", f.failure.loc.line, ": ",
                        HtmlEscape(f.failure.call), f.listed ? " (xfail)" : " (differs)",
                        "</li>");
      }
      if (!row.not_run.empty()) {
        absl::StrAppend(&steps, "<li>not run: line", row.not_run.size() > 1 ? "s " : " ",
                        absl::StrJoin(row.not_run, ", "), "</li>");
      }
      absl::StrAppend(&cell, "<ul class=\"steps\">", steps, "</ul>");
    }
  }
  return cell + "</td>";
}

}  // namespace

std::string SystemsHtml(const std::vector<ConformanceRun>& runs,
                        const std::string& link_base) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sockspec: ",
      runs.size() + 1, " systems</title><style>", kStyle, "</style></head><body>\n",
      "<h1>sockspec: one suite on ", runs.size() + 1, " systems</h1>\n");
  // The per-system summary line, then the switch and the matrix.
  for (const ConformanceRun& run : runs) {
    std::map<Agreement, int> n;
    for (const Comparison& row : run.rows) ++n[row.agreement];
    absl::StrAppend(&out, "<p>", HtmlEscape(run.host_system), " vs <b>",
                    HtmlEscape(run.guest_system), "</b> (", HtmlEscape(run.guest_version),
                    "): ", n[Agreement::kSame], " same, ", n[Agreement::kRecorded],
                    " recorded, ", n[Agreement::kXfail], " xfail, ",
                    n[Agreement::kDiffers], " differs, ", n[Agreement::kXpass], " xpass, ",
                    n[Agreement::kHostFail], " host-fail, ", n[Agreement::kError],
                    " error; steps: ", StepCountsText(run.steps), "</p>\n");
  }
  absl::StrAppend(&out, "<input type=\"checkbox\" id=\"only\"><label for=\"only\">"
                        "differences only</label>\n<table>\n<thead><tr><th>case / instance</th><th>",
                  HtmlEscape(runs.empty() ? "host" : runs[0].host_system), "</th>");
  for (const ConformanceRun& run : runs) {
    absl::StrAppend(&out, "<th>", HtmlEscape(run.guest_system), "</th>");
  }
  out += "</tr></thead>\n";
  if (runs.empty()) return out + "</table></body></html>\n";
  for (const SystemsGroup& g : GroupSystems(runs)) {
    const std::string& path = g.path;
    std::string body;
    for (size_t i : g.rows) {
      const Comparison& first = runs[0].rows[i];
      absl::StrAppend(&body, "<tr><td>", HtmlEscape(first.instance.empty() ? "(one instance)"
                                                                           : first.instance),
                      "</td><td class=\"", first.host && first.host->verdict == Verdict::kPass
                                               ? "same\">pass" : "host-fail\">fail",
                      "</td>");
      for (const ConformanceRun& run : runs) {
        if (i >= run.rows.size() || run.rows[i].path != path) {
          body += "<td class=\"error\">missing</td>";
          continue;
        }
        body += Cell(run.rows[i]);
      }
      body += "</tr>\n";
    }
    absl::StrAppend(
        &out, "<tbody class=\"", g.differs ? "differ" : "agree",
        "\"><tr class=\"case\"><td colspan=\"", runs.size() + 2, "\"><a href=\"",
        HtmlEscape(!path.empty() && path[0] == '/' ? "file://" + path : link_base + path),
        "\">", HtmlEscape(path), "</a></td></tr>\n", body, "</tbody>\n");
  }
  return out + "</table>\n</body></html>\n";
}

}  // namespace sockspec
