// Named datagram sockets of World (world.h): connect and disconnect
// (AF_UNSPEC), sendto from several senders, the receiver's queue limit,
// recvfrom reporting the sender. Each rule follows unix_dgram_connect,
// unix_dgram_sendmsg, unix_dgram_recvmsg and unix_dgram_poll of Linux 6.18.
// The sendto/recvfrom of stream and seqpacket sockets are here too.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "harness/model/model_internal.h"
#include "harness/model/world.h"
#include "harness/model/world_internal.h"
#include "harness/os/fd.h"

namespace sockspec::model {
using internal::Expect;
using internal::NoRule;

size_t World::WmemLow(int s) const {
  size_t total = 0;
  for (const Sock& r : socks_) {
    if (!r.open) continue;
    for (const Datagram& d : r.queue) {
      if (d.sender_id == socks_[s].id) total += d.len + internal::kSkbMinOverhead;
    }
  }
  return total;
}

size_t World::WmemHigh(int s) const {
  size_t total = 0;
  for (const Sock& r : socks_) {
    if (!r.open) continue;
    for (const Datagram& d : r.queue) {
      if (d.sender_id == socks_[s].id) total += 2 * d.len + internal::kDgramMaxOverhead;
    }
  }
  return total;
}

void World::DgramDisconnected(int s, int old_id) {
  Sock& me = socks_[s];
  if (me.queue.empty()) return;
  me.queue.clear();
  const int old = ById(old_id);
  if (old >= 0 && socks_[old].peer_id == me.id) socks_[old].reset = true;
}

absl::Status World::CheckDgramConnect(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  int target = -1;
  absl::Status s;
  if (op.name == kUnspec) {
    s = Expect(op, obs, 0, 0, "AF_UNSPEC disconnects");
  } else {
    int err = 0;
    std::string why;
    target = Lookup(op.name, me.type, err, why);
    if (target < 0) return Expect(op, obs, -1, err, why);
    const Sock& other = socks_[target];
    // unix_may_send: the target is connected to nobody or to us.
    if (other.peer_id >= 0 && other.peer_id != me.id) {
      return Expect(op, obs, -1, EPERM, "the target is connected elsewhere");
    }
    s = Expect(op, obs, 0, 0, "the target takes us");
  }
  if (obs.ret != 0) return s;
  const int old = me.peer_id;
  me.peer_id = target < 0 ? -1 : socks_[target].id;
  me.peer_name = target < 0 ? kUnnamed : socks_[target].name;
  if (old >= 0 && old != me.peer_id) DgramDisconnected(op.end, old);
  return s;
}

absl::Status World::CheckDgramOp(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  if (op.kind == OpKind::kWrite) return CheckDgramSend(op, obs);
  if (op.kind == OpKind::kRead) return CheckDgramRecv(op, obs);
  if (op.kind == OpKind::kPoll) return CheckDgramPoll(op, obs);
  if (op.kind == OpKind::kClose) {
    absl::Status s = Expect(op, obs, 0, 0, "close");
    Close(op.end);
    return s;
  }
  if (op.kind == OpKind::kGetError) {
    const int want = me.reset ? ECONNRESET : 0;
    me.reset = false;
    if (obs.ret == 0 && obs.value == want) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected 0 (SO_ERROR ",
        want == 0 ? "0" : ErrnoName(want), "), got ", obs.ToString(op)));
  }
  if (op.kind == OpKind::kInq) {
    const int want = me.queue.empty() ? 0 : static_cast<int>(me.queue.front().len);
    if (obs.ret == 0 && obs.value == want) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected 0 (", want,
        " bytes: the first datagram), got ", obs.ToString(op)));
  }
  return NoRule(op, "a named datagram socket");
}

absl::Status World::CheckDgramSend(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  const bool to_name = op.kind == OpKind::kSendTo;
  // EMSGSIZE, then sock_alloc_send_pskb (a pending error, the sender's
  // memory), and only then the peer or the name: ENOTCONN comes last.
  const size_t sndbuf = static_cast<size_t>(limits_.default_sndbuf);
  if (op.size > sndbuf - 32) return Expect(op, obs, -1, EMSGSIZE, "past SO_SNDBUF - 32");
  if (me.reset) {
    me.reset = false;
    return Expect(op, obs, -1, ECONNRESET, "the pending error");
  }
  const size_t low = WmemLow(op.end), high = WmemHigh(op.end);
  if (low >= sndbuf) return Expect(op, obs, -1, EAGAIN, "the send buffer is full");
  if (high >= sndbuf && obs.ret < 0 && obs.err == EAGAIN) return absl::OkStatus();
  if (!to_name && me.peer_id < 0) return Expect(op, obs, -1, ENOTCONN, "no peer");
  int target = -1;
  if (to_name) {
    int err = 0;
    std::string why;
    target = Lookup(op.name, me.type, err, why);
    if (target < 0) return Expect(op, obs, -1, err, why);
  } else {
    target = ById(me.peer_id);
  }
  Sock* other = target < 0 ? nullptr : &socks_[target];
  if (other != nullptr && other->peer_id >= 0 && other->peer_id != me.id) {
    return Expect(op, obs, -1, EPERM, "the receiver is connected elsewhere");
  }
  if (other == nullptr) {
    // The peer died: it is dropped, our queue purged (unix_dgram_sendmsg).
    absl::Status s = Expect(op, obs, -1, ECONNREFUSED, "the peer is closed");
    DgramDisconnected(op.end, me.peer_id);
    me.peer_id = -1;
    me.peer_name = kUnnamed;
    return s;
  }
  if (target != op.end && other->peer_id != me.id &&
      static_cast<int>(other->queue.size()) > limits_.max_dgram_qlen) {
    return Expect(op, obs, -1, EAGAIN, absl::StrCat("the receiver holds max_dgram_qlen + 1 = ",
                                                    limits_.max_dgram_qlen + 1, " datagrams"));
  }
  absl::Status s = Expect(op, obs, static_cast<ssize_t>(op.size), 0, "queued");
  if (obs.ret != static_cast<ssize_t>(op.size)) return s;
  other->queue.push_back({op.end, me.id, next_write_[op.end], op.size});
  next_write_[op.end] += op.size;
  return s;
}

absl::Status World::CheckDgramRecv(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  // read(2) of 0 bytes returns before the protocol (sock_read_iter).
  if (op.call == IoCall::kPlain && op.size == 0) return Expect(op, obs, 0, 0, "read(2) of 0 bytes");
  // __skb_try_recv_datagram reports a pending error before any datagram.
  if (me.reset) {
    me.reset = false;
    return Expect(op, obs, -1, ECONNRESET, "the pending error comes first");
  }
  if (me.queue.empty()) return Expect(op, obs, -1, EAGAIN, "nothing queued");
  const Datagram d = me.queue.front();
  const size_t copied = std::min(d.len, op.size);
  const ssize_t want = static_cast<ssize_t>((op.flags & MSG_TRUNC) ? d.len : copied);
  absl::Status s = Expect(op, obs, want, 0,
                          absl::StrCat("the datagram of ", d.len, " bytes from ",
                                       SocketName(d.sender)));
  if (!s.ok()) return s;
  const int flags = op.call == IoCall::kMsg && d.len > op.size ? MSG_TRUNC : 0;
  if (op.call == IoCall::kMsg && obs.msg_flags != flags) {
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected msg_flags ", MsgFlagsString(flags), ", got ",
        MsgFlagsString(obs.msg_flags)));
  }
  if (op.kind == OpKind::kRecvFrom && obs.value != name_of_id_[d.sender_id]) {
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected it from ", NameString(name_of_id_[d.sender_id]),
        " (", SocketName(d.sender), "), got ", NameString(obs.value)));
  }
  if (!(op.flags & MSG_PEEK)) me.queue.pop_front();
  return internal::CheckContent(op, d.sender, d.offset, obs.data.first(
                                    std::min(obs.data.size(), copied)));
}

absl::Status World::CheckDgramPoll(const ModelOp& op, const Observed& obs) {
  const Sock& me = socks_[op.end];
  short want = 0;
  if (me.reset) want |= POLLERR;
  if (!me.queue.empty()) want |= POLLIN;
  // unix_writable, unless the peer's queue is full and it is not connected
  // back to us.
  const size_t sndbuf = static_cast<size_t>(limits_.default_sndbuf);
  const bool must_out = (WmemHigh(op.end) + 1) * 4 <= sndbuf;
  const bool may_out = (WmemLow(op.end) + 1) * 4 <= sndbuf;
  const int peer = ById(me.peer_id);
  const bool blocked = peer >= 0 && socks_[peer].peer_id != me.id &&
                       static_cast<int>(socks_[peer].queue.size()) > limits_.max_dgram_qlen;
  const short got = obs.revents;
  const bool out_ok = (got & POLLOUT) ? may_out && !blocked : !must_out || blocked;
  if ((got & ~POLLOUT) == want && out_ok) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      op.ToString(), ": expected ", PollEventsString(want),
      blocked ? " (the peer's queue is full)" : " and POLLOUT as memory allows",
      ", got ", PollEventsString(got)));
}

absl::Status World::CheckConnSendTo(const ModelOp& op, const Observed& obs) {
  const Sock& me = socks_[op.end];
  if (me.type == SockType::kStream) {
    // unix_stream_sendmsg refuses an address.
    return me.conn >= 0 ? Expect(op, obs, -1, EISCONN, "connected")
                        : Expect(op, obs, -1, EOPNOTSUPP, "not connected");
  }
  // unix_seqpacket_sendmsg ignores the address: a plain send.
  ModelOp w = ModelOp::Write(op.end, op.size, op.flags, IoCall::kSend);
  return CheckSocketOp(w, obs);
}

absl::Status World::CheckConnRecvFrom(const ModelOp& op, const Observed& obs) {
  const Sock& me = socks_[op.end];
  ModelOp r = ModelOp::Read(op.end, op.size, op.flags, IoCall::kMsg);
  int peer_name = kUnnamed;
  if (me.conn >= 0) {
    const Connection& c = conns_[me.conn];
    peer_name = me.conn_end == 0 ? c.listener_name : name_of_id_[c.connector_id];
  }
  absl::Status s = CheckSocketOp(r, obs);
  if (!s.ok() || obs.ret < 0) return s;
  // The name is the writer's, copied with data; with none read, none.
  if (obs.value == peer_name || (obs.ret == 0 && obs.value == kUnnamed)) return s;
  return absl::FailedPreconditionError(absl::StrCat(
      op.ToString(), ": expected it from ", NameString(peer_name), ", got ",
      NameString(obs.value)));
}

}  // namespace sockspec::model
