// The signature of a difference between host and guest (fuzz_diff.h): what
// groups findings in triage. Answers are reduced to classes (an errno, "all",
// "part", "short", "EOF", ...) so that the same divergence met with other
// sizes falls into one group.
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "harness/model/fuzz_diff.h"
#include "harness/os/fd.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::ModelOp;
using model::MsgFlagsString;
using model::OpKind;
using model::PollEventsString;
using model::SockTypeName;
}  // namespace

namespace {

// The operation, coarse: the entry point (send, write, sendmsg) and flags
// other than MSG_PEEK do not split a group; a zero-length transfer does.
std::string OpName(const ModelOp& op) {
  switch (op.kind) {
    case OpKind::kWrite:
      return absl::StrCat(op.size == 0 ? "write[0 bytes]" : "write",
                          op.rights > 0 ? "[SCM_RIGHTS]" : "",
                          (op.flags & MSG_OOB) ? "[MSG_OOB]" : "");
    case OpKind::kRead:
      return absl::StrCat("read", op.size == 0 ? "[0 bytes]" : "",
                          (op.flags & MSG_OOB) ? "[MSG_OOB]" : "",
                          (op.flags & MSG_PEEK) ? "[MSG_PEEK]" : "",
                          op.control > 0 ? "[control]" : "");
    case OpKind::kShutdown:
      return op.how == SHUT_RD   ? "shutdown[SHUT_RD]"
             : op.how == SHUT_WR ? "shutdown[SHUT_WR]"
                                 : "shutdown[SHUT_RDWR]";
    case OpKind::kClose:
      return "close";
    case OpKind::kSetSndbuf:
      return "setsockopt[SO_SNDBUF]";
    case OpKind::kPoll:
      return "poll";
    case OpKind::kGetError:
      return "getsockopt[SO_ERROR]";
    case OpKind::kInq:
      return "ioctl[SIOCINQ]";
    case OpKind::kSetPasscred:
      return "setsockopt[SO_PASSCRED]";
    case OpKind::kSetPeekOff:
      return "setsockopt[SO_PEEK_OFF]";
    case OpKind::kEpoll:
      return "epoll_wait";
    case OpKind::kGetOpt:
      return absl::StrCat("getsockopt[",
                          model::SockOptName(static_cast<model::SockOpt>(op.value)),
                          "]");
    case OpKind::kSocket:
      return absl::StrCat("socket[", SockTypeName(static_cast<model::SockType>(op.value)), "]");
    case OpKind::kBind:
    case OpKind::kConnect:
      // Name kAutobind is kUnspec to connect: the family alone, AF_UNSPEC.
      return absl::StrCat(op.kind == OpKind::kBind ? "bind[" : "connect[",
                          op.name == model::kAutobind
                              ? (op.kind == OpKind::kBind ? "autobind" : "AF_UNSPEC")
                          : op.name < model::kNames / 2 ? "path"
                                                        : "abstract",
                          "]");
    case OpKind::kListen:
      return "listen";
    case OpKind::kAccept:
      return "accept";
    case OpKind::kGetName:
      return op.how == 1 ? "getpeername" : "getsockname";
    case OpKind::kSendTo:
      return op.size == 0 ? "sendto[0 bytes]" : "sendto";
    case OpKind::kRecvFrom:
      return op.size == 0 ? "recvfrom[0 bytes]" : "recvfrom";
    case OpKind::kAtMark:
      return "ioctl[SIOCATMARK]";
    case OpKind::kSetOobInline:
      return "setsockopt[SO_OOBINLINE]";
    case OpKind::kEpollEt:
      return "epoll_wait[EPOLLET]";
  }
  return "?";
}

// The type of the socket operation `step` acts on: the pair's, or what
// socket() made (an accepted socket is of its listener's type).
model::SockType TypeAt(const OpsProgram& program, size_t step) {
  model::SockType types[model::kMaxSockets];
  std::fill(std::begin(types), std::end(types), program.type);
  for (size_t i = 0; i < step; ++i) {
    const ModelOp& op = program.ops[i];
    if (op.kind == OpKind::kSocket) types[op.slot] = static_cast<model::SockType>(op.value);
    if (op.kind == OpKind::kAccept) types[op.slot] = types[op.end];
  }
  return types[program.ops[step].end];
}

std::string AnswerClass(model::SockType type, const ModelOp& op,
                        const OpRecord& r, const SideFacts& facts) {
  if (op.kind == OpKind::kPoll || op.kind == OpKind::kEpoll) {
    return PollEventsString(r.revents);
  }
  if (r.ret < 0) {
    return absl::StrCat(ErrnoName(r.err), r.sigpipe ? "+SIGPIPE" : "");
  }
  const uint64_t ret = static_cast<uint64_t>(r.ret);
  switch (op.kind) {
    case OpKind::kWrite:
      return ret == op.size ? "all" : "part";
    case OpKind::kRead: {
      // 0 is end of file on a stream, maybe an empty message otherwise.
      const bool stream = type == model::SockType::kStream;
      return ret == 0 && op.size > 0 && stream ? "EOF"
             : ret == 0                      ? "0"
             : ret < op.size                 ? "short"
             : ret == op.size                ? "full"
                                             : "real-length";
    }
    case OpKind::kSetSndbuf: {
      const int64_t want = SndbufPerLimits(op.value, facts);
      if (r.sndbuf == want) return "per-limits";
      if (r.sndbuf == op.value) return "as-set";
      return r.sndbuf < want ? "below" : "above";
    }
    case OpKind::kGetError:
      return r.value == 0 ? "0" : ErrnoName(r.value);
    case OpKind::kInq:
      return r.value == 0 ? "0" : "bytes";
    case OpKind::kGetOpt:
      return "value";
    case OpKind::kGetName:
      return model::NameString(r.value);
    case OpKind::kSendTo:
      return ret == op.size ? "all" : "part";
    case OpKind::kRecvFrom:
      return absl::StrCat(ret == 0 ? "0" : ret < op.size ? "short" : "full",
                          " from ", model::NameString(r.value));
    case OpKind::kSocket:
    case OpKind::kBind:
    case OpKind::kListen:
    case OpKind::kConnect:
    case OpKind::kAccept:
    case OpKind::kSetPasscred:
    case OpKind::kSetPeekOff:
    case OpKind::kEpoll:
    case OpKind::kShutdown:
    case OpKind::kClose:
    case OpKind::kPoll:
    case OpKind::kSetOobInline:
      break;
    case OpKind::kAtMark:
      return r.value == 0 ? "0" : "at-mark";
    case OpKind::kEpollEt:
      return ret == 0 ? "no-event" : PollEventsString(r.revents);
  }
  return "0";
}

}  // namespace

int64_t SndbufPerLimits(int value, const SideFacts& facts) {
  const int64_t capped = std::min<int64_t>(static_cast<uint32_t>(value), facts.wmem_max);
  return std::max<int64_t>(2 * capped, facts.min_sndbuf);
}

bool SameResult(const ModelOp& op, const OpRecord& host, const OpRecord& guest,
                const SideFacts& host_facts, const SideFacts& guest_facts) {
  if (memcmp(&host, &guest, sizeof host) == 0) return true;
  if (host.ret != guest.ret) return false;
  // Each side as its own limits say (the minimum differs: 4608 on Linux,
  // 4096 in gVisor) is the same answer, set or read back: a SO_SNDBUF read
  // back that is each side's own minimum, or its own default.
  if (op.kind == OpKind::kGetOpt &&
      static_cast<model::SockOpt>(op.value) == model::SockOpt::kSndbuf) {
    return (host.value == host_facts.min_sndbuf && guest.value == guest_facts.min_sndbuf) ||
           (host.value == host_facts.default_sndbuf &&
            guest.value == guest_facts.default_sndbuf);
  }
  if (op.kind != OpKind::kSetSndbuf) return false;
  return host.sndbuf == SndbufPerLimits(op.value, host_facts) &&
         guest.sndbuf == SndbufPerLimits(op.value, guest_facts);
}

std::string DiffSignature(const OpsProgram& program, size_t step,
                          const OpRecord& host, const OpRecord& guest,
                          const SideFacts& host_facts,
                          const SideFacts& guest_facts) {
  const ModelOp& op = program.ops[step];
  const model::SockType type = TypeAt(program, step);
  const std::string h = AnswerClass(type, op, host, host_facts);
  const std::string g = AnswerClass(type, op, guest, guest_facts);
  std::string s = absl::StrCat(OpName(op), " ", SockTypeName(type),
                               ": host ", h, ", guest ", g);
  if (h == g) {
    // Same class: say what differs within it.
    absl::StrAppend(&s, host.ret != guest.ret           ? " (count differs)"
                        : host.data_hash != guest.data_hash ? " (data differs)"
                        : host.msg_flags != guest.msg_flags ? " (msg_flags differ)"
                        : host.sigpipe != guest.sigpipe ? " (SIGPIPE differs)"
                        : host.sndbuf != guest.sndbuf   ? " (SO_SNDBUF differs)"
                        : host.value != guest.value     ? " (value differs)"
                        : host.nfds != guest.nfds       ? " (fds differ)"
                        : host.creds != guest.creds || host.creds_len != guest.creds_len
                            ? " (credentials differ)"
                        : memcmp(host.fd_tokens, guest.fd_tokens, sizeof host.fd_tokens) != 0
                            ? " (fds differ)"
                                                        : " (differs)");
  }
  return s;
}

}  // namespace sockspec
