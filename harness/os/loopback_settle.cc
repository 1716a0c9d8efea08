#include "harness/os/loopback_settle.h"

#include <fcntl.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace sockspec {
namespace {

// softnet_stat's columns, hexadecimal, one line per online CPU: processed,
// dropped, time_squeeze, five zeros, cpu_collision, received_rps,
// flow_limit_count, then (5.10+) the backlog length and the CPU's number
// (6.x adds the input and process queue lengths after them).
constexpr size_t kBacklogColumn = 11;

// Set once the file or its column proved missing: per process, so each peer
// finds out once.
bool g_no_backlog = false;

// The file's text in `buf` (no allocation: peers call this after every
// step); nullopt if it cannot be read now (EMFILE in a case that fills the fd
// table is "not now", ENOENT "never"). A file longer than `buf` (hundreds of
// CPUs) is cut at its last whole line.
absl::optional<absl::string_view> ReadSoftnetStat(char* buf, size_t size) {
  int fd = open("/proc/net/softnet_stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == EACCES) g_no_backlog = true;
    return absl::nullopt;
  }
  size_t len = 0;
  ssize_t n = 1;
  while (len < size && (n = read(fd, buf + len, size - len)) > 0) len += n;
  close(fd);
  if (n < 0) return absl::nullopt;
  absl::string_view text(buf, len);
  return text.substr(0, text.rfind('\n') + 1);
}

int64_t NowNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
}

}  // namespace

absl::optional<int64_t> SoftnetBacklog(absl::string_view softnet_stat) {
  int64_t total = 0;
  for (absl::string_view line : absl::StrSplit(softnet_stat, '\n', absl::SkipEmpty())) {
    size_t column = 0;
    uint32_t queued = 0;
    bool parsed = false;
    for (absl::string_view field : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      if (column++ == kBacklogColumn) parsed = absl::SimpleHexAtoi(field, &queued);
    }
    // The backlog column must be followed by the CPU's number.
    if (!parsed || column <= kBacklogColumn + 1) return absl::nullopt;
    total += queued;
  }
  return total;
}

int AwaitLoopbackDelivery() {
  if (g_no_backlog) return 0;
  constexpr int64_t kGiveUpNs = 1000000000;
  int yields = 0;
  int64_t start = 0;
  char buf[64 * 1024];
  for (;;) {
    absl::optional<absl::string_view> text = ReadSoftnetStat(buf, sizeof buf);
    if (!text) break;
    absl::optional<int64_t> queued = SoftnetBacklog(*text);
    if (!queued) {
      g_no_backlog = true;
      break;
    }
    if (*queued == 0) break;
    if (start == 0) {
      start = NowNs();
    } else if (NowNs() - start > kGiveUpNs) {
      break;
    }
    sched_yield();
    ++yields;
  }
  return yields;
}

}  // namespace sockspec
