// `sockspec record`: runs a case file's instances and writes what the system
// answered into its placeholders (`= ?`), in the case's own notation, at the
// placeholders' own places (nothing else in the file changes). An answer
// that every matrix row agrees on is written as is; one that is each row's
// value of a matrix variable is written `$VAR`; otherwise the rows are named
// for a person to decide. Expectations a person wrote are never changed: a
// step that fails one is reported, not overwritten.
//
//   absl::StatusOr<FileRecord> r = RecordFile("cases/x.case", RecordOptions{});
//   std::cout << UnifiedDiff(r->path, r->original, r->recorded);
#ifndef SOCKSPEC_HARNESS_RECORD_RECORDER_H_
#define SOCKSPEC_HARNESS_RECORD_RECORDER_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/exec/executor.h"
#include "harness/lang/case.h"

namespace sockspec {

struct RecordOptions {
  std::string platform = "linux";  // whose written answers the run checks
  RunOptions exec;
  // record --under: why an instance (case path, instance name) is a known
  // failure of the guest (its expected-failure list), or "" when it is not.
  // Known failures are not recorded. Unset: none are.
  std::function<std::string(const std::string&, const std::string&)> known_failure;
};

struct FileRecord {
  std::string path;
  std::string original;  // the file as read
  std::string recorded;  // with the answers written in ("" changes: equal)
  int placeholders = 0;  // `= ?` in the file
  // One line per placeholder filled: "cases/x.case:12:20: B: read(b, 60) = m[0:60]".
  std::vector<std::string> filled;
  // What needs a person's eye, one line each: rows that answer differently,
  // a placeholder no row reached, an answer the language cannot state by
  // itself, an instance that failed at an expectation a person wrote.
  std::vector<std::string> attention;
  // Left alone on purpose, one line each (known failures of a guest).
  std::vector<std::string> skipped;
};

// The payloads of `plan`'s instance of `c`, in declaration order, matrix
// values substituted: name -> bytes. A size that is no integer is left out.
std::vector<std::pair<std::string, std::string>> CasePayloads(const Case& c,
                                                              const Plan& plan);

// What each matrix row (by index into the plans) answered at one step,
// once per repetition.
using RowAnswers = std::map<size_t, std::vector<absl::StatusOr<std::string>>>;

// The one answer to write for a step: the rows' common answer, or `$VAR`
// when each row's answer is its value of matrix variable VAR.
// FailedPrecondition naming the rows otherwise: rows that answer
// differently (by the variable that splits them, where one does), rows
// that did not reach the step, answers the notation cannot state.
// Rows in `without_step` do not have the step (a `when` leaves it out of
// them): they neither answer nor count as not reached.
absl::StatusOr<std::string> AgreedAnswer(
    const RowAnswers& by_row, const std::vector<Plan>& plans,
    const std::set<size_t>& without_step = {});

// The rows (indices into `plans`) with no operation at `line`:`col`.
std::set<size_t> RowsWithoutStepAt(const std::vector<Plan>& plans, int line,
                                   int col);

// Loads `path`, runs every instance on this machine and fills its
// placeholders. A file that cannot be read or does not validate is an error
// (InvalidArgument holding the formatted diagnostics); everything the run
// finds is in the FileRecord.
absl::StatusOr<FileRecord> RecordFile(const std::string& path,
                                      const RecordOptions& options);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RECORD_RECORDER_H_
