// Expected-failure lists: "on platform X, case Y is known to differ, because
// Z". One entry per line of cases/platforms/X.xfail:
//
//   # comment
//   close/write-after-peer-close-is-epipe.case:14  because "no SIGPIPE"
//   listen/connect-errors.case:22 SOCK_STREAM*  because "ECONNREFUSED"
//   listen/accept-errors.case  because "..."   (the old form: any step)
//   blocking/y.case:17 racy  because "wakes at its own pace"
//
// The path is matched against the end of a case's path (so "close/x.case"
// names "cases/close/x.case"); `:LINE` names the step at that line (a step
// entry), without it the entry names every step of the instance; the
// optional instance glob (fnmatch(3), default every instance) is matched
// against the instance name. `racy` (after the glob, before `because`)
// says the guest's answer at that step depends on timing: the guest wakes
// a sleeping call at its own pace, so a point-in-time check such as
// `blocked` may see either side of the wake. A racy step may fail (xfail)
// or pass (not XPASS); an unlisted step still differs.
#ifndef SOCKSPEC_HARNESS_REPORT_XFAIL_H_
#define SOCKSPEC_HARNESS_REPORT_XFAIL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sockspec {

struct XfailEntry {
  std::string path;           // as written: "close/x.case"
  int step_line = 0;          // the step's line; 0: any step
  std::string instance_glob;  // "" matches every instance
  std::string reason;
  bool racy = false;  // may pass too: its answer depends on timing
  int line = 0;       // 1-based line in the list file
};

struct XfailList {
  std::string file;  // where the list came from, for reports
  std::vector<XfailEntry> entries;
};

// Parses the text of a list. On error, InvalidArgument whose message holds
// every diagnostic as "FILE:LINE:COL: error: MESSAGE", the source line and a
// caret under the column.
absl::StatusOr<XfailList> ParseXfailList(const std::string& file,
                                         const std::string& text);

// Reads and parses `file`; NotFound when it does not exist.
absl::StatusOr<XfailList> LoadXfailList(const std::string& file);

// The first entry naming case `path` and `instance`, or nullptr.
// `FindXfail(..., false)` skips racy entries: those a passing run does not
// contradict.
const XfailEntry* FindXfail(const XfailList& list, const std::string& path,
                            const std::string& instance, bool racy_too = true);

// Every entry naming case `path` and `instance` (step entries and
// whole-instance ones), in list order.
std::vector<const XfailEntry*> XfailEntriesFor(const XfailList& list,
                                               const std::string& path,
                                               const std::string& instance);

// The first entry that lists the step at `line` of that instance: a step
// entry for that line or a whole-instance entry; nullptr when none does.
const XfailEntry* FindStepXfail(const XfailList& list, const std::string& path,
                                const std::string& instance, int line);

// The default expected-failure list of `platform` for a run of `paths`:
// CASES/platforms/PLATFORM.xfail for the first path inside a folder named
// "cases" (or cases/ in the working directory) where that file exists; ""
// when there is none.
std::string DefaultXfailFile(const std::vector<std::string>& paths,
                             const std::string& platform);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_XFAIL_H_
