#include "harness/exec/proc_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harness/os/fd.h"

namespace sockspec {
namespace {

// The whole of a small /proc file; nullopt if it does not exist or cannot be
// read (gVisor has no /proc/PID/syscall; it needs ptrace access elsewhere).
std::optional<std::string> ReadSmallFile(const std::string& path, int* err) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return std::nullopt;
  }
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r < 0) *err = errno;
      close(fd);
      if (r < 0) return std::nullopt;
      return out;
    }
    out.append(buf, r);
  }
}

}  // namespace

std::string ProcState::ToString() const {
  std::string s(1, state);
  if (!has_syscall) return s;
  if (!in_syscall) return absl::StrCat(s, " not in a system call");
  return absl::StrCat(s, " in syscall ", nr, " (arg0 ", arg0, ")");
}

absl::StatusOr<ProcState> ParseProcState(absl::string_view stat,
                                         absl::string_view syscall) {
  // comm may hold spaces and parentheses: the state follows the last ')'.
  size_t close_paren = stat.rfind(')');
  if (close_paren == absl::string_view::npos || close_paren + 2 >= stat.size()) {
    return absl::InvalidArgumentError("malformed /proc/PID/stat");
  }
  ProcState s;
  absl::string_view rest = stat.substr(close_paren + 2);
  std::vector<absl::string_view> fields =
      absl::StrSplit(rest, ' ', absl::SkipEmpty());
  if (fields.empty() || fields[0].size() != 1) {
    return absl::InvalidArgumentError("malformed /proc/PID/stat state");
  }
  s.state = fields[0][0];
  // exit_code is field 52 overall; `fields` starts at field 3.
  if (fields.size() >= 50) {
    int code;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(fields[49]), &code)) {
      s.exit_code = code;
    }
  }
  if (!syscall.empty()) {
    s.has_syscall = true;
    s.syscall_line = std::string(absl::StripAsciiWhitespace(syscall));
    std::vector<absl::string_view> parts =
        absl::StrSplit(absl::StripAsciiWhitespace(syscall), ' ');
    int64_t nr;
    if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &nr) && nr >= 0) {
      s.in_syscall = true;
      s.nr = nr;
      s.arg0 = strtoull(std::string(parts[1]).c_str(), nullptr, 16);
      for (size_t a = 0; a < 6 && a + 1 < parts.size(); ++a) {
        s.args[a] = strtoull(std::string(parts[a + 1]).c_str(), nullptr, 16);
      }
    }
  }
  return s;
}

absl::StatusOr<ProcState> ReadProcState(pid_t pid) {
  int err = 0;
  std::optional<std::string> stat =
      ReadSmallFile(absl::StrCat("/proc/", pid, "/stat"), &err);
  if (!stat) {
    if (err == ENOENT || err == ESRCH) {
      return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
    }
    return ErrnoStatus("open(/proc/PID/stat)", err);
  }
  std::optional<std::string> sys =
      ReadSmallFile(absl::StrCat("/proc/", pid, "/syscall"), &err);
  return ParseProcState(*stat, sys.value_or(""));
}

void ParseProcStatus(absl::string_view status, ProcState* s) {
  int64_t switches = 0;
  int seen = 0;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view key = line.substr(0, colon);
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (key == "voluntary_ctxt_switches" || key == "nonvoluntary_ctxt_switches") {
      int64_t n;
      if (absl::SimpleAtoi(value, &n)) {
        switches += n;
        ++seen;
      }
    } else if (key == "SigPnd" || key == "ShdPnd") {
      // Hex masks; any bit set is a signal on its way.
      if (value.find_first_not_of('0') != absl::string_view::npos) {
        s->signal_pending = true;
      }
    }
  }
  s->switches = seen == 2 ? switches : -1;
}

absl::StatusOr<ProcState> ReadProcDetail(pid_t pid) {
  absl::StatusOr<ProcState> s = ReadProcState(pid);
  if (!s.ok()) return s;
  int err = 0;
  std::optional<std::string> status =
      ReadSmallFile(absl::StrCat("/proc/", pid, "/status"), &err);
  if (!status) return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
  ParseProcStatus(*status, &*s);
  return s;
}

bool AsleepIn(const ProcState& s, int64_t fd) {
  if (s.state != 'S') return false;
  if (!s.has_syscall) return true;  // gVisor: the state is all there is
  if (!s.in_syscall) return false;
  return fd < 0 || s.arg0 == static_cast<uint64_t>(fd);
}

absl::StatusOr<WatchResult> WaitAsleepOrReady(pid_t pid, int64_t fd,
                                              int ready_fd,
                                              absl::Time deadline) {
  const absl::Time start = absl::Now();
  absl::Duration backoff = absl::Microseconds(50);
  WatchResult w;
  for (;;) {
    pollfd p = {ready_fd, POLLIN, 0};
    timespec zero = {0, 0};
    if (ppoll(&p, 1, &zero, nullptr) > 0) {
      w.what = Watch::kReady;
      break;
    }
    absl::StatusOr<ProcState> s = ReadProcState(pid);
    if (!s.ok() && !absl::IsNotFound(s.status())) return s.status();
    if (s.ok()) {
      w.last = *s;
      if (AsleepIn(*s, fd)) {
        // The call may have completed between the two reads: a result
        // already sent means it did not stay asleep.
        w.what = ppoll(&p, 1, &zero, nullptr) > 0 ? Watch::kReady : Watch::kAsleep;
        break;
      }
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) {
      w.what = Watch::kTimeout;
      break;
    }
    timespec ts = absl::ToTimespec(std::min(backoff, deadline - now));
    ppoll(&p, 1, &ts, nullptr);
    backoff = std::min(backoff * 2, absl::Milliseconds(2));
  }
  w.waited = absl::Now() - start;
  return w;
}

}  // namespace sockspec
