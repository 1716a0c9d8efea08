#include "harness/os/child.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/os/fd.h"
#include "harness/os/interrupt_cleanup.h"

namespace sockspec {

ExitStatus ExitStatus::FromWaitStatus(int wstatus) {
  ExitStatus s;
  if (WIFSIGNALED(wstatus)) {
    s.signaled = true;
    s.signal = WTERMSIG(wstatus);
  } else {
    s.code = WEXITSTATUS(wstatus);
  }
  return s;
}

std::string ExitStatus::ToString() const {
  if (signaled) return absl::StrCat("killed by ", SignalName(signal));
  return absl::StrCat("exited ", code);
}

std::string SignalName(int sig) {
  // glibc abbreviates 29 as POLL; cases and fcntl(2) call it SIGIO.
  if (sig == SIGIO) return "SIGIO";
  if (const char* abbrev = sigabbrev_np(sig)) return absl::StrCat("SIG", abbrev);
  return absl::StrCat("SIG?", sig);
}

absl::StatusOr<Child> Child::Spawn(absl::FunctionRef<int()> body) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return ErrnoStatus("fork()", errno);
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect.
    if (getppid() != parent) _exit(127);
    _exit(body());
  }
  // Both sides set the group, so neither a kill nor the child's own fork can
  // run before it exists.
  setpgid(pid, pid);
  return Child(pid);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      forwarded_(std::exchange(other.forwarded_, false)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
    forwarded_ = std::exchange(other.forwarded_, false);
  }
  return *this;
}

void Child::ForwardInterrupts() {
  if (pid_ < 0 || forwarded_) return;
  ForwardInterruptTo(pid_);
  forwarded_ = true;
}

void Child::Reaped() {
  if (forwarded_) ForgetForwardInterrupt(pid_);
  forwarded_ = false;
  pid_ = -1;
}

Child::~Child() { KillAndReap(); }

void Child::KillAndReap() {
  if (pid_ < 0) return;
  Signal(SIGKILL);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  Reaped();
}

bool Child::Signal(int sig) {
  if (pid_ < 0) return false;
  // The group is gone once the child and all its forks have exited.
  if (kill(-pid_, sig) != 0) kill(pid_, sig);
  return true;
}

absl::StatusOr<ExitStatus> Child::Wait() {
  if (pid_ < 0) return absl::FailedPreconditionError("child already reaped");
  int wstatus;
  while (waitpid(pid_, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus("waitpid()", errno);
  }
  Reaped();
  return ExitStatus::FromWaitStatus(wstatus);
}

absl::StatusOr<std::optional<ExitStatus>> Child::Poll() {
  if (pid_ < 0) return absl::FailedPreconditionError("child already reaped");
  int wstatus;
  pid_t r;
  while ((r = waitpid(pid_, &wstatus, WNOHANG)) < 0) {
    if (errno != EINTR) return ErrnoStatus("waitpid()", errno);
  }
  if (r == 0) return std::optional<ExitStatus>();
  Reaped();
  return std::optional<ExitStatus>(ExitStatus::FromWaitStatus(wstatus));
}

}  // namespace sockspec
