// The conformance matrix both report pages show: one row per behaviour and
// case instance (socket kind), one cell per system, each cell a status with
// expected vs observed on a mismatch and a link to the case file's line.
#ifndef SOCKSPEC_HARNESS_REPORT_REPORT_MATRIX_H_
#define SOCKSPEC_HARNESS_REPORT_REPORT_MATRIX_H_

#include <string>
#include <vector>

#include "harness/report/compare.h"

namespace sockspec {

enum class CellStatus { kPass, kRecorded, kXfail, kFail, kError, kNotRun };

// "pass", "recorded", "xfail", "fail", "error", "not-run" (also CSS classes).
const char* CellStatusName(CellStatus s);

struct ReportCell {
  CellStatus status = CellStatus::kNotRun;
  // On a mismatch: the judge's expected and observed, labelled "expected"
  // and "observed". On a recorded cell: the host platform's and the guest's
  // answers as written, labelled with the systems' names.
  std::string expected_label = "expected", expected;
  std::string observed_label = "observed", observed;
  std::string note;      // xfail reason, error text, "recorded answer"
  std::string link;      // "cases/x.case#L12"
};

struct ReportRow {
  std::string behaviours;  // "B04 B05"
  std::string title, path, instance;
  std::vector<ReportCell> cells;  // one per system, in MatrixSystems order
};

// The systems' display names, host first: {"linux"} or {"linux",
// "gvisor-20221219"}.
std::vector<std::string> MatrixSystems(const ConformanceRun& run);

// Rows sorted by first behaviour id, then case path, then run order.
std::vector<ReportRow> BuildReportRows(const ConformanceRun& run);

// Counts of each CellStatus over all cells of one system.
std::vector<int> StatusCounts(const std::vector<ReportRow>& rows, size_t system);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_REPORT_MATRIX_H_
