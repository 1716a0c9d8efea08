#include "harness/report/report_matrix.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sockspec {
namespace {

void AddNote(ReportCell& cell, const std::string& note) {
  if (note.empty()) return;
  cell.note = cell.note.empty() ? note : absl::StrCat(cell.note, "; ", note);
}

// Fills expected/observed (or the note) from a non-passing outcome's
// failure record.
void Describe(const CaseOutcome& o, ReportCell& cell) {
  if (!o.failure) return;
  const Failure& f = *o.failure;
  switch (f.kind) {
    case FailureKind::kMismatch:
      cell.expected = f.expected;
      cell.observed = f.observed;
      AddNote(cell, f.peer.empty() ? f.call : absl::StrCat(f.peer, ": ", f.call));
      break;
    case FailureKind::kHang:
    case FailureKind::kDeadline:
    case FailureKind::kPeerDied:
    case FailureKind::kHarnessError:
    case FailureKind::kCaseError:
    case FailureKind::kDisagreement:
      AddNote(cell, FailureHeadline(f));
      break;
  }
  if (f.loc.line > 0) cell.link = absl::StrCat(f.loc.path, "#L", f.loc.line);
}

ReportCell HostCell(const Comparison& c) {
  ReportCell cell;
  cell.link = c.path;
  if (!c.host) {
    cell.note = c.note;
    return cell;
  }
  cell.status = c.host->verdict == Verdict::kPass   ? CellStatus::kPass
                : c.host->verdict == Verdict::kFail ? CellStatus::kFail
                : c.host->verdict == Verdict::kSkip ? CellStatus::kNotRun
                                                    : CellStatus::kError;
  if (c.host->verdict == Verdict::kSkip) {
    cell.note = absl::StrCat("skipped: ", c.host->skip_reason);
  } else if (cell.status != CellStatus::kPass) {
    Describe(*c.host, cell);
  }
  return cell;
}

ReportCell GuestCell(const ConformanceRun& run, const Comparison& c) {
  ReportCell cell;
  cell.link = c.path;
  if (!c.guest) {
    cell.note = c.note;
    if (c.agreement == Agreement::kXfail) cell.status = CellStatus::kXfail;
    return cell;
  }
  switch (c.agreement) {
    case Agreement::kSame:
      cell.status = CellStatus::kPass;
      return cell;
    case Agreement::kRecorded:
      cell.status = CellStatus::kRecorded;
      cell.note = absl::StrCat("differs from ", run.host_system,
                               ", as the case records");
      if (!c.recorded.empty()) {
        const RecordedAnswer& first = c.recorded.front();
        cell.expected_label = run.host_system;
        cell.expected = first.default_answer;
        cell.observed_label = run.guest_system;
        cell.observed = first.platform_answer;
        cell.link = absl::StrCat(first.loc.path, "#L", first.loc.line);
        cell.note = absl::StrCat("recorded at ",
                                 first.peer.empty() ? "" : first.peer + ": ",
                                 first.call);
        if (c.recorded.size() > 1) {
          absl::StrAppend(&cell.note, " (+", c.recorded.size() - 1, " more)");
        }
      }
      return cell;
    case Agreement::kSkipped:
      cell.status = c.guest->verdict == Verdict::kSkip ? CellStatus::kNotRun
                                                       : CellStatus::kPass;
      if (c.guest->verdict == Verdict::kSkip) {
        cell.note = absl::StrCat("skipped: ", c.guest->skip_reason);
      }
      return cell;
    case Agreement::kXfail:
      cell.status = CellStatus::kXfail;
      cell.note = absl::StrCat("xfail: ", c.xfail_reason);
      break;
    case Agreement::kXpass:
      cell.status = CellStatus::kFail;
      cell.note = absl::StrCat("XPASS: listed as failing (", c.xfail_reason,
                               ") but passes");
      return cell;
    case Agreement::kError:
      cell.status = CellStatus::kError;
      break;
    case Agreement::kDiffers:
    case Agreement::kHostFail:
      cell.status = c.guest->verdict == Verdict::kPass ? CellStatus::kPass
                                                       : CellStatus::kFail;
      break;
  }
  if (c.guest->verdict != Verdict::kPass) Describe(*c.guest, cell);
  if (c.failing.size() > 1 || !c.not_run.empty()) {
    // Per step: how many of the guest's steps failed, listed or not, and
    // how many it never reached (one failure at the last step says it all).
    absl::StrAppend(&cell.note, cell.note.empty() ? "" : "; ", "steps: ",
                    StepCountsText(c.steps));
  }
  return cell;
}

}  // namespace

const char* CellStatusName(CellStatus s) {
  switch (s) {
    case CellStatus::kPass: return "pass";
    case CellStatus::kRecorded: return "recorded";
    case CellStatus::kXfail: return "xfail";
    case CellStatus::kFail: return "fail";
    case CellStatus::kError: return "error";
    case CellStatus::kNotRun: return "not-run";
  }
  return "?";
}

std::vector<std::string> MatrixSystems(const ConformanceRun& run) {
  std::vector<std::string> s = {run.host_system};
  if (!run.guest_system.empty()) s.push_back(run.guest_system);
  return s;
}

std::vector<ReportRow> BuildReportRows(const ConformanceRun& run) {
  std::vector<std::pair<std::string, ReportRow>> keyed;
  for (const Comparison& c : run.rows) {
    ReportRow row;
    row.behaviours = absl::StrJoin(c.covers, " ");
    row.title = c.title;
    row.path = c.path;
    row.instance = c.instance;
    row.cells.push_back(HostCell(c));
    if (!run.guest_system.empty()) row.cells.push_back(GuestCell(run, c));
    std::string key = c.covers.empty() ? "~" : c.covers.front();
    keyed.emplace_back(absl::StrCat(key, "\t", c.path), std::move(row));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ReportRow> rows;
  for (auto& [key, row] : keyed) rows.push_back(std::move(row));
  return rows;
}

std::vector<int> StatusCounts(const std::vector<ReportRow>& rows, size_t system) {
  std::vector<int> counts(6, 0);
  for (const ReportRow& r : rows) {
    if (system < r.cells.size()) ++counts[static_cast<int>(r.cells[system].status)];
  }
  return counts;
}

}  // namespace sockspec
