// Paths given on the command line of a tool that `bazel run` starts in its
// runfiles: a relative path is the user's, from the directory bazel was run
// in (BUILD_WORKING_DIRECTORY). crash_to_case and ops_triage read their
// inputs and write their cases through it.
//
//   std::string out = UserPath("cases/new.case");  // "/home/me/sockspec/cases/new.case"
#ifndef SOCKSPEC_HARNESS_OS_USER_PATH_H_
#define SOCKSPEC_HARNESS_OS_USER_PATH_H_

#include <string>

namespace sockspec {

// `path` below BUILD_WORKING_DIRECTORY when it is relative and that variable
// is set and not empty; otherwise `path` as it is (an absolute or empty path,
// or a tool run outside `bazel run`). Never fails.
std::string UserPath(const std::string& path);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_USER_PATH_H_
