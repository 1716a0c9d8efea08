// Reads: what a recv/recvmsg/read on a non-blocking end may return, the data
// it must carry and its control messages (SCM_RIGHTS, SCM_CREDENTIALS).
// Follows unix_stream_read_generic, unix_dgram_recvmsg and scm_recv of
// Linux 6.x, checked on this machine's kernel (6.18).
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/model/model.h"
#include "harness/model/model_internal.h"

namespace sockspec::model {

using internal::Allowed;
using internal::CheckContent;
using internal::Divergence;

namespace {

// sizeof(struct cmsghdr), CMSG_LEN(sizeof(struct ucred)) and its CMSG_SPACE.
constexpr int kCmsgHdr = 16;
constexpr int kCredsLen = 28;
constexpr int kCredsSpace = 32;

}  // namespace

absl::Status Model::CheckRead(const ModelOp& op, const Observed& obs) {
  // Out-of-band reads, and stream reads past out-of-band skbs: model_oob.cc.
  if (op.flags & MSG_OOB) return CheckOobRead(op, obs);
  if (type_ != SockType::kStream) return CheckDgramRead(op, obs);
  return HasOob(1 - op.end) ? CheckStreamReadOob(op, obs)
                            : CheckStreamRead(op, obs);
}

void Model::ConsumeStream(Direction& d, size_t n) {
  d.next_read += n;
  d.unread -= n;
  while (!d.queue.empty() &&
         d.queue.front().offset + d.queue.front().len <= d.next_read) {
    d.queue.pop_front();
  }
}

size_t Model::PeekSkip(const ModelOp& op) const {
  // sk_peek_offset: SO_PEEK_OFF counts only for MSG_PEEK, and only when it
  // is not negative.
  const int off = ends_[op.end].peek_off;
  return (op.flags & MSG_PEEK) && off >= 0 ? static_cast<size_t>(off) : 0;
}

size_t Model::StreamReadLen(const ModelOp& op, int* rights, int* head) const {
  const Direction& d = dirs_[1 - op.end];
  const bool peek = op.flags & MSG_PEEK;
  const bool passcred = ends_[op.end].passcred;
  // Whole skbs before the peek offset are stepped over, fds and all.
  const uint64_t start = d.next_read + PeekSkip(op);
  *rights = -1;
  *head = -1;
  size_t got = 0;
  for (size_t i = 0; i < d.queue.size(); ++i) {
    const Chunk& c = d.queue[i];
    if (c.offset + c.len <= start) continue;
    if (*head < 0) *head = static_cast<int>(i);
    // With SO_PASSCRED a read never glues skbs of different credentials.
    if (passcred && c.creds != d.queue[static_cast<size_t>(*head)].creds) break;
    const uint64_t from = std::max(start, c.offset);
    got += std::min<size_t>(c.offset + c.len - from, op.size - got);
    // An skb with fds ends the read, after its bytes.
    if (c.rights > 0) {
      *rights = static_cast<int>(i);
      break;
    }
    // A read stops once its size is filled; a MSG_PEEK walks on through the
    // queue (copying nothing more) to the next skb with fds.
    if (!peek && got == op.size) break;
  }
  return got;
}

int Model::DgramPick(const ModelOp& op, size_t* skip) const {
  const Direction& d = dirs_[1 - op.end];
  *skip = 0;
  if (d.queue.empty()) return -1;
  if (!(op.flags & MSG_PEEK) || ends_[op.end].peek_off < 0) return 0;
  // __skb_try_recv_from_queue: whole datagrams within the offset are
  // skipped, and so is a zero-length one that was peeked before.
  size_t off = static_cast<size_t>(ends_[op.end].peek_off);
  for (size_t i = 0; i < d.queue.size(); ++i) {
    const Chunk& c = d.queue[i];
    if (off >= c.len && (c.len > 0 || off > 0 || c.peeked)) {
      off -= c.len;
      continue;
    }
    *skip = off;
    return static_cast<int>(i);
  }
  return -1;
}

Observed Model::Ancillary(const ModelOp& op, const Chunk* from, Creds creds) {
  Observed a;
  if (op.call != IoCall::kMsg) return a;
  const int nfds = from != nullptr ? from->rights : 0;
  if (op.control == 0) {
    // scm_recv with no msg_control: whatever would arrive is MSG_CTRUNC.
    if (creds != Creds::kNone || nfds > 0) a.msg_flags |= MSG_CTRUNC;
    return a;
  }
  int space = op.control;
  if (creds != Creds::kNone) {
    // put_cmsg: too small for a header gets nothing, else the message cut
    // to the space.
    if (space < kCmsgHdr) {
      a.msg_flags |= MSG_CTRUNC;
    } else {
      a.creds_len = std::min(space, kCredsLen) - kCmsgHdr;
      a.creds = a.creds_len < 12 ? Creds::kCut : creds;
      if (a.creds_len < 12) a.msg_flags |= MSG_CTRUNC;
      space -= std::min(space, kCredsSpace);
    }
  }
  if (nfds > 0) {
    // scm_detach_fds installs as many fds as fit and drops the rest.
    const int fit = space > kCmsgHdr ? (space - kCmsgHdr) / 4 : 0;
    a.nfds = std::min(nfds, fit);
    if (a.nfds < nfds) a.msg_flags |= MSG_CTRUNC;
    for (int i = 0; i < a.nfds; ++i) {
      a.fd_tokens[i] = static_cast<uint8_t>(RightsToken(from->offset, i));
    }
  }
  return a;
}

Observed Model::ExpectedAncillary(const ModelOp& op, ssize_t ret) const {
  const Direction& d = dirs_[1 - op.end];
  const bool passcred = ends_[op.end].passcred;
  if (ret < 0 || (op.call == IoCall::kPlain && op.size == 0)) return Observed();
  const Chunk* from = nullptr;
  Creds creds = Creds::kNone;
  int trunc = 0;
  if (type_ == SockType::kStream) {
    if (d.unread > PeekSkip(op)) {
      int rights = -1, head = -1;
      StreamReadLen(op, &rights, &head);
      if (rights >= 0) from = &d.queue[static_cast<size_t>(rights)];
      if (passcred) {
        creds = d.queue[static_cast<size_t>(head)].creds ? Creds::kSelf
                                                         : Creds::kNobody;
      }
    } else if (passcred) {
      // An EOF read still passes its (empty) credentials: pid 0, uid 0, gid 0.
      creds = Creds::kZero;
    }
  } else if (!ends_[op.end].reset) {
    size_t skip = 0;
    const int i = DgramPick(op, &skip);
    if (i >= 0) {
      from = &d.queue[static_cast<size_t>(i)];
      if (passcred) creds = from->creds ? Creds::kSelf : Creds::kNobody;
      if (std::min(op.size, from->len - skip) < from->len - skip) trunc = MSG_TRUNC;
    }
  }
  Observed a = Ancillary(op, from != nullptr && from->rights > 0 ? from : nullptr,
                         creds);
  a.msg_flags |= trunc;
  return a;
}

absl::Status Model::CheckAncillary(
    const ModelOp& op, const Observed& obs,
    absl::FunctionRef<std::string()> explain) const {
  if (op.call != IoCall::kMsg) return absl::OkStatus();
  const Observed want = ExpectedAncillary(op, obs.ret);
  if (obs.msg_flags == want.msg_flags && SameAncillary(obs, want)) {
    return absl::OkStatus();
  }
  std::vector<std::string> reasons;
  if (std::string why = explain(); !why.empty()) reasons.push_back(why);
  if (op.control > 0 || ends_[op.end].passcred || want.nfds > 0 ||
      obs.nfds > 0 || (want.msg_flags & MSG_CTRUNC)) {
    reasons.push_back(absl::StrCat("control buffer ", op.control,
                                   ", SO_PASSCRED ",
                                   ends_[op.end].passcred ? 1 : 0));
  }
  return Divergence(
      op, absl::StrCat("expected msg_flags ", MsgFlagsString(want.msg_flags),
                       AncillaryString(want),
                       reasons.empty() ? "" : " (", absl::StrJoin(reasons, "; "),
                       reasons.empty() ? "" : ")", ", got ",
                       MsgFlagsString(obs.msg_flags), AncillaryString(obs)));
}

absl::Status Model::CheckStreamRead(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  const int writer = 1 - op.end;
  Direction& d = dirs_[writer];
  const bool peek = op.flags & MSG_PEEK;
  Allowed allowed;
  size_t want = 0;
  int rights = -1, head = -1;
  const size_t skip = PeekSkip(op);
  const char* why = "";
  if (op.call == IoCall::kPlain && op.size == 0) {
    // sock_read_iter returns 0 for an empty read without looking.
    allowed.Count(0, 0);
  } else if (d.unread > skip) {
    // A read gathers across skbs up to the size (MSG_TRUNC has no effect),
    // but not past one with fds nor, under SO_PASSCRED, across credentials.
    want = StreamReadLen(op, &rights, &head);
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
    if (d.unread <= skip) {
      return d.unread == 0 ? std::string(why)
                           : absl::StrFormat("%s; SO_PEEK_OFF %d passes the %d "
                                             "bytes queued", why, skip, d.unread);
    }
    return absl::StrFormat("%d bytes are queued from %c%s%s", d.unread,
                           EndName(writer),
                           skip > 0 ? absl::StrFormat(", SO_PEEK_OFF %d", skip) : "",
                           rights >= 0 ? ", the read ends at the skb with fds"
                                       : "");
  });
  if (!s.ok()) return s;
  if (obs.ret >= 0) {
    s = CheckAncillary(op, obs, [] { return std::string(); });
    if (!s.ok()) return s;
  }
  if (obs.ret < 0) {
    if (obs.err == ECONNRESET) me.reset = false;  // sock_error clears it
    return absl::OkStatus();
  }
  s = CheckContent(op, writer, d.next_read + skip, obs.data.subspan(0, want));
  if (!s.ok()) return s;
  // sk_peek_offset_fwd / _bwd: a peek moves SO_PEEK_OFF on by what it
  // copied, a read back (not below 0); a negative value stays.
  int& off = me.peek_off;
  if (off >= 0) {
    off = peek ? off + static_cast<int>(want)
               : std::max(0, off - static_cast<int>(want));
  }
  if (!peek) {
    // MSG_WAITALL short of its target checks sk_err after the queue runs
    // dry, and so consumes a pending ECONNRESET while returning data.
    if ((op.flags & MSG_WAITALL) && want > 0 && want < op.size &&
        want == d.unread && rights < 0) {
      me.reset = false;
    }
    // The fds leave with the read (unix_detach_fds), even if bytes of their
    // skb stay queued.
    if (rights >= 0) d.queue[static_cast<size_t>(rights)].rights = 0;
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
  Chunk* msg = nullptr;
  size_t skip = 0;
  const int pick = DgramPick(op, &skip);
  const char* why = "";
  if (op.call == IoCall::kPlain && op.size == 0) {
    // sock_read_iter returns 0 for an empty read without looking.
    allowed.Count(0, 0);
  } else if (me.reset) {
    // __skb_try_recv_datagram reports sk_err before looking at the queue.
    allowed.Error(ECONNRESET);
    why = "the peer closed with unread data; sk_err comes first";
  } else if (pick >= 0) {
    msg = &d.queue[static_cast<size_t>(pick)];
    const size_t left = msg->len - skip;
    const size_t copied = std::min(op.size, left);
    const size_t ret = (op.flags & MSG_TRUNC) ? left : copied;
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
    why = !d.queue.empty() ? "SO_PEEK_OFF passes every datagram queued"
          : seq            ? "nothing queued"
                           : "nothing queued (DGRAM has no EOF)";
  }
  absl::Status s = allowed.Judge(op, obs, [&]() -> std::string {
    if (msg == nullptr) return why;
    return absl::StrFormat("the next datagram from %c has %d bytes%s%s",
                           EndName(writer), msg->len,
                           skip > 0 ? absl::StrFormat(", %d skipped by SO_PEEK_OFF", skip)
                                    : "",
                           (op.flags & MSG_TRUNC) ? ", MSG_TRUNC" : "");
  });
  if (!s.ok()) return s;
  if (obs.ret < 0) {
    if (obs.err == ECONNRESET) me.reset = false;
    return absl::OkStatus();
  }
  // msg_flags: MSG_TRUNC when the datagram did not fit, MSG_CTRUNC when its
  // control messages did not.
  s = CheckAncillary(op, obs, [&] {
    return msg == nullptr ? std::string()
                          : absl::StrFormat("a %d-byte datagram into %d bytes",
                                            msg->len, op.size);
  });
  if (!s.ok() || msg == nullptr) return s;
  const size_t copied = std::min(op.size, msg->len - skip);
  s = CheckContent(op, writer, msg->offset + skip, obs.data.subspan(0, copied));
  if (!s.ok()) return s;
  int& off = me.peek_off;
  if (peek) {
    msg->peeked = true;
    if (off >= 0) off += static_cast<int>(copied);
  } else if (off >= 0) {
    off = std::max(0, off - static_cast<int>(msg->len));
  }
  if (!peek) {
    d.unread -= msg->len;
    d.next_read = msg->offset + msg->len;
    d.queue.pop_front();
  }
  return absl::OkStatus();
}

}  // namespace sockspec::model
