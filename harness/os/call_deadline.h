// A deadline for a blocking system call this process makes itself, where no
// other process watches it (a case's setup steps run in the harness): a POSIX
// timer on CLOCK_MONOTONIC sends a real-time signal whose handler, installed
// without SA_RESTART, only notes that it ran. A call still asleep at the
// deadline returns EINTR instead of wedging the run.
//
//   CallDeadline d(absl::Milliseconds(5000));
//   int fd = accept(l, nullptr, nullptr);
//   if (fd < 0 && errno == EINTR && d.Expired()) ...  // it slept to the deadline
#ifndef SOCKSPEC_HARNESS_OS_CALL_DEADLINE_H_
#define SOCKSPEC_HARNESS_OS_CALL_DEADLINE_H_

#include <signal.h>
#include <time.h>

#include "absl/time/time.h"

namespace sockspec {

class CallDeadline {
 public:
  // Arms the timer `after` from now. Best effort: where the timer cannot be
  // made (armed() is false), nothing interrupts the call.
  explicit CallDeadline(absl::Duration after);
  // Disarms the timer and gives the signal back its previous action. A
  // signal the timer sent before that has been handled by then.
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

  bool armed() const { return armed_; }
  // Whether the deadline has passed (the signal was handled).
  bool Expired() const;

  // The signal the timer sends: SIGRTMAX - 1, which no case names as an
  // observable of the harness itself (peers record signals of their own).
  static int Signal();

 private:
  bool armed_ = false;
  timer_t timer_{};
  struct sigaction old_ = {};
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_CALL_DEADLINE_H_
