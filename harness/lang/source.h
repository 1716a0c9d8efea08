// A case file's text with its line table: turns byte offsets into 1-based
// line:col locations and gives back a line's text for diagnostics.
//
//   Source src("cases/x.case", text);
//   Location loc = src.LocationAt(offset);  // {path, 3, 9}
//   std::string_view line = src.Line(3);     // without the newline
#ifndef SOCKSPEC_HARNESS_LANG_SOURCE_H_
#define SOCKSPEC_HARNESS_LANG_SOURCE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/plan/plan.h"

namespace sockspec {

class Source {
 public:
  Source(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  // The location of byte `offset` (clamped to the end of the text). Columns
  // count bytes, starting at 1.
  Location LocationAt(size_t offset) const;

  // Line `line` (1-based) without its line ending; empty when out of range.
  std::string_view Line(int line) const;

  int line_count() const { return static_cast<int>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<size_t> line_starts_;  // offset of each line's first byte
};

// Line `line` of `text` (1-based), without the line ending; empty when out of
// range. For callers that hold only the text.
std::string_view LineOf(std::string_view text, int line);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_SOURCE_H_
