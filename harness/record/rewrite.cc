#include "harness/record/rewrite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "harness/os/fd.h"

namespace sockspec {
namespace {

// Byte offset of each line's start.
std::vector<size_t> LineStarts(std::string_view text) {
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts.push_back(i + 1);
  }
  return starts;
}

struct Lines {
  std::vector<std::string_view> lines;
  bool final_newline = true;
};

Lines SplitLines(std::string_view text) {
  Lines out;
  if (text.empty()) return out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    out.lines.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  if (start < text.size()) {
    out.lines.push_back(text.substr(start));
    out.final_newline = false;
  }
  return out;
}

// One line of the diff: ' ', '-' or '+', and the line's index on its side.
struct DiffLine {
  char tag;
  size_t a, b;  // index into before / after (the one that applies)
};

// A shortest edit script: the common prefix and suffix, and an LCS of the
// (small) middle.
std::vector<DiffLine> Script(const Lines& a, const Lines& b) {
  const size_t n = a.lines.size(), m = b.lines.size();
  size_t pre = 0;
  while (pre < n && pre < m && a.lines[pre] == b.lines[pre]) ++pre;
  size_t suf = 0;
  while (suf < n - pre && suf < m - pre &&
         a.lines[n - 1 - suf] == b.lines[m - 1 - suf]) {
    ++suf;
  }
  // The last line differs when only one side ends in a newline.
  if (a.final_newline != b.final_newline && suf > 0) --suf;
  const size_t an = n - pre - suf, bn = m - pre - suf;
  std::vector<std::vector<int>> lcs(an + 1, std::vector<int>(bn + 1, 0));
  for (size_t i = an; i-- > 0;) {
    for (size_t j = bn; j-- > 0;) {
      lcs[i][j] = a.lines[pre + i] == b.lines[pre + j]
                      ? lcs[i + 1][j + 1] + 1
                      : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<DiffLine> out;
  for (size_t k = 0; k < pre; ++k) out.push_back({' ', k, k});
  size_t i = 0, j = 0;
  while (i < an || j < bn) {
    if (i < an && j < bn && a.lines[pre + i] == b.lines[pre + j]) {
      out.push_back({' ', pre + i++, pre + j++});
    } else if (i < an && (j == bn || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back({'-', pre + i++, pre + j});
    } else {
      out.push_back({'+', pre + i, pre + j++});
    }
  }
  for (size_t k = 0; k < suf; ++k) out.push_back({' ', n - suf + k, m - suf + k});
  return out;
}

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", ErrnoName(errno), " (", strerror(errno), ")"));
}

}  // namespace

absl::StatusOr<std::string> ApplyEdits(std::string_view text,
                                       std::vector<TextEdit> edits) {
  const std::vector<size_t> starts = LineStarts(text);
  std::vector<std::pair<size_t, const TextEdit*>> at;
  for (const TextEdit& e : edits) {
    if (e.at.line < 1 || static_cast<size_t>(e.at.line) > starts.size() || e.at.col < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("edit at ", e.at.line, ":", e.at.col, " is outside the text"));
    }
    const size_t offset = starts[e.at.line - 1] + e.at.col - 1;
    if (offset + e.length > text.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("edit at ", e.at.line, ":", e.at.col, " runs past the text"));
    }
    at.emplace_back(offset, &e);
  }
  std::sort(at.begin(), at.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out;
  size_t pos = 0;
  for (const auto& [offset, e] : at) {
    if (offset < pos) {
      return absl::InvalidArgumentError(
          absl::StrCat("edit at ", e->at.line, ":", e->at.col, " overlaps another"));
    }
    out.append(text.substr(pos, offset - pos));
    out += e->text;
    pos = offset + e->length;
  }
  out.append(text.substr(pos));
  return out;
}

std::string UnifiedDiff(const std::string& path, std::string_view before,
                        std::string_view after) {
  if (before == after) return "";
  const Lines a = SplitLines(before), b = SplitLines(after);
  const std::vector<DiffLine> script = Script(a, b);
  constexpr size_t kContext = 3;
  std::string out = absl::StrCat("--- a/", path, "\n+++ b/", path, "\n");
  size_t k = 0;
  while (k < script.size()) {
    while (k < script.size() && script[k].tag == ' ') ++k;
    if (k == script.size()) break;
    size_t begin = k >= kContext ? k - kContext : 0;
    // Extend over changes closer than two contexts apart.
    size_t end = k;
    for (size_t last = k; end < script.size(); ++end) {
      if (script[end].tag != ' ') last = end;
      if (end - last > 2 * kContext) break;
    }
    size_t last_change = begin;
    for (size_t x = begin; x < end; ++x) {
      if (script[x].tag != ' ') last_change = x;
    }
    end = std::min(script.size(), last_change + 1 + kContext);
    size_t a_count = 0, b_count = 0;
    for (size_t x = begin; x < end; ++x) {
      if (script[x].tag != '+') ++a_count;
      if (script[x].tag != '-') ++b_count;
    }
    const size_t a_start = script[begin].a, b_start = script[begin].b;
    absl::StrAppend(&out, "@@ -", a_count ? a_start + 1 : a_start, ",", a_count,
                    " +", b_count ? b_start + 1 : b_start, ",", b_count, " @@\n");
    for (size_t x = begin; x < end; ++x) {
      const DiffLine& d = script[x];
      const bool from_a = d.tag != '+';
      const Lines& side = from_a ? a : b;
      const size_t index = from_a ? d.a : d.b;
      out += d.tag;
      out.append(side.lines[index].data(), side.lines[index].size());
      out += '\n';
      if (!side.final_newline && index + 1 == side.lines.size()) {
        out += "\\ No newline at end of file\n";
      }
    }
    k = end;
  }
  return out;
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view text) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Errno("stat", path);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string tmp = absl::StrCat(path, ".sockspec-XXXXXX");
  UniqueFd fd(mkstemp(tmp.data()));
  if (!fd.valid()) return Errno("mkstemp", tmp);
  auto fail = [&](const std::string& what) {
    absl::Status s = Errno(what, tmp);
    unlink(tmp.c_str());
    return s;
  };
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd.get(), st.st_mode & 07777) != 0) return fail("fchmod");
  if (fsync(fd.get()) != 0) return fail("fsync");
  if (close(fd.release()) != 0) return fail("close");
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  UniqueFd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.valid()) fsync(d.get());
  return absl::OkStatus();
}

}  // namespace sockspec
