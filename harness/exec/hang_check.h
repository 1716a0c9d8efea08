// Certain hangs: a peer asleep in its call that nothing in the case can wake.
// Peers act only on a command from the coordinator. So when the peer of the
// step in flight sleeps in its call, every other peer sleeps too (waiting for
// a command on its control pipe, or in a call of its own), nobody sleeps in a
// call that time can end (a poll, epoll_wait or select timeout, SO_RCVTIMEO,
// a TCP connect), no signal is pending and no process outside the peers
// exists, the sleep is for ever: the step is reported at once instead of at
// its deadline.
//
//   std::optional<std::string> why = CheckCertainHang(views, result_fd, opts);
//   if (why) ...  // "B is asleep in read on fd 4; A waits for a command; ..."
//
// Only what is seen stable counts: two snapshots of /proc a short gap apart
// must agree (state, system call and arguments, context-switch count).
// Without /proc/PID/syscall (gVisor) nothing is certain: the step deadline
// decides, as before.
#ifndef SOCKSPEC_HARNESS_EXEC_HANG_CHECK_H_
#define SOCKSPEC_HARNESS_EXEC_HANG_CHECK_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "harness/exec/proc_watch.h"
#include "harness/plan/plan.h"

namespace sockspec {

// One peer as the coordinator sees it while a step is in flight.
struct HangView {
  enum class Role {
    kInFlight,  // runs the step's call (or the blocked call a `wakes` awaits)
    kIdle,      // answered its last command: waits for the next one
    kPending,   // a call of its own seen asleep earlier (may since have ended)
    kGone,      // exited or killed: can no longer act
  };
  std::string name;
  pid_t pid = -1;
  Role role = Role::kIdle;
  int64_t call_fd = -1;  // kInFlight, kPending: the call's fd (-1: any)
  int control_fd = -1;   // the peer's end of its command pipe
};

// What in a plan can end a sleep by time or by the kernel's own timers.
struct HangRules {
  bool timeouts_armed = false;  // the plan sets SO_RCVTIMEO or SO_SNDTIMEO
  bool inet = false;            // inet sockets: TCP timers can end accept
  // By op index: some peer's alarm() may still fire during that op (from
  // the alarm step to the step of that peer expecting SIGALRM or setting
  // another alarm). RulesAtOp folds it into timeouts_armed.
  std::vector<bool> alarm_armed;
};

// The rules for `plan`: timeouts_armed when a setsockopt names SO_RCVTIMEO
// or SO_SNDTIMEO; alarm_armed per op; inet when it makes an AF_INET/AF_INET6 socket or pair.
HangRules RulesFor(const Plan& plan);

// `rules` while op `op` is in flight: timeouts_armed also when an alarm may
// still fire then.
HangRules RulesAtOp(const HangRules& rules, int op);

// "read", "sendto", ... for the system calls a certain hang may sleep in;
// nullptr for any other number.
const char* UntimedCallName(int64_t nr);

// Pure decision from two snapshots (`first[k]`, `second[k]` of `peers[k]`;
// nullopt: the process was gone). Returns the reason when the in-flight
// peer's sleep is certain to last, nullopt when something might end it.
std::optional<std::string> DecideCertainHang(
    const std::vector<HangView>& peers,
    const std::vector<std::optional<ProcState>>& first,
    const std::vector<std::optional<ProcState>>& second,
    const HangRules& rules);

// Takes the two snapshots `gap` apart (returning nullopt at once if
// `ready_fd` becomes readable: the answer came), checks that no peer has a
// child that is not a peer, and decides.
std::optional<std::string> CheckCertainHang(const std::vector<HangView>& peers,
                                            int ready_fd, const HangRules& rules,
                                            absl::Duration gap);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_HANG_CHECK_H_
