// Case-file diagnostics, LLVM style: the location, the message, the source
// line and a caret under the offending column.
//
//   cases/close/x.case:12:9: error: fd 'b' is not held by peer A
//   A: read(b, 10) = 0
//           ^
#ifndef SOCKSPEC_HARNESS_LANG_DIAGNOSTIC_H_
#define SOCKSPEC_HARNESS_LANG_DIAGNOSTIC_H_

#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/plan.h"

namespace sockspec {

struct Diagnostic {
  Location loc;
  std::string message;
  bool warning = false;  // "warning:" instead of "error:" (placeholders)
};

// "path:LINE:COL: error: message\n<line>\n<caret line>\n". `text` is the whole
// case file. Tabs before the column are kept in the caret line so the caret
// lines up; control bytes in the shown line print as '?'. A location outside
// the text gives only the first line.
std::string FormatDiagnostic(const Diagnostic& diag, std::string_view text);

// Every diagnostic formatted, in order.
std::string FormatDiagnostics(const std::vector<Diagnostic>& diags,
                              std::string_view text);

// "LINE:COL: message", the form cases/invalid/ files state.
std::string ShortDiagnostic(const Diagnostic& diag);

// Appends diagnostics, dropping exact duplicates (the same error found in
// every matrix row) and stopping after `limit`.
class DiagnosticSink {
 public:
  explicit DiagnosticSink(size_t limit = 50) : limit_(limit) {}
  void Add(Location loc, std::string message);
  bool empty() const { return diags_.empty(); }
  size_t size() const { return diags_.size(); }
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  std::vector<Diagnostic> Take() { return std::move(diags_); }

 private:
  size_t limit_;
  std::vector<Diagnostic> diags_;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_DIAGNOSTIC_H_
