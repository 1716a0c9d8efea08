// Reading a socket's state without changing its data: getsockopt(SO_ERROR)
// and of the other options, ioctl(SIOCINQ); and SO_PASSCRED (net/core/sock.c
// sock_getsockopt, net/unix/af_unix.c unix_inq_len of Linux 6.x, checked on
// this machine's kernel).
#include <sys/socket.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "harness/model/model.h"
#include "harness/model/model_internal.h"

namespace sockspec::model {

using internal::Divergence;

absl::Status Model::CheckGetError(const ModelOp& op, const Observed& obs) {
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  End& me = ends_[op.end];
  // sk_err: only the close of a STREAM/SEQPACKET peer that leaves unread
  // data sets it here; SO_ERROR takes it (sock_error's xchg), so a later
  // read no longer fails ECONNRESET.
  const int want = me.reset ? ECONNRESET : 0;
  if (obs.value != want) {
    return Divergence(op, absl::StrCat("expected SO_ERROR ",
                                       want == 0 ? "0" : "ECONNRESET",
                                       " (the peer ",
                                       me.reset ? "closed with unread data"
                                                : "left no error",
                                       "), got ", obs.value));
  }
  me.reset = false;
  return absl::OkStatus();
}

absl::Status Model::CheckInq(const ModelOp& op, const Observed& obs) {
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  // unix_inq_len: every unread byte on STREAM and SEQPACKET (found by
  // ops_fuzzer: the sum of the queued records), the first datagram's
  // length on DGRAM (0 when the queue is empty). On STREAM, plus every
  // out-of-band byte a plain read dropped (model_oob.cc).
  const Direction& d = dirs_[1 - op.end];
  const size_t want = type_ != SockType::kDgram ? d.unread + d.inq_leak
                      : d.queue.empty()          ? 0
                                                 : d.queue.front().len;
  if (static_cast<size_t>(obs.value) != want) {
    return Divergence(op, absl::StrCat("expected SIOCINQ ", want, " (",
                                       d.queue.size(), " writes queued, ",
                                       d.unread, " bytes), got ", obs.value));
  }
  return absl::OkStatus();
}

absl::Status Model::CheckSetPasscred(const ModelOp& op, const Observed& obs) {
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  ends_[op.end].passcred = op.value != 0;
  return absl::OkStatus();
}

absl::Status Model::CheckSetPeekOff(const ModelOp& op, const Observed& obs) {
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  // unix_set_peek_off stores any value; only MSG_PEEK reads it, and only
  // when it is not negative.
  ends_[op.end].peek_off = op.value;
  return absl::OkStatus();
}

absl::Status Model::CheckGetOpt(const ModelOp& op, const Observed& obs) {
  absl::Status s = internal::ExpectZero(op, obs);
  if (!s.ok()) return s;
  const End& me = ends_[op.end];
  int want = 0;
  switch (static_cast<SockOpt>(op.value)) {
    case SockOpt::kSndbuf:
      want = me.sndbuf;
      break;
    case SockOpt::kRcvbuf:
      // sock_init_data: rmem_default; AF_UNIX never changes it itself.
      want = limits_.default_rcvbuf;
      break;
    case SockOpt::kType:
      want = SockTypeValue(type_);
      break;
    case SockOpt::kPasscred:
      want = me.passcred ? 1 : 0;
      break;
    case SockOpt::kPeekOff:
      want = me.peek_off;  // -1 until set; any value reads back as set
      break;
    case SockOpt::kDomain:
      want = AF_UNIX;
      break;
  }
  if (obs.value != want) {
    return Divergence(op, absl::StrCat("expected ",
                                       SockOptName(static_cast<SockOpt>(op.value)),
                                       " ", want, ", got ", obs.value));
  }
  return absl::OkStatus();
}

}  // namespace sockspec::model
