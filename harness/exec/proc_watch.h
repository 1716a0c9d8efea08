// Seeing a call block: a process is "asleep in the call" when /proc/PID/stat
// shows state S and, where /proc/PID/syscall exists (not on gVisor), it is
// inside a system call whose first argument is the call's fd. Never assumed
// after a sleep: the watcher polls with a short backoff until it sees it.
//
//   absl::StatusOr<WatchResult> w = WaitAsleepOrReady(pid, fd, result_fd, deadline);
//   if (w->what == Watch::kAsleep) ...  // w->waited: how long seeing it took
#ifndef SOCKSPEC_HARNESS_EXEC_PROC_WATCH_H_
#define SOCKSPEC_HARNESS_EXEC_PROC_WATCH_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sockspec {

struct ProcState {
  char state = '?';         // /proc/PID/stat field 3: R, S, D, Z, ...
  int exit_code = -1;       // field 52, a wait status (meaningful for Z)
  bool has_syscall = false;  // /proc/PID/syscall was readable
  bool in_syscall = false;   // it named a system call (not "running", not -1)
  int64_t nr = -1;           // the system call number
  uint64_t arg0 = 0;         // its first argument
  uint64_t args[6] = {};     // all six arguments (args[0] == arg0)
  std::string syscall_line;  // /proc/PID/syscall as read, for stability checks
  // From /proc/PID/status (ReadProcDetail only; -1 unknown): voluntary plus
  // involuntary context switches, and whether a signal is pending.
  int64_t switches = -1;
  bool signal_pending = false;

  // "S in syscall 0 (arg0 3)", "R running" — for reports.
  std::string ToString() const;
};

// Parses the text of /proc/PID/stat and (empty if absent) /proc/PID/syscall.
// InvalidArgument for a stat line without "(comm) STATE".
absl::StatusOr<ProcState> ParseProcState(absl::string_view stat,
                                         absl::string_view syscall);

// Reads /proc/PID/stat and /proc/PID/syscall. NotFound if the process is gone.
absl::StatusOr<ProcState> ReadProcState(pid_t pid);

// ReadProcState plus /proc/PID/status's context switches and pending
// signals (for certain-hang checks, which need to see a process stay still).
absl::StatusOr<ProcState> ReadProcDetail(pid_t pid);

// Parses the text of /proc/PID/status into `s`'s switches and signal_pending.
void ParseProcStatus(absl::string_view status, ProcState* s);

// Whether `s` shows a process asleep in a call on `fd` (-1: any call).
bool AsleepIn(const ProcState& s, int64_t fd);

enum class Watch {
  kAsleep,   // seen asleep in the call
  kReady,    // `ready_fd` became readable (the result came, or the peer died)
  kTimeout,  // neither by the deadline
};

struct WatchResult {
  Watch what = Watch::kTimeout;
  absl::Duration waited;  // from the call to the answer
  ProcState last;         // the last state read
};

// Polls `pid` with a backoff (ppoll on `ready_fd`, 50us doubling to 2ms)
// until it is seen asleep in a call on `fd`, `ready_fd` is readable, or
// `deadline` passes. A readable `ready_fd` wins over a simultaneous sleep.
// Returns the answer, or an error if /proc cannot be read at all.
absl::StatusOr<WatchResult> WaitAsleepOrReady(pid_t pid, int64_t fd,
                                              int ready_fd,
                                              absl::Time deadline);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_PROC_WATCH_H_
