// Reads: what a recv/recvmsg/read on a non-blocking end may return, and the
// data it must carry. Follows unix_stream_read_generic and unix_dgram_recvmsg
// of Linux 6.x, checked on this machine's kernel.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/model/model.h"
#include "harness/model/model_internal.h"

namespace sockspec::model {

using internal::Allowed;
using internal::CheckContent;
using internal::Divergence;

absl::Status Model::CheckRead(const ModelOp& op, const Observed& obs) {
  return type_ == SockType::kStream ? CheckStreamRead(op, obs)
                                    : CheckDgramRead(op, obs);
}

void Model::ConsumeStream(Direction& d, size_t n) {
  d.next_read += n;
  d.unread -= n;
  while (!d.queue.empty() &&
         d.queue.front().offset + d.queue.front().len <= d.next_read) {
    d.queue.pop_front();
  }
}

absl::Status Model::CheckStreamRead(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  const int writer = 1 - op.end;
  Direction& d = dirs_[writer];
  const bool peek = op.flags & MSG_PEEK;
  Allowed allowed;
  size_t want = 0;
  const char* why = "";
  if (op.call == IoCall::kPlain && op.size == 0) {
    // sock_read_iter returns 0 for an empty read without looking.
    allowed.Count(0, 0);
  } else if (d.unread > 0) {
    // All queued bytes come from one writer with the same credentials, so a
    // read gathers across skbs up to the size (MSG_TRUNC has no effect).
    want = std::min(op.size, d.unread);
    allowed.Count(want, want);
  } else if (me.reset) {
    allowed.Error(ECONNRESET);
    why = "the peer closed with unread data";
  } else if (me.rcv_shut) {
    allowed.Count(0, 0);
    why = "EOF: nothing queued and shut down for reading";
  } else {
    allowed.Error(EAGAIN);
    why = "nothing queued";
  }
  absl::Status s = allowed.Judge(op, obs, [&]() -> std::string {
    if (d.unread == 0) return why;
    return absl::StrFormat("%d bytes are queued from %c", d.unread,
                           EndName(writer));
  });
  if (!s.ok()) return s;
  if (op.call == IoCall::kMsg && obs.ret >= 0 && obs.msg_flags != 0) {
    return Divergence(op, absl::StrCat("expected msg_flags 0, got ",
                                       MsgFlagsString(obs.msg_flags)));
  }
  if (obs.ret < 0) {
    if (obs.err == ECONNRESET) me.reset = false;  // sock_error clears it
    return absl::OkStatus();
  }
  s = CheckContent(op, writer, d.next_read, obs.data.subspan(0, want));
  if (!s.ok()) return s;
  if (!peek) {
    // MSG_WAITALL short of its target checks sk_err after the queue runs
    // dry, and so consumes a pending ECONNRESET while returning data.
    if ((op.flags & MSG_WAITALL) && want > 0 && want < op.size) {
      me.reset = false;
    }
    ConsumeStream(d, want);
  }
  return absl::OkStatus();
}

absl::Status Model::CheckDgramRead(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  const int writer = 1 - op.end;
  Direction& d = dirs_[writer];
  const bool seq = type_ == SockType::kSeqpacket;
  const bool peek = op.flags & MSG_PEEK;
  Allowed allowed;
  const Chunk* msg = nullptr;
  const char* why = "";
  if (op.call == IoCall::kPlain && op.size == 0) {
    // sock_read_iter returns 0 for an empty read without looking.
    allowed.Count(0, 0);
  } else if (me.reset) {
    // __skb_try_recv_datagram reports sk_err before looking at the queue.
    allowed.Error(ECONNRESET);
    why = "the peer closed with unread data; sk_err comes first";
  } else if (!d.queue.empty()) {
    msg = &d.queue.front();
    const size_t copied = std::min(op.size, msg->len);
    const size_t ret = (op.flags & MSG_TRUNC) ? msg->len : copied;
    allowed.Count(ret, ret);
  } else if (seq && me.rcv_shut) {
    allowed.Count(0, 0);
    why = "EOF: nothing queued and shut down for reading";
  } else if (op.blocking && me.rcv_shut) {
    // __skb_wait_for_more_packets ends the wait without an error once
    // RCV_SHUTDOWN is set: a blocking DGRAM read returns 0.
    allowed.Count(0, 0);
    why = "a blocking read on a socket shut down for reading returns 0";
  } else {
    allowed.Error(EAGAIN);
    why = seq ? "nothing queued" : "nothing queued (DGRAM has no EOF)";
  }
  absl::Status s = allowed.Judge(op, obs, [&]() -> std::string {
    if (msg == nullptr) return why;
    return absl::StrFormat("the next datagram from %c has %d bytes%s",
                           EndName(writer), msg->len,
                           (op.flags & MSG_TRUNC) ? ", MSG_TRUNC" : "");
  });
  if (!s.ok()) return s;
  if (obs.ret < 0) {
    if (obs.err == ECONNRESET) me.reset = false;
    return absl::OkStatus();
  }
  if (msg == nullptr) {
    if (op.call == IoCall::kMsg && obs.msg_flags != 0) {
      return Divergence(op, absl::StrCat("expected msg_flags 0, got ",
                                         MsgFlagsString(obs.msg_flags)));
    }
    return absl::OkStatus();
  }
  const size_t copied = std::min(op.size, msg->len);
  const int want_flags = copied < msg->len ? MSG_TRUNC : 0;
  if (op.call == IoCall::kMsg && obs.msg_flags != want_flags) {
    return Divergence(
        op, absl::StrFormat("expected msg_flags %s (a %d-byte datagram into "
                            "%d bytes), got %s",
                            MsgFlagsString(want_flags), msg->len, op.size,
                            MsgFlagsString(obs.msg_flags)));
  }
  s = CheckContent(op, writer, msg->offset, obs.data.subspan(0, copied));
  if (!s.ok()) return s;
  if (!peek) {
    d.unread -= msg->len;
    d.next_read = msg->offset + msg->len;
    d.queue.pop_front();
  }
  return absl::OkStatus();
}

}  // namespace sockspec::model
