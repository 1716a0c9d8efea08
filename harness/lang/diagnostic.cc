#include "harness/lang/diagnostic.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/lang/source.h"

namespace sockspec {

std::string FormatDiagnostic(const Diagnostic& diag, std::string_view text) {
  std::string out;
  const char* severity = diag.warning ? ": warning: " : ": error: ";
  if (diag.loc.line < 1) {
    return absl::StrCat(diag.loc.path, severity, diag.message, "\n");
  }
  absl::StrAppend(&out, diag.loc.path, ":", diag.loc.line, ":", diag.loc.col,
                  severity, diag.message, "\n");
  std::string_view line = LineOf(text, diag.loc.line);
  std::string shown;
  std::string caret;
  for (size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    bool before = static_cast<int>(i) + 1 < diag.loc.col;
    if (c == '\t') {
      shown.push_back('\t');
      if (before) caret.push_back('\t');
    } else if (c < 0x20 || c == 0x7f) {
      shown.push_back('?');
      if (before) caret.push_back(' ');
    } else {
      shown.push_back(static_cast<char>(c));
      // A UTF-8 continuation byte shares its character's column.
      if (before && (c & 0xC0) != 0x80) caret.push_back(' ');
    }
  }
  // A column past the end of the line (a missing token) still gets a caret.
  for (int i = static_cast<int>(line.size()) + 1; i < diag.loc.col; ++i) {
    caret.push_back(' ');
  }
  absl::StrAppend(&out, shown, "\n", caret, "^\n");
  return out;
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& diags,
                              std::string_view text) {
  std::string out;
  for (const Diagnostic& d : diags) out += FormatDiagnostic(d, text);
  return out;
}

std::string ShortDiagnostic(const Diagnostic& diag) {
  return absl::StrCat(diag.loc.line, ":", diag.loc.col, ": ", diag.message);
}

void DiagnosticSink::Add(Location loc, std::string message) {
  if (diags_.size() >= limit_) return;
  for (const Diagnostic& d : diags_) {
    if (d.loc.line == loc.line && d.loc.col == loc.col &&
        d.message == message) {
      return;
    }
  }
  diags_.push_back({std::move(loc), std::move(message)});
}

}  // namespace sockspec
