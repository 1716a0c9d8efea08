// The named-socket rules of World (world.h). Each rule follows
// net/unix/af_unix.c of Linux 6.18 and was observed on this machine's kernel.
#include "harness/model/world.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "harness/model/world_internal.h"
#include "harness/os/fd.h"

namespace sockspec::model {

namespace internal {

absl::Status Expect(const ModelOp& op, const Observed& obs, ssize_t ret,
                    int err, absl::string_view why) {
  if (obs.ret == ret && (ret >= 0 || obs.err == err) && !obs.sigpipe) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      op.ToString(), ": expected ",
      ret < 0 ? absl::StrCat("-1 ", ErrnoName(err)) : absl::StrCat(ret), " (",
      why, "), got ", obs.ToString(op)));
}

absl::Status NoRule(const ModelOp& op, const std::string& where) {
  return absl::InternalError(absl::StrCat(
      op.ToString(), ": no rule on ", where,
      " for an OpScope::kAnySocket operation (model_types.h ScopeOf)"));
}

}  // namespace internal

namespace {

using internal::Expect;
using internal::NoRule;

bool IsPath(int name) { return name >= 0 && name < kNames / 2; }

}  // namespace

World::World(SockType pair_type, ModelLimits limits)
    : limits_(limits) {
  conns_.push_back({Model(pair_type, limits), {0, 1}, kUnnamed, 0});
  for (int s = 0; s < 2; ++s) {
    Open(s, pair_type);
    socks_[s].conn = 0;
    socks_[s].conn_end = s;
  }
}

void World::Open(int s, SockType type) {
  socks_[s] = Sock();
  socks_[s].id = next_id_++;
  socks_[s].open = true;
  socks_[s].type = type;
  name_of_id_.push_back(kUnnamed);
}

int World::ById(int id) const {
  for (int s = 0; s < kMaxSockets; ++s) {
    if (socks_[s].open && socks_[s].id == id) return s;
  }
  return -1;
}

void World::NextWrite(int s, int& writer, uint64_t& offset) const {
  writer = s;
  offset = next_write_[s];
  if (socks_[s].conn < 0) return;
  writer = socks_[s].conn_end;
  offset = conns_[socks_[s].conn].model.NextWriteOffset(writer);
}

absl::Status World::Check(const ModelOp& op, const Observed& obs) {
  if (op.end < 0 || op.end >= kMaxSockets) {
    return absl::InvalidArgumentError(
        absl::StrCat(op.ToString(), ": no such socket"));
  }
  // Everything but World's own operations is a socket's (its connection's
  // Model, or the rules of a socket without one: CheckSocketOp).
  if (ScopeOf(op.kind) != OpScope::kWorld) return CheckSocketOp(op, obs);
  if (op.kind == OpKind::kSocket) return CheckSocket(op, obs);
  if (op.kind == OpKind::kBind) return CheckBind(op, obs);
  if (op.kind == OpKind::kListen) return CheckListen(op, obs);
  if (op.kind == OpKind::kConnect) return CheckConnect(op, obs);
  if (op.kind == OpKind::kAccept) return CheckAccept(op, obs);
  if (op.kind == OpKind::kGetName) return CheckGetName(op, obs);
  if (op.kind == OpKind::kSendTo || op.kind == OpKind::kRecvFrom) {
    const Sock& me = socks_[op.end];
    if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
    if (op.kind == OpKind::kSendTo) {
      return me.type == SockType::kDgram ? CheckDgramSend(op, obs)
                                         : CheckConnSendTo(op, obs);
    }
    return me.type == SockType::kDgram ? CheckDgramRecv(op, obs)
                                       : CheckConnRecvFrom(op, obs);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(op.ToString(), ": World has no rule for this operation"));
}

absl::Status World::CheckSocket(const ModelOp& op, const Observed& obs) {
  if (op.slot < 2 || socks_[op.slot].open) {
    return absl::InvalidArgumentError(
        absl::StrCat(op.ToString(), ": the socket is in use"));
  }
  absl::Status s = Expect(op, obs, op.slot, 0, "a new socket");
  if (obs.ret < 0) return s;
  Open(op.slot, static_cast<SockType>(op.value));
  return s;
}

int World::AbstractHolder(int name, SockType type) const {
  for (int s = 0; s < kMaxSockets; ++s) {
    if (socks_[s].open && socks_[s].name == name && socks_[s].type == type) {
      return s;
    }
  }
  return -1;
}

absl::Status World::CheckBind(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
  absl::Status s;
  if (op.name == kAutobind) {
    // unix_autobind returns 0 on a bound socket and keeps its name.
    s = Expect(op, obs, 0, 0, me.name == kUnnamed ? "autobind" : "already bound: kept");
  } else if (IsPath(op.name)) {
    // unix_bind_bsd creates the file first: EEXIST (EADDRINUSE) comes
    // before the bound socket's EINVAL.
    if (path_taken_[op.name]) {
      s = Expect(op, obs, -1, EADDRINUSE, "the socket file exists");
    } else if (me.name != kUnnamed) {
      s = Expect(op, obs, -1, EINVAL, "already bound");
    } else {
      s = Expect(op, obs, 0, 0, "a new pathname");
    }
  } else if (me.name != kUnnamed) {
    s = Expect(op, obs, -1, EINVAL, "already bound");
  } else if (AbstractHolder(op.name, me.type) >= 0) {
    s = Expect(op, obs, -1, EADDRINUSE, "the abstract name is bound");
  } else {
    s = Expect(op, obs, 0, 0, "a free abstract name");
  }
  if (obs.ret == 0 && me.name == kUnnamed) {
    me.name = op.name == kAutobind ? kAutobindOf + op.end : op.name;
    name_of_id_[me.id] = me.name;
    if (IsPath(op.name)) {
      path_taken_[op.name] = true;
      path_owner_[op.name] = op.end;
    }
  }
  return s;
}

absl::Status World::CheckListen(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  absl::Status s;
  if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
  if (me.type == SockType::kDgram) {
    s = Expect(op, obs, -1, EOPNOTSUPP, "a datagram socket");
  } else if (me.name == kUnnamed) {
    s = Expect(op, obs, -1, EINVAL, "not bound");
  } else if (me.conn >= 0) {
    s = Expect(op, obs, -1, EINVAL, "connected");
  } else {
    s = Expect(op, obs, 0, 0, "bound and unconnected");
  }
  if (obs.ret == 0) {
    me.listening = true;
    me.backlog = op.value;
  }
  return s;
}

int World::Lookup(int name, SockType type, int& err, std::string& why) const {
  if (IsPath(name)) {
    const int target = path_owner_[name];
    err = !path_taken_[name] ? ENOENT : target < 0 ? ECONNREFUSED : EPROTOTYPE;
    why = !path_taken_[name] ? "no socket file"
          : target < 0       ? "its socket is closed"
                             : "bound by another socket type";
    return target >= 0 && socks_[target].type == type ? target : -1;
  }
  err = ECONNREFUSED;
  why = "no socket of this type has the name";
  return AbstractHolder(name, type);
}

absl::Status World::CheckConnect(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
  if (me.type == SockType::kDgram) return CheckDgramConnect(op, obs);
  // unix_validate_addr, then unix_find_other, then the listener's state,
  // then our own.
  if (op.name == kUnspec) return Expect(op, obs, -1, EINVAL, "not AF_UNIX");
  int err = 0;
  std::string why;
  const int target = Lookup(op.name, me.type, err, why);
  if (target < 0) return Expect(op, obs, -1, err, why);
  Sock& other = socks_[target];
  if (!other.listening) return Expect(op, obs, -1, ECONNREFUSED, "not listening");
  if (static_cast<int>(other.pending.size()) > other.backlog) {
    return Expect(op, obs, -1, EAGAIN, "backlog + 1 connections are queued");
  }
  if (me.conn >= 0) return Expect(op, obs, -1, EISCONN, "connected");
  if (me.listening) return Expect(op, obs, -1, EINVAL, "listening");
  absl::Status s = Expect(op, obs, 0, 0, "queued at the listener");
  if (obs.ret != 0) return s;
  me.conn = static_cast<int>(conns_.size());
  me.conn_end = 0;
  conns_.push_back({Model(me.type, limits_), {op.end, -1}, other.name, me.id});
  other.pending.push_back(me.conn);
  return s;
}

absl::Status World::CheckAccept(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  if (op.slot < 2 || socks_[op.slot].open) {
    return absl::InvalidArgumentError(
        absl::StrCat(op.ToString(), ": the socket is in use"));
  }
  if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
  if (me.type == SockType::kDgram) {
    return Expect(op, obs, -1, EOPNOTSUPP, "a datagram socket");
  }
  if (!me.listening) return Expect(op, obs, -1, EINVAL, "not listening");
  if (me.pending.empty()) return Expect(op, obs, -1, EAGAIN, "no connection queued");
  absl::Status s = Expect(op, obs, op.slot, 0, "the first queued connection");
  if (obs.ret < 0) return s;
  const int c = me.pending.front();
  me.pending.pop_front();
  Open(op.slot, me.type);
  Sock& n = socks_[op.slot];
  n.name = me.name;  // the embryo took the listener's address
  name_of_id_[n.id] = n.name;
  n.conn = c;
  n.conn_end = 1;
  conns_[c].socks[1] = op.slot;
  return s;
}

absl::Status World::CheckGetName(const ModelOp& op, const Observed& obs) {
  const Sock& me = socks_[op.end];
  if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
  int want = me.name;
  if (op.how == 1 && me.type == SockType::kDgram) {
    // A closed peer stays the peer until a send finds it dead.
    if (me.peer_id < 0) return Expect(op, obs, -1, ENOTCONN, "not connected");
    want = me.peer_name;
  } else if (op.how == 1) {
    if (me.conn < 0) return Expect(op, obs, -1, ENOTCONN, "not connected");
    const Connection& c = conns_[me.conn];
    if (me.conn_end == 0) {
      want = c.listener_name;
    } else {
      want = name_of_id_[c.connector_id];  // kept after the connector closes
    }
  }
  absl::Status s = Expect(op, obs, 0, 0, "a name");
  if (!s.ok()) return s;
  if (obs.value == want) return s;
  return absl::FailedPreconditionError(
      absl::StrCat(op.ToString(), ": expected ", NameString(want), ", got ",
                   NameString(obs.value)));
}

absl::Status World::CheckSocketOp(const ModelOp& op, const Observed& obs) {
  Sock& me = socks_[op.end];
  if (!me.open && op.kind == OpKind::kPoll) {
    // The runner polls fd -1 for it, which poll(2) ignores.
    if (obs.ret == 0 && obs.revents == 0) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected 0 (no such socket: fd -1 is ignored), got ",
        obs.ToString(op)));
  }
  if (!me.open) return Expect(op, obs, -1, EBADF, "no such socket");
  const bool dgram = me.type == SockType::kDgram && op.end >= 2;
  if ((dgram || me.conn < 0) && ScopeOf(op.kind) != OpScope::kAnySocket) {
    // The pair's own operations are not decoded on named sockets (fuzz_ops.h).
    return absl::InvalidArgumentError(
        absl::StrCat(op.ToString(), ": not modelled on ",
                     dgram ? "a named datagram socket" : "a socket without a connection"));
  }
  if (dgram) return CheckDgramOp(op, obs);
  if (me.conn < 0) return CheckLoneSocketOp(op, obs);
  // A connection's Model numbers its ends 0 and 1; its messages say "a"
  // for the connector and "b" for the accepted socket.
  ModelOp inner = op;
  inner.end = me.conn_end;
  absl::Status s = conns_[me.conn].model.Check(inner, obs);
  if (op.kind == OpKind::kClose) Close(op.end);
  if (s.ok() || op.end < 2) return s;
  const Connection& c = conns_[me.conn];
  return absl::FailedPreconditionError(absl::StrCat(
      op.ToString(), ": in the connection of ", SocketName(c.socks[0]),
      " (a) and ", c.socks[1] < 0 ? "its unaccepted peer" : SocketName(c.socks[1]),
      " (b): ", s.message()));
}

absl::Status World::CheckLoneSocketOp(const ModelOp& op, const Observed& obs) {
  const Sock& me = socks_[op.end];
  if (op.kind == OpKind::kWrite) {
    // No peer: unix_stream_sendmsg, unix_seqpacket_sendmsg and
    // unix_dgram_sendmsg all fail ENOTCONN, without SIGPIPE.
    return Expect(op, obs, -1, ENOTCONN, "no peer");
  }
  if (op.kind == OpKind::kRead) {
    // read(2) of 0 bytes returns before the protocol (sock_read_iter).
    if (op.call == IoCall::kPlain && op.size == 0) {
      return Expect(op, obs, 0, 0, "read(2) of 0 bytes");
    }
    switch (me.type) {
      case SockType::kStream:
        return Expect(op, obs, -1, EINVAL, "a stream socket not connected");
      case SockType::kSeqpacket:
        return Expect(op, obs, -1, ENOTCONN, "a seqpacket socket not connected");
      case SockType::kDgram:
        return Expect(op, obs, -1, EAGAIN, "nothing queued");
    }
  }
  if (op.kind == OpKind::kPoll) {
    // unix_poll (stream), unix_dgram_poll (dgram, seqpacket): a
    // listener is readable with a connection queued and never writable;
    // an unconnected stream or seqpacket socket is TCP_CLOSE: POLLHUP.
    short want = 0;
    if (me.listening) {
      if (!me.pending.empty()) want |= POLLIN;
    } else {
      want |= POLLOUT;
      if (me.type != SockType::kDgram) want |= POLLHUP;
    }
    if (obs.revents == want) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected ", PollEventsString(want),
        me.listening ? " (a listener)" : " (not connected)", ", got ",
        PollEventsString(obs.revents)));
  }
  if (op.kind == OpKind::kClose) {
    absl::Status s = Expect(op, obs, 0, 0, "close");
    Close(op.end);
    return s;
  }
  if (op.kind == OpKind::kGetError) {
    Observed want;  // no error is ever set on a socket without a peer
    if (obs.ret == 0 && obs.value == 0) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected ", want.ToString(op), " (no peer), got ",
        obs.ToString(op)));
  }
  if (op.kind == OpKind::kInq) {
    // unix_inq_len: EINVAL on a listener; nothing is queued otherwise.
    if (me.listening) return Expect(op, obs, -1, EINVAL, "a listener");
    absl::Status s = Expect(op, obs, 0, 0, "nothing queued");
    if (!s.ok() || obs.value == 0) return s;
    return absl::FailedPreconditionError(absl::StrCat(
        op.ToString(), ": expected 0 bytes (nothing queued), got ", obs.value));
  }
  return NoRule(op, "a socket without a connection");
}

void World::Close(int s) {
  Sock& me = socks_[s];
  me.open = false;
  me.queue.clear();  // purged: its senders' memory is freed
  for (int& owner : path_owner_) {
    if (owner == s) owner = -1;
  }
  // A listener's queued connections are released as embryos: their
  // connectors are reset (unix_release_sock with embrion set).
  for (int c : me.pending) conns_[c].model.ReleaseEmbryo(1);
  me.pending.clear();
}

}  // namespace sockspec::model
