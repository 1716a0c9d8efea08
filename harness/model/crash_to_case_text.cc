#include "harness/model/crash_to_case_text.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/os/fd.h"

namespace sockspec::internal {
// The reference model's names this file uses.
namespace {
using model::AllowedResult;
using model::FillPattern;
using model::IoCall;
using model::ModelOp;
using model::MsgFlagsString;
using model::Observed;
using model::OpKind;
using model::PollEventsString;
using model::SocketName;
using model::SockType;
using model::SockTypeName;
using model::SockTypeValue;
}  // namespace

namespace {

// Directions whose bytes fit are spelt out (the model's pattern bytes, so
// the case carries exactly the fuzzer's data); longer ones become a generated
// payload of the same length: another content, the same boundaries.
constexpr uint64_t kMaxSpeltBytes = 64 << 10;

std::string Data(const DataAt& at, size_t n) {
  if (n == 0) return "\"\"";
  if (!at.pieces.empty()) {
    std::vector<std::string> slices;
    for (const auto& [offset, len] : at.pieces) {
      slices.push_back(
          absl::StrCat(PayloadName(at.writer), "[", offset, ":", offset + len, "]"));
    }
    return absl::StrJoin(slices, " + ");
  }
  return absl::StrCat(PayloadName(at.writer), "[", at.offset, ":", at.offset + n, "]");
}

// "EPOLLIN|EPOLLOUT", or "0".
std::string EpollEventsString(short events) {
  const std::string poll = PollEventsString(events);
  if (poll == "0") return poll;
  return absl::StrCat("E", absl::StrJoin(absl::StrSplit(poll, '|'), "|E"));
}

// The control messages of a read's answer, binding received fds to the
// names from `*received` on.
std::string AncillaryAnswer(const Observed& o, int* received) {
  std::string s;
  if (o.nfds > 0) {
    std::vector<std::string> fds;
    for (int i = 0; i < o.nfds && i < model::kMaxRights; ++i) {
      fds.push_back(absl::StrCat(ReceivedName(++*received), "=",
                                 o.fd_tokens[i] < model::kFdTokens
                                     ? TokenName(o.fd_tokens[i])
                                     : std::string("t?")));
    }
    absl::StrAppend(&s, " rights(", absl::StrJoin(fds, ", "), ")");
  }
  switch (o.creds) {
    case model::Creds::kNone:
      break;
    case model::Creds::kSelf:
      absl::StrAppend(&s, " cred(P)");
      break;
    case model::Creds::kNobody:
      absl::StrAppend(&s, " cred(pid=0, uid=65534, gid=65534)");
      break;
    case model::Creds::kZero:
      absl::StrAppend(&s, " cred(pid=0, uid=0, gid=0)");
      break;
    case model::Creds::kOther:
    case model::Creds::kCut:
      // Cut short: its length. Someone else's (only a guest's answer can
      // be): the record keeps no ids, so its length too, which the harness
      // rejects for a whole message until the ids are written in.
      absl::StrAppend(&s, " cmsg(SOL_SOCKET, SCM_CREDENTIALS, bytes=", o.creds_len, ")");
      break;
  }
  return s;
}

// getsockopt's value in the shape the case language reads it.
std::string OptAnswer(const ModelOp& op, int value) {
  switch (static_cast<model::SockOpt>(op.value)) {
    case model::SockOpt::kType:
      for (SockType t : {SockType::kStream, SockType::kDgram, SockType::kSeqpacket}) {
        if (SockTypeValue(t) == value) return SockTypeName(t);
      }
      break;
    case model::SockOpt::kDomain:
      if (value == AF_UNIX) return "AF_UNIX";
      break;
    case model::SockOpt::kSndbuf:
    case model::SockOpt::kRcvbuf:
    case model::SockOpt::kPasscred:
    case model::SockOpt::kPeekOff:
      break;
  }
  return absl::StrCat(value);
}

}  // namespace

std::string PayloadName(int writer) {
  if (writer < 2) return writer == 0 ? "from_a" : "from_b";
  return absl::StrCat("from_", SocketName(writer));
}

std::string PayloadLine(int writer, uint64_t extent) {
  if (extent > kMaxSpeltBytes) {
    return absl::StrFormat(
        "# %s: %d bytes, too many to spell out; the harness's own bytes\n"
        "payload %s = %d\n",
        PayloadName(writer), extent, PayloadName(writer), extent);
  }
  std::vector<uint8_t> bytes(extent);
  FillPattern(writer, 0, bytes.data(), bytes.size());
  std::string s = absl::StrCat("payload ", PayloadName(writer), " = \"");
  for (uint8_t b : bytes) absl::StrAppendFormat(&s, "\\x%02x", b);
  return s + "\"\n";
}

std::string TokenName(int t) { return absl::StrCat("t", t); }

std::string ReceivedName(int n) { return absl::StrCat("g", n); }

std::string AddressName(int name) {
  if (name == model::kUnnamed || name == model::kAutobind) return "unnamed";
  if (name >= 0 && name < model::kNames / 2) return absl::StrCat("path(\"p", name, "\")");
  if (name >= model::kNames / 2 && name < model::kNames) {
    return absl::StrCat("abstract(\"a", name - model::kNames / 2, "\")");
  }
  // Which socket autobound to it, the case language does not say: a
  // name the kernel picked is `autobind`.
  if (name >= model::kAutobindOf && name < model::kAutobindOf + model::kMaxSockets) {
    return "autobind";
  }
  return "";
}

std::string Call(const ModelOp& op, const std::string& e, DataAt at) {
  const std::string flags = MsgFlagsString(op.flags);
  if (op.kind == OpKind::kSendTo) {
    return absl::StrFormat("sendto(%s, %s, %s, %s)", e, Data(at, op.size), flags,
                           AddressName(op.name));
  }
  if (op.kind == OpKind::kRecvFrom) {
    // ops_fuzzer's recvfrom is recvmsg(2) with msg_name (fuzz_sockets.cc).
    return absl::StrFormat("recvmsg(%s, %d, %s)", e, op.size, flags);
  }
  if (op.kind == OpKind::kWrite) {
    const std::string data = Data(at, op.size);
    if (op.call == IoCall::kPlain) return absl::StrFormat("write(%s, %s)", e, data);
    std::string rights;
    if (op.rights > 0) {
      std::vector<std::string> names;
      for (int i = 0; i < op.rights; ++i) {
        names.push_back(TokenName(model::RightsToken(at.offset, i)));
      }
      rights = absl::StrCat(", rights(", absl::StrJoin(names, ", "), ")");
    }
    return absl::StrFormat("%s(%s, %s, %s%s)",
                           op.call == IoCall::kSend ? "send" : "sendmsg", e,
                           data, flags, rights);
  }
  if (op.call == IoCall::kPlain) return absl::StrFormat("read(%s, %d)", e, op.size);
  return absl::StrFormat("%s(%s, %d, %s%s)",
                         op.call == IoCall::kSend ? "recv" : "recvmsg", e,
                         op.size, flags,
                         op.control > 0 ? absl::StrCat(", control=", op.control)
                                        : std::string());
}

std::string Answer(const ModelOp& op, DataAt at, const Observed& o,
                   ssize_t max_ret, int* received) {
  int own = 0;
  if (received == nullptr) received = &own;
  if (op.kind == OpKind::kPoll) return PollEventsString(o.revents);
  if (op.kind == OpKind::kEpoll || (op.kind == OpKind::kEpollEt && o.ret >= 0)) {
    return o.revents == 0 ? "0"
                          : absl::StrCat("events(", SocketName(op.end), "=",
                                         EpollEventsString(o.revents), ")");
  }
  if (op.kind == OpKind::kGetOpt && o.ret == 0) return OptAnswer(op, o.value);
  if (o.ret < 0) {
    return absl::StrCat(ErrnoName(o.err), o.sigpipe ? " signal SIGPIPE" : "");
  }
  // The answers that are more than a count.
  if (op.kind == OpKind::kGetError) {
    // SO_ERROR's value is an errno: `errno(ECONNRESET)`, or 0 for none.
    return o.value != 0
               ? absl::StrCat("errno(", ErrnoName(static_cast<int>(o.value)), ")")
               : "0";
  }
  if (op.kind == OpKind::kInq || op.kind == OpKind::kAtMark) return absl::StrCat(o.value);
  if (op.kind == OpKind::kSocket || op.kind == OpKind::kAccept) return SocketName(op.slot);
  if (op.kind == OpKind::kGetName) return AddressName(o.value);
  if (op.kind == OpKind::kRead || op.kind == OpKind::kRecvFrom) {
    const size_t copied = std::min(static_cast<size_t>(o.ret), op.size);
    std::string s;
    if (copied == static_cast<size_t>(o.ret)) {
      s = copied == 0 ? "0" : Data(at, copied);
    } else {
      s = absl::StrCat(o.ret, " ", Data(at, copied));
    }
    if (op.call == IoCall::kMsg) {
      absl::StrAppend(&s, " flags ", MsgFlagsString(o.msg_flags),
                      AncillaryAnswer(o, received));
    }
    if (op.kind == OpKind::kRecvFrom) absl::StrAppend(&s, " from ", AddressName(o.value));
    return s;
  }
  return max_ret > o.ret ? absl::StrCat(o.ret, "..", max_ret) : absl::StrCat(o.ret);
}

std::string Answers(const ModelOp& op, DataAt at,
                    const std::vector<AllowedResult>& allowed, int* received) {
  std::vector<std::string> parts;
  const int first = *received;
  for (const AllowedResult& a : allowed) {
    // Each alternative binds the same names.
    int n = first;
    parts.push_back(Answer(op, at, a.result, a.max_ret, &n));
    *received = std::max(*received, n);
  }
  return parts.empty() ? "EINVAL  # the model allows nothing" : absl::StrJoin(parts, " or ");
}

std::string Covers(SockType type, const ModelOp& op, const Observed& obs,
                   const std::vector<AllowedResult>& allowed) {
  const auto allows = [&](int err) {
    for (const AllowedResult& a : allowed) {
      if (a.result.ret < 0 && a.result.err == err) return true;
    }
    return obs.ret < 0 && obs.err == err;
  };
  switch (op.kind) {
    case OpKind::kRead:
    case OpKind::kRecvFrom:
      if (op.flags & MSG_OOB) return "B48";
      // A DGRAM read of 0 is a zero-length message (DGRAM has no EOF).
      if (type == SockType::kDgram && (obs.ret == 0 || op.size == 0)) return "B09";
      if (allows(ECONNRESET)) return "B16";
      for (const AllowedResult& a : allowed) {
        if (a.result.ret == 0 && op.size > 0) return "B14";
      }
      if (op.flags & MSG_PEEK) return "B12";
      if (type == SockType::kStream) {
        return (op.flags & MSG_WAITALL) ? "B11" : "B05";
      }
      if (op.flags & MSG_TRUNC) return "B08";
      for (const AllowedResult& a : allowed) {
        if (a.result.msg_flags & MSG_TRUNC) return "B07";
      }
      if (op.kind == OpKind::kRecvFrom) return "B38";
      return obs.msg_flags & MSG_TRUNC ? "B07" : "B04";
    case OpKind::kWrite:
    case OpKind::kSendTo:
      if (op.flags & MSG_OOB) return "B48";
      if (type != SockType::kStream && op.size == 0) return "B09";
      if (allows(EPIPE)) return type == SockType::kStream ? "B19" : "B21";
      if (allows(ECONNREFUSED)) return "B20";
      if (allows(EMSGSIZE)) return "B10";
      if (op.kind == OpKind::kSendTo) return type == SockType::kDgram ? "B38" : "B37";
      return "B13";
    case OpKind::kPoll:
    case OpKind::kEpoll:
      return "B24";
    case OpKind::kShutdown:
      return "B21";
    case OpKind::kClose:
      return "B14";
    case OpKind::kSetSndbuf:
    case OpKind::kSetPasscred:
    case OpKind::kSetPeekOff:
    case OpKind::kGetOpt:
      return "B10";
    case OpKind::kGetError:
      return "B16";
    case OpKind::kInq:
      return "B49";
    case OpKind::kSocket:
      return "B03";
    case OpKind::kBind:
      if (op.name == model::kAutobind) return "B28";
      return op.name < model::kNames / 2 ? "B25" : "B27";
    case OpKind::kListen:
      return "B30";
    case OpKind::kConnect:
      return allows(EAGAIN) ? "B32" : "B34";
    case OpKind::kAccept:
      return "B36";
    case OpKind::kGetName:
      return "B29";
    case OpKind::kAtMark:
    case OpKind::kSetOobInline:
      return "B48";
    case OpKind::kEpollEt:
      return "B101";
  }
  return "B13";
}

}  // namespace sockspec::internal
