#include "harness/model/model_types.h"

#include <poll.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/os/fd.h"

namespace sockspec::model {

int SockTypeValue(SockType type) {
  switch (type) {
    case SockType::kStream:
      return SOCK_STREAM;
    case SockType::kDgram:
      return SOCK_DGRAM;
    case SockType::kSeqpacket:
      return SOCK_SEQPACKET;
  }
  return SOCK_STREAM;
}

const char* SockTypeName(SockType type) {
  switch (type) {
    case SockType::kStream:
      return "SOCK_STREAM";
    case SockType::kDgram:
      return "SOCK_DGRAM";
    case SockType::kSeqpacket:
      return "SOCK_SEQPACKET";
  }
  return "SOCK_?";
}

ModelOp ModelOp::Write(int end, size_t size, int flags, IoCall call) {
  ModelOp op;
  op.kind = OpKind::kWrite;
  op.end = end;
  op.size = size;
  op.flags = call == IoCall::kPlain ? 0 : flags;
  op.call = call;
  return op;
}

ModelOp ModelOp::Read(int end, size_t size, int flags, IoCall call) {
  ModelOp op = Write(end, size, flags, call);
  op.kind = OpKind::kRead;
  return op;
}

ModelOp ModelOp::Shutdown(int end, int how) {
  ModelOp op;
  op.kind = OpKind::kShutdown;
  op.end = end;
  op.how = how;
  return op;
}

ModelOp ModelOp::Close(int end) {
  ModelOp op;
  op.kind = OpKind::kClose;
  op.end = end;
  return op;
}

ModelOp ModelOp::SetSndbuf(int end, int value) {
  ModelOp op;
  op.kind = OpKind::kSetSndbuf;
  op.end = end;
  op.value = value;
  return op;
}

ModelOp ModelOp::Poll(int end) {
  ModelOp op;
  op.kind = OpKind::kPoll;
  op.end = end;
  return op;
}

ModelOp ModelOp::GetError(int end) {
  ModelOp op;
  op.kind = OpKind::kGetError;
  op.end = end;
  return op;
}

ModelOp ModelOp::Inq(int end) {
  ModelOp op;
  op.kind = OpKind::kInq;
  op.end = end;
  return op;
}

ModelOp ModelOp::WriteRights(int end, size_t size, int flags, int rights) {
  ModelOp op = Write(end, size, flags, IoCall::kMsg);
  op.rights = rights;
  return op;
}

ModelOp ModelOp::ReadControl(int end, size_t size, int flags, int control) {
  ModelOp op = Read(end, size, flags, IoCall::kMsg);
  op.control = control;
  return op;
}

ModelOp ModelOp::SetPasscred(int end, int value) {
  ModelOp op;
  op.kind = OpKind::kSetPasscred;
  op.end = end;
  op.value = value;
  return op;
}

ModelOp ModelOp::Epoll(int end) {
  ModelOp op;
  op.kind = OpKind::kEpoll;
  op.end = end;
  return op;
}

ModelOp ModelOp::GetOpt(int end, SockOpt opt) {
  ModelOp op;
  op.kind = OpKind::kGetOpt;
  op.end = end;
  op.value = static_cast<int>(opt);
  return op;
}

ModelOp ModelOp::SetPeekOff(int end, int value) {
  ModelOp op = SetPasscred(end, value);
  op.kind = OpKind::kSetPeekOff;
  return op;
}

int SockOptValue(SockOpt opt) {
  switch (opt) {
    case SockOpt::kSndbuf:
      return SO_SNDBUF;
    case SockOpt::kRcvbuf:
      return SO_RCVBUF;
    case SockOpt::kType:
      return SO_TYPE;
    case SockOpt::kPasscred:
      return SO_PASSCRED;
    case SockOpt::kPeekOff:
      return SO_PEEK_OFF;
    case SockOpt::kDomain:
      return SO_DOMAIN;
  }
  return SO_TYPE;
}

const char* SockOptName(SockOpt opt) {
  switch (opt) {
    case SockOpt::kSndbuf:
      return "SO_SNDBUF";
    case SockOpt::kRcvbuf:
      return "SO_RCVBUF";
    case SockOpt::kType:
      return "SO_TYPE";
    case SockOpt::kPasscred:
      return "SO_PASSCRED";
    case SockOpt::kPeekOff:
      return "SO_PEEK_OFF";
    case SockOpt::kDomain:
      return "SO_DOMAIN";
  }
  return "SO_?";
}

const char* CredsName(Creds c) {
  switch (c) {
    case Creds::kNone:
      return "none";
    case Creds::kSelf:
      return "self";
    case Creds::kNobody:
      return "nobody";
    case Creds::kZero:
      return "zero";
    case Creds::kOther:
      return "other";
    case Creds::kCut:
      return "cut";
  }
  return "?";
}

std::string AncillaryString(const Observed& obs) {
  std::string s;
  if (obs.nfds > 0) {
    std::vector<std::string> tokens;
    for (int i = 0; i < obs.nfds && i < kMaxRights; ++i) {
      tokens.push_back(obs.fd_tokens[i] < kFdTokens
                           ? absl::StrCat(obs.fd_tokens[i])
                           : std::string("?"));
    }
    if (obs.nfds > kMaxRights) tokens.push_back("...");
    absl::StrAppend(&s, " rights(", absl::StrJoin(tokens, ","), ")");
  }
  if (obs.creds != Creds::kNone) {
    absl::StrAppend(&s, " cred(", CredsName(obs.creds));
    if (obs.creds_len != 12) absl::StrAppend(&s, ", ", obs.creds_len, " bytes");
    absl::StrAppend(&s, ")");
  }
  return s;
}

bool SameAncillary(const Observed& x, const Observed& y) {
  if (x.nfds != y.nfds || x.creds != y.creds ||
      (x.creds != Creds::kNone && x.creds_len != y.creds_len)) {
    return false;
  }
  for (int i = 0; i < x.nfds && i < kMaxRights; ++i) {
    if (x.fd_tokens[i] != y.fd_tokens[i]) return false;
  }
  return true;
}

ModelOp ModelOp::Socket(int slot, SockType type) {
  ModelOp op;
  op.kind = OpKind::kSocket;
  op.end = slot;
  op.slot = slot;
  op.value = static_cast<int>(type);
  return op;
}

ModelOp ModelOp::Bind(int end, int name) {
  ModelOp op;
  op.kind = OpKind::kBind;
  op.end = end;
  op.name = name;
  return op;
}

ModelOp ModelOp::Listen(int end, int backlog) {
  ModelOp op;
  op.kind = OpKind::kListen;
  op.end = end;
  op.value = backlog;
  return op;
}

ModelOp ModelOp::Connect(int end, int name) {
  ModelOp op = Bind(end, name);
  op.kind = OpKind::kConnect;
  return op;
}

ModelOp ModelOp::Accept(int end, int slot) {
  ModelOp op;
  op.kind = OpKind::kAccept;
  op.end = end;
  op.slot = slot;
  return op;
}

ModelOp ModelOp::GetName(int end, bool peer) {
  ModelOp op;
  op.kind = OpKind::kGetName;
  op.end = end;
  op.how = peer ? 1 : 0;
  return op;
}

ModelOp ModelOp::SendTo(int end, size_t size, int flags, int name) {
  ModelOp op = Write(end, size, flags, IoCall::kSend);
  op.kind = OpKind::kSendTo;
  op.name = name;
  return op;
}

ModelOp ModelOp::RecvFrom(int end, size_t size, int flags) {
  ModelOp op = Read(end, size, flags, IoCall::kMsg);
  op.kind = OpKind::kRecvFrom;
  return op;
}

ModelOp ModelOp::WriteOob(int end, size_t size, int flags) {
  return Write(end, size, flags | MSG_OOB, IoCall::kSend);
}

ModelOp ModelOp::ReadOob(int end, size_t size, bool peek) {
  return Read(end, size, MSG_OOB | (peek ? MSG_PEEK : 0), IoCall::kMsg);
}

ModelOp ModelOp::AtMark(int end) {
  ModelOp op;
  op.kind = OpKind::kAtMark;
  op.end = end;
  return op;
}

ModelOp ModelOp::SetOobInline(int end, int value) {
  ModelOp op = SetPasscred(end, value);
  op.kind = OpKind::kSetOobInline;
  return op;
}

ModelOp ModelOp::EpollEt(int end) {
  ModelOp op;
  op.kind = OpKind::kEpollEt;
  op.end = end;
  return op;
}

std::string SocketName(int end) {
  if (end < 2) return std::string(1, EndName(end));
  return absl::StrCat("s", end);
}

std::string NameString(int name) {
  if (name == kUnnamed) return "unnamed";
  if (name >= 0 && name < kNames / 2) return absl::StrCat("p", name);
  if (name >= kNames / 2 && name < kNames) return absl::StrCat("a", name - kNames / 2);
  if (name == kAutobind) return "autobind/AF_UNSPEC";
  if (name >= kAutobindOf && name < kAutobindOf + kMaxSockets) {
    return absl::StrCat("autobind(", SocketName(name - kAutobindOf), ")");
  }
  return "unknown";
}

std::string MsgFlagsString(int flags) {
  static constexpr struct {
    int flag;
    const char* name;
  } kNames[] = {{MSG_OOB, "MSG_OOB"},           {MSG_PEEK, "MSG_PEEK"},
                {MSG_TRUNC, "MSG_TRUNC"},
                {MSG_DONTWAIT, "MSG_DONTWAIT"}, {MSG_WAITALL, "MSG_WAITALL"},
                {MSG_NOSIGNAL, "MSG_NOSIGNAL"}, {MSG_EOR, "MSG_EOR"},
                {MSG_CTRUNC, "MSG_CTRUNC"}};
  std::vector<std::string> parts;
  for (const auto& n : kNames) {
    if (flags & n.flag) {
      parts.push_back(n.name);
      flags &= ~n.flag;
    }
  }
  if (flags != 0) parts.push_back(absl::StrCat("0x", absl::Hex(flags)));
  return parts.empty() ? "0" : absl::StrJoin(parts, "|");
}

std::string PollEventsString(short events) {
  static constexpr struct {
    short bit;
    const char* name;
  } kNames[] = {{POLLIN, "POLLIN"},   {POLLPRI, "POLLPRI"},
                {POLLOUT, "POLLOUT"}, {POLLERR, "POLLERR"},
                {POLLHUP, "POLLHUP"}, {POLLNVAL, "POLLNVAL"},
                {POLLRDHUP, "POLLRDHUP"}};
  std::vector<std::string> parts;
  for (const auto& n : kNames) {
    if (events & n.bit) parts.push_back(n.name);
  }
  return parts.empty() ? "0" : absl::StrJoin(parts, "|");
}

std::string ModelOp::ToString() const {
  const std::string e = SocketName(end);
  switch (kind) {
    case OpKind::kWrite:
    case OpKind::kRead: {
      const bool w = kind == OpKind::kWrite;
      const char* name = call == IoCall::kPlain ? (w ? "write" : "read")
                         : call == IoCall::kSend ? (w ? "send" : "recv")
                                                 : (w ? "sendmsg" : "recvmsg");
      if (call == IoCall::kPlain) return absl::StrCat(name, "(", e, ", ", size, ")");
      std::string extra;
      if (w && rights > 0) extra = absl::StrCat(", rights=", rights);
      if (!w && control > 0) extra = absl::StrCat(", control=", control);
      return absl::StrCat(name, "(", e, ", ", size, ", ",
                          MsgFlagsString(flags), extra, ")");
    }
    case OpKind::kShutdown:
      return absl::StrCat("shutdown(", e, ", ",
                          how == SHUT_RD   ? "SHUT_RD"
                          : how == SHUT_WR ? "SHUT_WR"
                                           : "SHUT_RDWR",
                          ")");
    case OpKind::kClose:
      return absl::StrCat("close(", e, ")");
    case OpKind::kSetSndbuf:
      return absl::StrCat("setsockopt(", e, ", SO_SNDBUF, ",
                          value, ")");
    case OpKind::kPoll:
      return absl::StrCat("poll(", e,
                          ", POLLIN|POLLOUT|POLLRDHUP)");
    case OpKind::kGetError:
      return absl::StrCat("getsockopt(", e, ", SO_ERROR)");
    case OpKind::kInq:
      return absl::StrCat("ioctl(", e, ", SIOCINQ)");
    case OpKind::kSetPasscred:
      return absl::StrCat("setsockopt(", e, ", SO_PASSCRED, ", value, ")");
    case OpKind::kSetPeekOff:
      return absl::StrCat("setsockopt(", e, ", SO_PEEK_OFF, ", value, ")");
    case OpKind::kEpoll:
      return absl::StrCat("epoll_wait(", e, ", EPOLLIN|EPOLLOUT|EPOLLRDHUP)");
    case OpKind::kGetOpt:
      return absl::StrCat("getsockopt(", e, ", ",
                          SockOptName(static_cast<SockOpt>(value)), ")");
    case OpKind::kSocket:
      return absl::StrCat("socket(", SockTypeName(static_cast<SockType>(value)),
                          ") -> ", e);
    case OpKind::kBind:
      return absl::StrCat("bind(", e, ", ", NameString(name), ")");
    case OpKind::kListen:
      return absl::StrCat("listen(", e, ", ", value, ")");
    case OpKind::kConnect:
      return absl::StrCat("connect(", e, ", ", NameString(name), ")");
    case OpKind::kAccept:
      return absl::StrCat("accept(", e, ") -> ", SocketName(slot));
    case OpKind::kGetName:
      return absl::StrCat(how == 1 ? "getpeername(" : "getsockname(", e, ")");
    case OpKind::kSendTo:
      return absl::StrCat("sendto(", e, ", ", size, ", ", MsgFlagsString(flags),
                          ", ", NameString(name), ")");
    case OpKind::kRecvFrom:
      return absl::StrCat("recvfrom(", e, ", ", size, ", ",
                          MsgFlagsString(flags), ")");
    case OpKind::kAtMark:
      return absl::StrCat("ioctl(", e, ", SIOCATMARK)");
    case OpKind::kSetOobInline:
      return absl::StrCat("setsockopt(", e, ", SO_OOBINLINE, ", value, ")");
    case OpKind::kEpollEt:
      return absl::StrCat("epoll_wait(", e,
                          ", EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLPRI|EPOLLET)");
  }
  return "?";
}

std::string Observed::ToString(const ModelOp& op) const {
  if (op.kind == OpKind::kPoll || op.kind == OpKind::kEpoll) {
    return PollEventsString(revents);
  }
  if (op.kind == OpKind::kEpollEt && ret >= 0) {
    return ret == 0 ? "0 (no event)" : absl::StrCat("1 ", PollEventsString(revents));
  }
  std::string s = ret < 0 ? absl::StrCat("-1 ", ErrnoName(err))
                          : absl::StrCat(ret);
  if (sigpipe) absl::StrAppend(&s, " + SIGPIPE");
  if ((op.kind == OpKind::kRead || op.kind == OpKind::kRecvFrom) &&
      op.call == IoCall::kMsg && ret >= 0 && msg_flags != 0) {
    absl::StrAppend(&s, " msg_flags=", MsgFlagsString(msg_flags));
  }
  if (op.kind == OpKind::kRead && ret >= 0) absl::StrAppend(&s, AncillaryString(*this));
  if (op.kind == OpKind::kSetSndbuf && ret == 0) {
    absl::StrAppend(&s, " (SO_SNDBUF now ", sndbuf, ")");
  }
  if (op.kind == OpKind::kGetError && ret == 0) {
    absl::StrAppend(&s, " (SO_ERROR ", value == 0 ? "0" : ErrnoName(value), ")");
  }
  if (op.kind == OpKind::kGetName && ret == 0) {
    absl::StrAppend(&s, " (", NameString(value), ")");
  }
  if (op.kind == OpKind::kRecvFrom && ret >= 0) {
    absl::StrAppend(&s, " from ", NameString(value));
  }
  if (op.kind == OpKind::kInq && ret == 0) {
    absl::StrAppend(&s, " (", value, " bytes)");
  }
  if ((op.kind == OpKind::kGetOpt || op.kind == OpKind::kAtMark) && ret == 0) {
    absl::StrAppend(&s, " (", value, ")");
  }
  return s;
}

}  // namespace sockspec::model
