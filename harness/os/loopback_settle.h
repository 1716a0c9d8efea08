// Waits until the packets already sent over loopback have been delivered.
//
// On Linux a packet sent to a loopback address is queued on the sending
// CPU's backlog and delivered by the NET_RX softirq. Usually that softirq
// runs before the sending call returns, so the receiver's state, a wake-up
// and a SIGURG to the socket's owner all belong to the sending step. But the
// softirq is deferred to ksoftirqd when it runs out of budget, and on
// kernels before 6.5 whenever ksoftirqd is already runnable ("softirq: Let
// ksoftirqd do its job", reverted in 6.5): then delivery comes after the call
// returns, at the scheduler's pace. Debian's 6.1 under qemu (TCG, host
// loaded) showed it about once in a thousand loopback-TCP instances: the
// SIGURG of an MSG_OOB send arrived after the step. So a peer takes a
// step's result only after AwaitLoopbackDelivery:
//
//   Observation obs = RunCall(op, env);
//   AwaitLoopbackDelivery();   // then read the signals the step caused
//
// The backlog lengths come from /proc/net/softnet_stat (column 12, Linux
// 5.10 and later). Where the file or the column is missing (older kernels,
// gVisor) there is nothing to wait on and the call returns at once.
#ifndef SOCKSPEC_HARNESS_OS_LOOPBACK_SETTLE_H_
#define SOCKSPEC_HARNESS_OS_LOOPBACK_SETTLE_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace sockspec {

// The packets queued on every CPU's backlog, summed, from the text of
// /proc/net/softnet_stat; nullopt when a line lacks the backlog column or
// does not parse.
absl::optional<int64_t> SoftnetBacklog(absl::string_view softnet_stat);

// Yields the CPU until every backlog is empty. Gives up after a second (a
// kernel whose backlog never drains is then judged on what it shows) and
// returns at once where the backlog cannot be read. Returns the number of
// times it yielded.
int AwaitLoopbackDelivery();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_LOOPBACK_SETTLE_H_
