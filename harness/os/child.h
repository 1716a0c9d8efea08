// A forked child process that cannot outlive its owner: killed (with its whole
// process group) and reaped when the Child goes out of scope.
//
//   absl::StatusOr<Child> child = Child::Spawn([&] { return Serve(fd); });
//   ...
//   absl::StatusOr<ExitStatus> status = child->Wait();
#ifndef SOCKSPEC_HARNESS_OS_CHILD_H_
#define SOCKSPEC_HARNESS_OS_CHILD_H_

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace sockspec {

// How a process ended: exit code or terminating signal.
struct ExitStatus {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // signal number when signaled

  static ExitStatus FromWaitStatus(int wstatus);
  bool Success() const { return !signaled && code == 0; }
  // "exited 0", "exited 3", "killed by SIGSEGV".
  std::string ToString() const;
};

class Child {
 public:
  // Forks. The child moves to a process group of its own, asks for SIGKILL if
  // its parent dies, runs `body` and _exits with its return value, so no
  // atexit handler or stdio buffer of the parent runs twice. Only
  // async-signal-safe calls happen between fork and `body`; `body` itself may
  // allocate only if the caller is single-threaded (the harness is).
  // Returns the child, or the fork error.
  static absl::StatusOr<Child> Spawn(absl::FunctionRef<int()> body);

  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Kills the process group and reaps the child unless already reaped.
  ~Child();

  pid_t pid() const { return pid_; }

  // Blocks until the child ends; returns how. An error if already reaped.
  absl::StatusOr<ExitStatus> Wait();

  // Returns how the child ended, or nullopt while it runs.
  absl::StatusOr<std::optional<ExitStatus>> Poll();

  // Sends `sig` to the child's process group (its forks included). Returns
  // false if the child was already reaped.
  bool Signal(int sig);

  // Until it is reaped, an interrupt of this process (SIGINT, SIGTERM,
  // SIGHUP; interrupt_cleanup.h) is passed on to the child, which is reaped
  // before anything is removed: for a guest (runsc, qemu) or a worker, whose
  // files go with it.
  void ForwardInterrupts();

 private:
  explicit Child(pid_t pid) : pid_(pid) {}
  void KillAndReap();
  void Reaped();  // pid_ = -1, the forwarding forgotten

  pid_t pid_ = -1;  // -1 once reaped or moved from
  bool forwarded_ = false;
};

// "SIGPIPE" for SIGPIPE; "SIG?70" for a number with no name.
std::string SignalName(int sig);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_CHILD_H_
