#include "harness/os/call_deadline.h"

#include <signal.h>
#include <time.h>

#include <algorithm>

namespace sockspec {
namespace {

volatile sig_atomic_t g_expired = 0;

void NoteExpired(int) { g_expired = 1; }

}  // namespace

int CallDeadline::Signal() { return SIGRTMAX - 1; }

CallDeadline::CallDeadline(absl::Duration after) {
  g_expired = 0;
  struct sigaction sa = {};
  sa.sa_handler = NoteExpired;  // no SA_RESTART: the sleeping call returns EINTR
  sigemptyset(&sa.sa_mask);
  if (sigaction(Signal(), &sa, &old_) != 0) return;
  struct sigevent ev = {};
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = Signal();
  if (timer_create(CLOCK_MONOTONIC, &ev, &timer_) != 0) {
    sigaction(Signal(), &old_, nullptr);
    return;
  }
  struct itimerspec when = {};
  when.it_value = absl::ToTimespec(std::max(after, absl::Nanoseconds(1)));
  if (timer_settime(timer_, 0, &when, nullptr) != 0) {
    timer_delete(timer_);
    sigaction(Signal(), &old_, nullptr);
    return;
  }
  armed_ = true;
}

CallDeadline::~CallDeadline() {
  if (!armed_) return;
  // A signal sent before the delete is delivered, to NoteExpired, on the
  // return from this call at the latest; none comes after it.
  timer_delete(timer_);
  sigaction(Signal(), &old_, nullptr);
}

bool CallDeadline::Expired() const { return armed_ && g_expired != 0; }

}  // namespace sockspec
