// Changing a case file's text without reprinting it: replacements at source
// locations (comments and layout stay as they are), the unified diff a
// person reviews, and the atomic rewrite `sockspec record --write` does.
//
//   absl::StatusOr<std::string> out = ApplyEdits(text, {{{path, 12, 20}, 1, "m[0:60]"}});
//   std::cout << UnifiedDiff(path, text, *out);
//   absl::Status s = WriteFileAtomically(path, *out);
#ifndef SOCKSPEC_HARNESS_RECORD_REWRITE_H_
#define SOCKSPEC_HARNESS_RECORD_REWRITE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harness/plan/plan.h"

namespace sockspec {

// Replace `length` bytes at `at` (1-based line and byte column) with `text`.
struct TextEdit {
  Location at;
  size_t length = 0;
  std::string text;
};

// `text` with every edit made. Edits may come in any order but must not
// overlap; InvalidArgument names an edit outside the text or overlapping
// another.
absl::StatusOr<std::string> ApplyEdits(std::string_view text,
                                       std::vector<TextEdit> edits);

// The unified diff (3 lines of context, `--- a/PATH` / `+++ b/PATH`
// headers, as `diff -u` writes it) from `before` to `after`; "" when they
// are equal.
std::string UnifiedDiff(const std::string& path, std::string_view before,
                        std::string_view after);

// Replaces `path` with `text` atomically: a temporary file in the same
// directory is written, fsynced and renamed over `path` (keeping its
// permission bits), then the directory is fsynced. On any error `path` is
// left byte-for-byte as it was and the temporary file is removed; the
// error names the call that failed and its errno.
absl::Status WriteFileAtomically(const std::string& path, std::string_view text);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RECORD_REWRITE_H_
