// The case-language front end's entry points: case text in, one Plan per
// matrix row out, or LLVM-style diagnostics.
//
//   LoadedCase c = LoadCase("cases/close/x.case", text, "linux");
//   if (!c.errors.empty()) { std::cerr << FormatErrors(c); return 2; }
//   for (const Plan& p : c.plans) Run(p);
#ifndef SOCKSPEC_HARNESS_LANG_FRONTEND_H_
#define SOCKSPEC_HARNESS_LANG_FRONTEND_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/lang/diagnostic.h"
#include "harness/plan/plan.h"

namespace sockspec {

// Case files are at most this big; a bigger one is a diagnostic.
inline constexpr size_t kMaxCaseFileBytes = 1 << 20;

struct LoadedCase {
  std::string path;
  std::string text;
  std::vector<Plan> plans;         // empty when there are errors
  std::vector<Diagnostic> errors;  // the most useful first
  // One warning per placeholder (`= ?`), in file order, at its `?`; filled
  // whenever the file parses. A file with warnings only is valid.
  std::vector<Diagnostic> warnings;
  // Header metadata, filled even when steps have errors (for listings and
  // coverage): the first title, every covers id and source, and each matrix
  // variable with its values as written.
  std::string title;
  std::vector<std::string> covers;
  std::vector<std::string> sources;
  std::vector<std::pair<std::string, std::vector<std::string>>> matrix;
};

// Lexes, parses and validates `text` for `platform` ("linux", "gvisor",
// "freebsd", "darwin", "netbsd", "openbsd"). Never fails otherwise: every
// problem with the text is a Diagnostic in `errors`.
LoadedCase LoadCase(std::string path, std::string text,
                    const std::string& platform);

// Reads `path` and calls LoadCase. An unreadable file is an error status
// (NotFound, PermissionDenied...); a wrong case file is a LoadedCase with
// errors.
absl::StatusOr<LoadedCase> LoadCaseFile(const std::string& path,
                                        const std::string& platform);

// Every diagnostic of `loaded`, formatted with its source line and caret.
std::string FormatErrors(const LoadedCase& loaded);
// Every warning of `loaded`, formatted the same way ("warning:").
std::string FormatWarnings(const LoadedCase& loaded);

// The warning a placeholder gets.
inline constexpr char kPlaceholderWarning[] =
    "result not yet known ('= ?'): 'sockspec record' fills it in, "
    "'sockspec run' fails until it is";

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_FRONTEND_H_
