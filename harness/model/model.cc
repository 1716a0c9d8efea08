// Writes, shutdown and close; reads are in model_read.cc, poll and SO_SNDBUF
// in model_poll.cc, SO_ERROR and SIOCINQ in model_query.cc.
// Each rule follows net/unix/af_unix.c and net/core/sock.c of Linux 6.x and
// was checked on this machine's kernel.
#include "harness/model/model.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/model/model_internal.h"

namespace sockspec::model {

using internal::Allowed;
using internal::Divergence;

Model::Model(SockType type, ModelLimits limits)
    : type_(type), limits_(limits) {
  for (End& e : ends_) e.sndbuf = limits_.default_sndbuf;
}

absl::Status Model::Check(const ModelOp& op, const Observed& observed) {
  if (op.end < 0 || op.end > 1 || ends_[op.end].closed) {
    return absl::InvalidArgumentError(
        absl::StrCat(op.ToString(), ": the end is closed"));
  }
  absl::Status s = CheckOp(op, observed);
  if (s.ok()) NoteWakeups(op, observed);
  return s;
}

absl::Status Model::CheckOp(const ModelOp& op, const Observed& observed) {
  switch (op.kind) {
    case OpKind::kWrite:
      return CheckWrite(op, observed);
    case OpKind::kRead:
      return CheckRead(op, observed);
    case OpKind::kShutdown:
      return CheckShutdown(op, observed);
    case OpKind::kClose:
      return CheckClose(op, observed);
    case OpKind::kSetSndbuf:
      return CheckSetSndbuf(op, observed);
    case OpKind::kPoll:
      return CheckPoll(op, observed);
    case OpKind::kGetError:
      return CheckGetError(op, observed);
    case OpKind::kInq:
      return CheckInq(op, observed);
    case OpKind::kSetPasscred:
      return CheckSetPasscred(op, observed);
    case OpKind::kEpoll:
      // A level-triggered epoll_wait reports what poll does (both call the
      // socket's poll; EPOLLERR and EPOLLHUP are always reported).
      return CheckPoll(op, observed);
    case OpKind::kGetOpt:
      return CheckGetOpt(op, observed);
    case OpKind::kSetPeekOff:
      return CheckSetPeekOff(op, observed);
    case OpKind::kAtMark:
      return CheckAtMark(op, observed);
    case OpKind::kSetOobInline:
      return CheckSetOobInline(op, observed);
    case OpKind::kEpollEt:
      return CheckEpollEt(op, observed);
    SOCKSPEC_WORLD_OP_CASES:
      // Named sockets are World's (world.h); a pair has no names here.
      break;
  }
  return absl::InvalidArgumentError("unknown operation");
}

size_t Model::WmemLow(int end) const {
  const Direction& d = dirs_[end];
  return d.unread + internal::kSkbMinOverhead * d.queue.size();
}

size_t Model::WmemHigh(int end) const {
  size_t total = 0;
  for (const Chunk& c : dirs_[end].queue) {
    total += type_ == SockType::kStream
                 ? c.len + internal::kStreamSkbMaxOverhead * c.skbs
                 : 2 * c.len + internal::kDgramMaxOverhead;
  }
  return total;
}

bool Model::SendsCreds(int writer) const {
  // unix_maybe_add_creds: the skb gets the sender's credentials when either
  // end has SO_PASSCRED; otherwise a reader later sees pid 0 and the
  // overflow ids.
  const End& peer = ends_[1 - writer];
  return ends_[writer].passcred || (!peer.closed && peer.passcred);
}

void Model::Purge(int reader) {
  Direction& d = dirs_[1 - reader];
  d.queue.clear();
  d.unread = 0;
  d.next_read = d.next_write;
}

absl::Status Model::CheckWrite(const ModelOp& op, const Observed& obs) {
  // Only a stream write raises SIGPIPE (unix_stream_sendmsg's pipe_err);
  // the datagram path returns EPIPE silently, SEQPACKET included, and so
  // does a stream write woken on a full buffer by a shutdown: its EPIPE
  // comes from sock_alloc_send_pskb (B311).
  const bool sigpipe = type_ == SockType::kStream && obs.ret < 0 &&
                       obs.err == EPIPE && !(op.flags & MSG_NOSIGNAL) &&
                       !op.blocking;
  absl::Status s = type_ == SockType::kStream ? CheckStreamWrite(op, obs)
                                              : CheckDgramWrite(op, obs);
  if (!s.ok()) return s;
  if (obs.sigpipe != sigpipe) {
    return Divergence(op, absl::StrCat("expected ", sigpipe ? "a" : "no",
                                       " SIGPIPE, got ", obs.ToString(op)));
  }
  return absl::OkStatus();
}

absl::Status Model::CheckStreamWrite(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  Direction& d = dirs_[op.end];
  // MSG_OOB (model_oob.cc): n - 1 plain bytes, then the last one alone.
  const bool oob = op.flags & MSG_OOB;
  const size_t n = oob && op.size > 0 ? op.size - 1 : op.size;
  const size_t sndbuf = static_cast<size_t>(me.sndbuf);
  // unix_stream_sendmsg cuts a write into skbs of at most this much.
  const size_t chunk = std::max<size_t>(
      1, std::min<size_t>(sndbuf / 2 > 64 ? sndbuf / 2 - 64 : 1, 32768));
  Allowed allowed;
  size_t low = 0, high = 0;
  // A write asleep on a full buffer when the peer closes with that data
  // unread wakes in sock_alloc_send_pskb, which reports sk_err (and clears
  // it) before SEND_SHUTDOWN; a write made after the close meets
  // unix_stream_sendmsg's SEND_SHUTDOWN check first (EPIPE, B360).
  const bool woken_by_reset = op.blocking && me.reset;
  if (oob && op.size == 0) {
    allowed.Error(EOPNOTSUPP);  // before the peer or shutdown is looked at
  } else if (woken_by_reset) {
    allowed.Error(ECONNRESET);
  } else if (me.snd_shut) {
    allowed.Error(EPIPE);
  } else if (n == 0 && oob) {
    // queue_oob allocates the 1-byte skb as any write does.
    low = WmemLow(op.end);
    high = WmemHigh(op.end);
    if (high >= sndbuf) allowed.Error(EAGAIN);
    if (low < sndbuf) allowed.Count(1, 1);
  } else if (n == 0) {
    allowed.Count(0, 0);
  } else {
    // sock_alloc_send_pskb allocates while sk_wmem_alloc < sk_sndbuf.
    low = WmemLow(op.end);
    high = WmemHigh(op.end);
    const size_t skbs = (n + chunk - 1) / chunk;
    // With MSG_OOB the out-of-band skb follows only when every plain byte
    // went, and its own allocation may fail (then n is returned).
    const size_t extra = oob ? 1 : 0;
    if (low >= sndbuf) {
      allowed.Error(EAGAIN);
    } else if (high + n + extra +
                   internal::kStreamSkbMaxOverhead * (skbs + extra) < sndbuf) {
      allowed.Count(n + extra, n + extra);
    } else {
      if (high >= sndbuf) allowed.Error(EAGAIN);
      allowed.Count(std::min(n, chunk), n + extra);
    }
  }
  absl::Status s = allowed.Judge(op, obs, [&] {
    if (woken_by_reset) {
      return std::string("the peer closed with this end's data unread; a "
                         "sleeping write reports sk_err once");
    }
    if (me.snd_shut) {
      return absl::StrFormat("%c is shut down for sending", EndName(op.end));
    }
    return absl::StrFormat("%c has %d unread bytes, truesize %d..%d, "
                           "SO_SNDBUF %d",
                           EndName(op.end), d.unread, low, high, sndbuf);
  });
  if (s.ok() && obs.ret < 0 && obs.err == ECONNRESET) me.reset = false;
  if (!s.ok() || obs.ret <= 0) return s;
  const size_t got = static_cast<size_t>(obs.ret);
  // A write of 0 bytes makes no skb, so its fds are not sent either.
  QueueStream(op.end, got, chunk, op.rights, oob && got == op.size);
  return absl::OkStatus();
}

absl::Status Model::CheckDgramWrite(const ModelOp& op, const Observed& obs) {
  End& me = ends_[op.end];
  End& peer = ends_[1 - op.end];
  const bool seq = type_ == SockType::kSeqpacket;
  const size_t n = op.size;
  const size_t sndbuf = static_cast<size_t>(me.sndbuf);
  Allowed allowed;
  // The order of the checks is unix_seqpacket_sendmsg's, then
  // unix_dgram_sendmsg's (6.x: size, allocation, then the peer).
  enum { kReset, kOob, kSize, kShut, kBuffer } reason = kBuffer;
  int fate = 0;  // the errno past the buffer check, or 0 for success
  size_t low = 0, high = 0;
  if (seq && me.reset) {
    allowed.Error(ECONNRESET);
    reason = kReset;
  } else if (op.flags & MSG_OOB) {
    allowed.Error(EOPNOTSUPP);
    reason = kOob;
  } else if (n + 32 > sndbuf) {
    allowed.Error(EMSGSIZE);
    reason = kSize;
  } else if (me.snd_shut) {
    allowed.Error(EPIPE);
    reason = kShut;
  } else {
    // The skb is allocated (EAGAIN when the buffer is full) before the peer
    // is looked at.
    low = WmemLow(op.end);
    high = WmemHigh(op.end);
    if (me.disconnected) {
      fate = ENOTCONN;
    } else if (peer.closed) {
      fate = seq ? EPIPE : ECONNREFUSED;
    } else if (peer.rcv_shut) {
      fate = EPIPE;
    }
    if (high >= sndbuf) allowed.Error(EAGAIN);
    if (low < sndbuf) {
      if (fate != 0) {
        allowed.Error(fate);
      } else {
        allowed.Count(n, n);
      }
    }
  }
  absl::Status s = allowed.Judge(op, obs, [&]() -> std::string {
    switch (reason) {
      case kReset:
        return "the peer closed with unread data; sk_err is reported once";
      case kOob:
        return "no out-of-band data on DGRAM and SEQPACKET";
      case kSize:
        return absl::StrCat("SO_SNDBUF ", sndbuf, " allows ", sndbuf - 32);
      case kShut:
        return absl::StrFormat("%c is shut down for sending",
                               EndName(op.end));
      case kBuffer:
        break;
    }
    return absl::StrFormat(
        "%c has %d datagrams queued, truesize %d..%d, SO_SNDBUF %d%s",
        EndName(op.end), dirs_[op.end].queue.size(), low, high, sndbuf,
        me.disconnected ? "; an earlier send found the peer closed"
        : peer.closed   ? "; the peer is closed"
        : peer.rcv_shut ? "; the peer is shut down for reading"
                        : "");
  });
  if (!s.ok()) return s;
  if (obs.ret < 0) {
    if (obs.err == ECONNRESET) me.reset = false;
    if (obs.err == ECONNREFUSED) {
      // unix_dgram_disconnected purges the receive queue.
      me.disconnected = true;
      Purge(op.end);
    }
    return absl::OkStatus();
  }
  Direction& d = dirs_[op.end];
  d.queue.push_back(Chunk{d.next_write, n, 1, op.rights, SendsCreds(op.end)});
  d.next_write += n;
  d.unread += n;
  return absl::OkStatus();
}

absl::Status Model::CheckShutdown(const ModelOp& op, const Observed& obs) {
  Allowed allowed;
  allowed.Count(0, 0);
  absl::Status s = allowed.Judge(op, obs, [] { return std::string(); });
  if (!s.ok()) return s;
  const bool rd = op.how == SHUT_RD || op.how == SHUT_RDWR;
  const bool wr = op.how == SHUT_WR || op.how == SHUT_RDWR;
  End& me = ends_[op.end];
  End& peer = ends_[1 - op.end];
  me.rcv_shut |= rd;
  me.snd_shut |= wr;
  // unix_shutdown passes the mirror image to a STREAM/SEQPACKET peer.
  if (type_ != SockType::kDgram && !peer.closed) {
    peer.snd_shut |= rd;
    peer.rcv_shut |= wr;
  }
  return absl::OkStatus();
}

absl::Status Model::CheckClose(const ModelOp& op, const Observed& obs) {
  Allowed allowed;
  allowed.Count(0, 0);
  absl::Status s = allowed.Judge(op, obs, [] { return std::string(); });
  if (!s.ok()) return s;
  End& peer = ends_[1 - op.end];
  // unix_release_sock: a STREAM/SEQPACKET peer is shut down both ways, and
  // gets ECONNRESET if this end leaves unread data behind. Since the MSG_OOB
  // fix of 2025 (Linux 6.15, in 6.18 here) a zero-length skb at the head of
  // the queue is skipped, meant for a consumed OOB skb; on SEQPACKET this
  // makes one unread zero-length message alone leave the peer without
  // ECONNRESET, while two of them, or one before data, give it.
  const std::deque<Chunk>& left = dirs_[1 - op.end].queue;
  if (type_ != SockType::kDgram && !peer.closed) {
    peer.rcv_shut = peer.snd_shut = true;
    if (!left.empty() &&
        ((left.front().len > 0 && !left.front().gone) || left.size() > 1)) {
      peer.reset = true;
    }
  }
  Purge(op.end);
  ends_[op.end].closed = true;
  return absl::OkStatus();
}

}  // namespace sockspec::model

namespace sockspec::model {

void Model::ReleaseEmbryo(int end) {
  End& peer = ends_[1 - end];
  if (type_ != SockType::kDgram && !peer.closed) {
    peer.rcv_shut = peer.snd_shut = true;
    peer.reset = true;
  }
  Purge(end);
  ends_[end].closed = true;
}

}  // namespace sockspec::model
