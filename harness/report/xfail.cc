#include "harness/report/xfail.h"

#include <fnmatch.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sockspec {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Reads one line of a list; a parse error records its column and message.
class LineParser {
 public:
  explicit LineParser(const std::string& line) : line_(line) {}

  void SkipSpace() {
    while (pos_ < line_.size() && IsSpace(line_[pos_])) ++pos_;
  }
  bool AtEnd() const { return pos_ >= line_.size() || line_[pos_] == '#'; }
  size_t pos() const { return pos_; }

  std::string Word() {
    size_t start = pos_;
    while (pos_ < line_.size() && !IsSpace(line_[pos_])) ++pos_;
    return line_.substr(start, pos_ - start);
  }

  // A "..." string with \" and \\ escapes; false (error set) otherwise.
  bool Quoted(std::string& out) {
    if (pos_ >= line_.size() || line_[pos_] != '"') {
      return Fail(pos_, "expected a quoted reason after 'because'");
    }
    size_t open = pos_++;
    while (pos_ < line_.size() && line_[pos_] != '"') {
      if (line_[pos_] == '\\' && pos_ + 1 < line_.size()) ++pos_;
      out += line_[pos_++];
    }
    if (pos_ >= line_.size()) return Fail(open, "unterminated string");
    ++pos_;
    return true;
  }

  bool Fail(size_t col, const std::string& message) {
    error_col_ = col;
    error_ = message;
    return false;
  }
  const std::string& error() const { return error_; }
  size_t error_col() const { return error_col_; }

 private:
  const std::string& line_;
  size_t pos_ = 0;
  size_t error_col_ = 0;
  std::string error_;
};

bool ParseEntry(LineParser& p, XfailEntry& e) {
  p.SkipSpace();
  size_t path_col = p.pos();
  e.path = p.Word();
  if (size_t colon = e.path.rfind(".case:"); colon != std::string::npos) {
    const std::string digits = e.path.substr(colon + 6);
    if (!absl::SimpleAtoi(digits, &e.step_line) || e.step_line <= 0 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return p.Fail(path_col + colon + 6, "expected a step's line number after ':'");
    }
    e.path.resize(colon + 5);
  }
  if (!absl::EndsWith(e.path, ".case")) {
    return p.Fail(path_col, "expected a case file path ending in .case");
  }
  p.SkipSpace();
  size_t col = p.pos();
  std::string word = p.Word();
  if (word != "because" && word != "racy") {
    if (word.empty()) return p.Fail(col, "expected 'because \"reason\"'");
    e.instance_glob = word;
    p.SkipSpace();
    col = p.pos();
    word = p.Word();
  }
  if (word == "racy") {
    e.racy = true;
    p.SkipSpace();
    col = p.pos();
    word = p.Word();
  }
  if (word != "because") {
    return p.Fail(col, e.racy ? "expected 'because \"reason\"' after 'racy'"
                              : "expected 'racy' or 'because \"reason\"' after the instance");
  }
  p.SkipSpace();
  size_t reason_col = p.pos();
  if (!p.Quoted(e.reason)) return false;
  if (e.reason.empty()) return p.Fail(reason_col, "the reason is empty");
  p.SkipSpace();
  if (!p.AtEnd()) return p.Fail(p.pos(), "unexpected text after the reason");
  return true;
}

}  // namespace

absl::StatusOr<XfailList> ParseXfailList(const std::string& file,
                                         const std::string& text) {
  XfailList list;
  list.file = file;
  std::string errors;
  int number = 0;
  for (absl::string_view view : absl::StrSplit(text, '\n')) {
    std::string line(view);
    ++number;
    LineParser p(line);
    p.SkipSpace();
    if (p.AtEnd()) continue;
    XfailEntry e;
    e.line = number;
    if (ParseEntry(p, e)) {
      list.entries.push_back(std::move(e));
      continue;
    }
    absl::StrAppend(&errors, file, ":", number, ":", p.error_col() + 1,
                    ": error: ", p.error(), "\n", line, "\n",
                    std::string(p.error_col(), ' '), "^\n");
  }
  if (!errors.empty()) return absl::InvalidArgumentError(errors);
  return list;
}

absl::StatusOr<XfailList> LoadXfailList(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", file, ": ", strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseXfailList(file, text.str());
}

std::vector<const XfailEntry*> XfailEntriesFor(const XfailList& list,
                                               const std::string& path,
                                               const std::string& instance) {
  std::vector<const XfailEntry*> out;
  for (const XfailEntry& e : list.entries) {
    if (path != e.path && !absl::EndsWith(path, "/" + e.path)) continue;
    if (!e.instance_glob.empty() &&
        fnmatch(e.instance_glob.c_str(), instance.c_str(), 0) != 0) {
      continue;
    }
    out.push_back(&e);
  }
  return out;
}

const XfailEntry* FindXfail(const XfailList& list, const std::string& path,
                            const std::string& instance, bool racy_too) {
  for (const XfailEntry* e : XfailEntriesFor(list, path, instance)) {
    if (racy_too || !e->racy) return e;
  }
  return nullptr;
}

const XfailEntry* FindStepXfail(const XfailList& list, const std::string& path,
                                const std::string& instance, int line) {
  for (const XfailEntry* e : XfailEntriesFor(list, path, instance)) {
    if (e->step_line == 0 || e->step_line == line) return e;
  }
  return nullptr;
}

std::string DefaultXfailFile(const std::vector<std::string>& paths,
                             const std::string& platform) {
  std::vector<std::string> roots;
  for (const std::string& p : paths) {
    std::string padded = "/" + p + "/";
    size_t at = padded.find("/cases/");
    if (at != std::string::npos) roots.push_back(padded.substr(1, at + 5));
  }
  roots.push_back("cases");
  for (const std::string& root : roots) {
    std::string file = absl::StrCat(root, "/platforms/", platform, ".xfail");
    if (access(file.c_str(), R_OK) == 0) return file;
  }
  return "";
}

}  // namespace sockspec
