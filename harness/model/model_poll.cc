// Poll readiness, SO_SNDBUF and the kernel's buffer limits, for the
// reference model (model.h). Checked on this machine's kernel.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/model/model.h"
#include "harness/model/model_internal.h"

namespace sockspec::model {

using internal::Allowed;
using internal::Divergence;

ModelLimits ModelLimits::FromKernel() {
  ModelLimits limits;
  std::ifstream("/proc/sys/net/core/wmem_default") >> limits.default_sndbuf;
  std::ifstream("/proc/sys/net/core/wmem_max") >> limits.wmem_max;
  std::ifstream("/proc/sys/net/core/rmem_default") >> limits.default_rcvbuf;
  std::ifstream("/proc/sys/net/unix/max_dgram_qlen") >> limits.max_dgram_qlen;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
    int zero = 0, value = 0;
    socklen_t len = sizeof value;
    if (setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &zero, sizeof zero) == 0 &&
        getsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &value, &len) == 0) {
      limits.min_sndbuf = value;
    }
    close(fds[0]);
    close(fds[1]);
  }
  return limits;
}

absl::Status Model::CheckSetSndbuf(const ModelOp& op, const Observed& obs) {
  Allowed allowed;
  allowed.Count(0, 0);
  absl::Status s = allowed.Judge(op, obs, [] { return std::string(); });
  if (!s.ok()) return s;
  // sock_setsockopt: min(val, wmem_max) as unsigned, doubled, at least
  // SOCK_MIN_SNDBUF.
  const uint64_t capped = std::min<uint64_t>(static_cast<uint32_t>(op.value),
                                             limits_.wmem_max);
  const int want = static_cast<int>(
      std::max<uint64_t>(capped * 2, limits_.min_sndbuf));
  if (obs.sndbuf != want) {
    return Divergence(op, absl::StrCat("expected SO_SNDBUF to read back ",
                                       want, ", got ", obs.sndbuf));
  }
  ends_[op.end].sndbuf = obs.sndbuf;
  return absl::OkStatus();
}

short Model::PollMask(int end, short events, bool* must_out,
                      bool* may_out) const {
  const End& me = ends_[end];
  const Direction& in = dirs_[1 - end];
  short want = 0;
  if (me.reset) want |= POLLERR;
  if (me.rcv_shut && me.snd_shut) want |= POLLHUP;
  if (me.rcv_shut) want |= POLLRDHUP | POLLIN;
  // Any skb queued, a taken out-of-band one of length 0 too.
  if (!in.queue.empty()) want |= POLLIN;
  // unix_poll: POLLPRI while an out-of-band byte is pending.
  if (type_ == SockType::kStream) {
    for (const Chunk& c : in.queue) {
      if (c.mark) want |= POLLPRI;
    }
  }
  // unix_writable: sk_wmem_alloc (which counts from 1) * 4 <= sk_sndbuf.
  const size_t sndbuf = static_cast<size_t>(me.sndbuf);
  *must_out = (events & POLLOUT) && (WmemHigh(end) + 1) * 4 <= sndbuf;
  *may_out = (events & POLLOUT) && (WmemLow(end) + 1) * 4 <= sndbuf;
  if (*must_out) want |= POLLOUT;
  return static_cast<short>(want & (events | POLLERR | POLLHUP));
}

absl::Status Model::CheckPoll(const ModelOp& op, const Observed& obs) {
  const End& me = ends_[op.end];
  bool must_out = false, may_out = false;
  const short want = PollMask(op.end, kPollEvents, &must_out, &may_out);
  const size_t sndbuf = static_cast<size_t>(me.sndbuf);
  const size_t low = WmemLow(op.end), high = WmemHigh(op.end);
  const short got = obs.revents;
  const bool out_ok = (got & POLLOUT) ? may_out : !must_out;
  if ((got & ~POLLOUT) == (want & ~POLLOUT) && out_ok) {
    return absl::OkStatus();
  }
  std::string expected = PollEventsString(want);
  if (may_out && !must_out) absl::StrAppend(&expected, " (POLLOUT optional)");
  return Divergence(
      op, absl::StrFormat("expected %s (%c: %d bytes to read, truesize "
                          "%d..%d queued, SO_SNDBUF %d), got %s",
                          expected, EndName(op.end),
                          dirs_[1 - op.end].unread, low, high, sndbuf,
                          PollEventsString(got)));
}

}  // namespace sockspec::model
