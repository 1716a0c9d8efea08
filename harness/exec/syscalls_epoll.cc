// Readiness calls: epoll_create1, epoll_ctl, epoll_wait, select and pselect.
// epoll's data field carries the registered fd's slot, so what epoll_wait
// returns names the fds as the case does; select's sets are built from and
// read back into slots.
#include <sys/epoll.h>
#include <sys/select.h>

#include <cerrno>
#include <vector>

#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

// epoll_wait's maxevents may exceed what a case can expect; the buffer is
// capped (a larger maxevents still reaches the kernel for EINVAL checks).
constexpr int kMaxEvents = 1024;

Observation EpollCreate1(const Op& op, SyscallEnv& env) {
  int e = epoll_create1(static_cast<int>(IntArg(op, 0)));
  if (e < 0) return Errno(errno);
  Observation o;
  o.ret = 0;
  BindResult(op, 0, e, env, o);
  return o;
}

Observation EpollCtl(const Op& op, SyscallEnv& env) {
  int e = FdArg(op, env, 0);
  if (e < 0) return MissingFd(op, 0);
  int target = FdArg(op, env, 1);
  if (target < 0) return MissingFd(op, 1);
  epoll_event ev = {};
  ev.events = static_cast<uint32_t>(IntArg(op, 1));
  ev.data.u64 = static_cast<uint64_t>(op.fds[1]);
  if (epoll_ctl(e, static_cast<int>(IntArg(op, 0)), target, &ev) != 0) {
    return Errno(errno);
  }
  return Observation();
}

Observation EpollWait(const Op& op, SyscallEnv& env) {
  int e = FdArg(op, env, 0);
  if (e < 0) return MissingFd(op, 0);
  const int64_t max = IntArg(op, 0);
  std::vector<epoll_event> events(
      static_cast<size_t>(max < 1 ? 1 : max > kMaxEvents ? kMaxEvents : max));
  const int n = epoll_wait(e, events.data(),
                           max > kMaxEvents ? kMaxEvents : static_cast<int>(max),
                           static_cast<int>(IntArg(op, 1)));
  if (n < 0) return Errno(errno);
  Observation o;
  o.ret = n;
  for (int i = 0; i < n; ++i) {
    const uint64_t slot = events[i].data.u64;  // packed: copy the fields
    const int64_t ready = events[i].events;
    o.ready.emplace_back(static_cast<int>(slot), ready);
  }
  return o;
}

// select and pselect: ints are the sizes of the three sets (their fds are
// Op::fds in order), then the timeout in ms (-1: none, wait for ever).
Observation Select(const Op& op, SyscallEnv& env) {
  fd_set sets[3];
  const int64_t bits[3] = {kReadSet, kWriteSet, kExceptSet};
  int nfds = 0;
  size_t next = 0;
  std::vector<std::pair<int, int>> members[3];  // (slot, fd) per set
  for (int s = 0; s < 3; ++s) {
    FD_ZERO(&sets[s]);
    for (int64_t k = 0; k < IntArg(op, s); ++k, ++next) {
      int fd = FdArg(op, env, next);
      if (fd < 0) return MissingFd(op, next);
      if (fd >= FD_SETSIZE) return HarnessError("fd above FD_SETSIZE");
      FD_SET(fd, &sets[s]);
      members[s].emplace_back(op.fds[next], fd);
      if (fd + 1 > nfds) nfds = fd + 1;
    }
  }
  const int64_t ms = IntArg(op, 3);
  int n;
  if (op.call == Call::kSelect) {
    timeval tv = {ms / 1000, (ms % 1000) * 1000};
    n = select(nfds, &sets[0], &sets[1], &sets[2], ms < 0 ? nullptr : &tv);
  } else {
    timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    n = pselect(nfds, &sets[0], &sets[1], &sets[2], ms < 0 ? nullptr : &ts,
                nullptr);
  }
  if (n < 0) return Errno(errno);
  Observation o;
  o.ret = n;
  for (int s = 0; s < 3; ++s) {
    for (const auto& [slot, fd] : members[s]) {
      if (!FD_ISSET(fd, &sets[s])) continue;
      bool merged = false;
      for (auto& r : o.ready) {
        if (r.first == slot) {
          r.second |= bits[s];
          merged = true;
        }
      }
      if (!merged) o.ready.emplace_back(slot, bits[s]);
    }
  }
  return o;
}

}  // namespace

void RegisterEpollCalls(Handler* t) {
  t[static_cast<int>(Call::kEpollCreate1)] = EpollCreate1;
  t[static_cast<int>(Call::kEpollCtl)] = EpollCtl;
  t[static_cast<int>(Call::kEpollWait)] = EpollWait;
  t[static_cast<int>(Call::kSelect)] = Select;
  t[static_cast<int>(Call::kPselect)] = Select;
}

}  // namespace internal
}  // namespace sockspec
