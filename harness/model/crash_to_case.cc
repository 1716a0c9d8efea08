#include "harness/model/crash_to_case.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/os/fd.h"
#include "harness/model/fuzz_diff.h"
#include "harness/model/fuzz_ops.h"
#include "harness/lang/payload.h"
#include "harness/plan/quote.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::AllowedResult;
using model::EndName;
using model::FillPattern;
using model::IoCall;
using model::Model;
using model::ModelLimits;
using model::ModelOp;
using model::MsgFlagsString;
using model::Observed;
using model::OpKind;
using model::PollEventsString;
using model::SockType;
using model::SockTypeName;
using model::SockTypeValue;
}  // namespace

namespace {

// Directions whose bytes fit are spelt out (the model's pattern bytes, so
// the case carries exactly the fuzzer's data); longer ones become a generated
// payload of the same length: another content, the same boundaries.
constexpr uint64_t kMaxSpeltBytes = 64 << 10;
// The case language's cap on all data a case sends or expects, with room.
constexpr uint64_t kMaxCaseData = 60ull << 20;

// One replayed operation: what it was, where its data sits in the writer's
// stream, what the kernel said, and (at the divergent step) what the model
// allows.
struct Step {
  ModelOp op;
  uint64_t offset = 0;  // write: NextWriteOffset; read: NextReadOffset
  Observed obs;         // obs.data is not kept
  std::vector<AllowedResult> allowed;
};

const char* PayloadName(int writer) { return writer == 0 ? "from_a" : "from_b"; }

std::string Data(int writer, uint64_t offset, size_t n) {
  if (n == 0) return "\"\"";
  return absl::StrCat(PayloadName(writer), "[", offset, ":", offset + n, "]");
}

// The case's name for fd token `t` (model::RightsToken): the read end of a
// pipe the prologue opens.
std::string TokenName(int t) { return absl::StrCat("t", t); }

std::string Call(const ModelOp& op, uint64_t offset) {
  const char e = EndName(op.end);
  const std::string flags = MsgFlagsString(op.flags);
  if (op.kind == OpKind::kWrite) {
    const std::string data = Data(op.end, offset, op.size);
    if (op.call == IoCall::kPlain) return absl::StrFormat("write(%c, %s)", e, data);
    std::string rights;
    if (op.rights > 0) {
      std::vector<std::string> names;
      for (int i = 0; i < op.rights; ++i) {
        names.push_back(TokenName(model::RightsToken(offset, i)));
      }
      rights = absl::StrCat(", rights(", absl::StrJoin(names, ", "), ")");
    }
    return absl::StrFormat("%s(%c, %s, %s%s)",
                           op.call == IoCall::kSend ? "send" : "sendmsg", e,
                           data, flags, rights);
  }
  if (op.call == IoCall::kPlain) return absl::StrFormat("read(%c, %d)", e, op.size);
  return absl::StrFormat("%s(%c, %d, %s%s)",
                         op.call == IoCall::kSend ? "recv" : "recvmsg", e,
                         op.size, flags,
                         op.control > 0 ? absl::StrCat(", control=", op.control)
                                        : std::string());
}

// "EPOLLIN|EPOLLOUT", or "0".
std::string EpollEventsString(short events) {
  const std::string poll = PollEventsString(events);
  if (poll == "0") return poll;
  return absl::StrCat("E", absl::StrJoin(absl::StrSplit(poll, '|'), "|E"));
}

// A received fd's name: g1, g2... in the order the case receives them.
std::string ReceivedName(int n) { return absl::StrCat("g", n); }

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

// One answer in the case language. `max_ret` > ret makes a write's range.
// Fds a read receives are bound to names from `*received` on (nullptr: a
// counter of its own).
std::string Answer(const ModelOp& op, uint64_t offset, const Observed& o,
                   ssize_t max_ret, int* received = nullptr) {
  int own = 0;
  if (received == nullptr) received = &own;
  if (op.kind == OpKind::kPoll) return PollEventsString(o.revents);
  if (op.kind == OpKind::kEpoll) {
    return o.revents == 0 ? "0"
                          : absl::StrCat("events(", std::string(1, EndName(op.end)), "=",
                                         EpollEventsString(o.revents), ")");
  }
  if (op.kind == OpKind::kGetOpt && o.ret == 0) return OptAnswer(op, o.value);
  if (o.ret < 0) {
    return absl::StrCat(ErrnoName(o.err), o.sigpipe ? " signal SIGPIPE" : "");
  }
  // SO_ERROR's value is an errno: `errno(ECONNRESET)`, or 0 for none.
  if (op.kind == OpKind::kGetError && o.value != 0) {
    return absl::StrCat("errno(", ErrnoName(static_cast<int>(o.value)), ")");
  }
  if (op.kind == OpKind::kGetError || op.kind == OpKind::kInq) {
    return absl::StrCat(o.value);
  }
  if (op.kind != OpKind::kRead) {
    return max_ret > o.ret ? absl::StrCat(o.ret, "..", max_ret)
                           : absl::StrCat(o.ret);
  }
  const size_t copied = std::min(static_cast<size_t>(o.ret), op.size);
  std::string s;
  if (copied == static_cast<size_t>(o.ret)) {
    s = copied == 0 ? "0" : Data(1 - op.end, offset, copied);
  } else {
    s = absl::StrCat(o.ret, " ", Data(1 - op.end, offset, copied));
  }
  if (op.call == IoCall::kMsg) {
    absl::StrAppend(&s, " flags ", MsgFlagsString(o.msg_flags),
                    AncillaryAnswer(o, received));
  }
  return s;
}

std::string Answers(const Step& s, int* received) {
  std::vector<std::string> parts;
  const int first = *received;
  for (const AllowedResult& a : s.allowed) {
    // Each alternative binds the same names.
    int n = first;
    parts.push_back(Answer(s.op, s.offset, a.result, a.max_ret, &n));
    *received = std::max(*received, n);
  }
  return parts.empty() ? "EINVAL  # the model allows nothing" : absl::StrJoin(parts, " or ");
}

// The behaviour the divergent step is about (cases/behaviours.tsv).
std::string Covers(SockType type, const Step& s) {
  const auto allows = [&](int err) {
    for (const AllowedResult& a : s.allowed) {
      if (a.result.ret < 0 && a.result.err == err) return true;
    }
    return s.obs.ret < 0 && s.obs.err == err;
  };
  const ModelOp& op = s.op;
  switch (op.kind) {
    case OpKind::kRead:
      // A DGRAM read of 0 is a zero-length message (DGRAM has no EOF).
      if (type == SockType::kDgram && (s.obs.ret == 0 || op.size == 0)) return "B09";
      if (allows(ECONNRESET)) return "B16";
      for (const AllowedResult& a : s.allowed) {
        if (a.result.ret == 0 && op.size > 0) return "B14";
      }
      if (op.flags & MSG_PEEK) return "B12";
      if (type == SockType::kStream) {
        return (op.flags & MSG_WAITALL) ? "B11" : "B05";
      }
      if (op.flags & MSG_TRUNC) return "B08";
      for (const AllowedResult& a : s.allowed) {
        if (a.result.msg_flags & MSG_TRUNC) return "B07";
      }
      return s.obs.msg_flags & MSG_TRUNC ? "B07" : "B04";
    case OpKind::kWrite:
      if (type != SockType::kStream && op.size == 0) return "B09";
      if (allows(EPIPE)) return type == SockType::kStream ? "B19" : "B21";
      if (allows(ECONNREFUSED)) return "B20";
      if (allows(EMSGSIZE)) return "B10";
      return "B13";
    case OpKind::kPoll:
      return "B24";
    case OpKind::kShutdown:
      return "B21";
    case OpKind::kClose:
      return "B14";
    case OpKind::kSetSndbuf:
      return "B10";
    case OpKind::kGetError:
      return "B16";
    case OpKind::kInq:
      return "B49";
    case OpKind::kSetPasscred:
    case OpKind::kSetPeekOff:
    case OpKind::kGetOpt:
      return "B10";
    case OpKind::kEpoll:
      return "B24";
    case OpKind::kSocket:
    case OpKind::kBind:
    case OpKind::kListen:
    case OpKind::kConnect:
    case OpKind::kAccept:
    case OpKind::kGetName:
    case OpKind::kSendTo:
    case OpKind::kRecvFrom:
    case OpKind::kAtMark:  // and with version 5's out-of-band operations
    case OpKind::kSetOobInline:
    case OpKind::kEpollEt:
      break;  // ProgramToCase refuses programs with named sockets
  }
  return "B13";
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

}  // namespace

absl::StatusOr<Conversion> CrashToCase(absl::Span<const uint8_t> input,
                                       const CrashToCaseOptions& options,
                                       ModelLimits limits) {
  return ProgramToCase(DecodeOps(input), input, options, limits);
}

absl::StatusOr<Conversion> ProgramToCase(const OpsProgram& program,
                                         absl::Span<const uint8_t> input,
                                         const CrashToCaseOptions& options,
                                         ModelLimits limits) {
  const std::string& fuzzer = options.fuzzer;
  for (const ModelOp& op : program.ops) {
    if (op.end >= 2 || op.kind == OpKind::kSocket || op.kind == OpKind::kSendTo ||
        op.kind == OpKind::kRecvFrom) {
      return absl::UnimplementedError(absl::StrCat(
          "named-socket operations (", op.ToString(),
          ") are not turned into case files yet"));
    }
    if ((op.flags & MSG_OOB) || op.kind == OpKind::kAtMark ||
        op.kind == OpKind::kSetOobInline || op.kind == OpKind::kEpollEt) {
      return absl::UnimplementedError(absl::StrCat(
          "out-of-band and edge-triggered operations (", op.ToString(),
          ") are not turned into case files yet"));
    }
  }
  int raw[2];
  if (socketpair(AF_UNIX, SockTypeValue(program.type) | SOCK_NONBLOCK | SOCK_CLOEXEC,
                 0, raw) != 0) {
    return absl::InternalError(ErrnoStatus("socketpair()", errno).message());
  }
  UniqueFd fds[2] = {UniqueFd(raw[0]), UniqueFd(raw[1])};
  std::vector<uint8_t> wbuf(kMaxOpSize), rbuf(kMaxOpSize);
  Model model(program.type, limits);
  Conversion conv;
  std::vector<Step> steps;
  uint64_t extent[2] = {0, 0}, data_total = 0;
  const bool guest = !options.guest_answers.empty();
  for (const ModelOp& op : program.ops) {
    if (steps.size() >= options.max_steps) break;
    Step s;
    s.op = op;
    if (op.kind == OpKind::kWrite) {
      s.offset = model.NextWriteOffset(op.end);
      FillPattern(op.end, s.offset, wbuf.data(), op.size);
      extent[op.end] = std::max(extent[op.end], s.offset + op.size);
      data_total += op.size;
    } else if (op.kind == OpKind::kRead) {
      s.offset = model.ReadOffset(op);
    }
    const Model before = model;
    const int fd = op.kind == OpKind::kClose ? fds[op.end].release() : fds[op.end].get();
    s.obs = ExecuteOp(op, fd, wbuf.data(), rbuf.data(), model.NextWriteOffset(op.end));
    const absl::Status verdict = model.Check(op, s.obs);
    s.obs.data = {};
    if (op.kind == OpKind::kRead && s.obs.ret > 0) {
      data_total += std::min(static_cast<size_t>(s.obs.ret), op.size);
    }
    if (!verdict.ok()) {
      conv.diverged = true;
      conv.reason = std::string(verdict.message());
      s.allowed = before.AllowedResults(op);
      for (const AllowedResult& a : s.allowed) {
        if (op.kind == OpKind::kRead && a.result.ret > 0) {
          data_total += std::min(static_cast<size_t>(a.result.ret), op.size);
        }
      }
    }
    if (guest && !conv.diverged && steps.size() + 1 == std::min(options.max_steps, program.ops.size())) {
      s.allowed = before.AllowedResults(op);  // for Covers only
    }
    steps.push_back(std::move(s));
    if (conv.diverged) break;
  }
  conv.steps = steps.size();
  // The guest's answer belongs to the last step, unless the host diverged
  // from the model earlier (then that step ends the case, as without one).
  const bool guest_step = guest && !conv.diverged && !steps.empty() &&
                          steps.size() == std::min(options.max_steps, program.ops.size());
  if (std::max(extent[0], extent[1]) > static_cast<uint64_t>(kMaxPayloadBytes) ||
      data_total > kMaxCaseData) {
    return absl::OutOfRangeError(absl::StrFormat(
        "the case would carry %d bytes of data (payloads of %d and %d bytes): "
        "past the case language's limits",
        data_total, extent[0], extent[1]));
  }

  const std::string type = SockTypeName(program.type);
  std::string title = options.title;
  if (title.empty()) {
    title = guest_step ? absl::StrCat(options.guest_platform, " differs at ",
                                      steps.back().op.ToString())
            : conv.diverged ? absl::StrCat("Found by ", fuzzer, ": ", conv.reason)
                          : absl::StrCat(fuzzer, " input without divergence (",
                                         type, ", ", steps.size(), " operations)");
  }
  std::string text = absl::StrFormat(
      "# Made by fuzz/crash_to_case from an input of fuzz/%s (%s, %d of %d "
      "operations).\n"
      "# Each step expects what the kernel answered and the reference model\n"
      "# (harness/model.h) allowed%s.\n",
      fuzzer, type, steps.size(), program.ops.size(),
      conv.diverged ? ", except the last, which expects what the model allows"
                    : "");
  if (guest_step) {
    absl::StrAppendFormat(&text,
                          "# The last step differs on %s: its `on %s` line is "
                          "the answer seen there\n# (fuzz/ops_triage, "
                          "differential mode).\n",
                          options.guest_platform, options.guest_platform);
  }
  absl::StrAppend(&text, "title ", QuoteLiteral(title), "\n");
  std::string covers = options.covers;
  if (covers.empty()) {
    covers = conv.diverged || guest_step ? Covers(program.type, steps.back()) : "B13";
  }
  absl::StrAppend(&text, "covers ", covers, "\n");
  absl::StrAppend(&text, "source ",
                  QuoteLiteral(options.source.empty()
                                   ? absl::StrCat("fuzz/", fuzzer, " input ", Sha1Hex(input))
                                   : options.source),
                  "\n\n");
  for (int w = 0; w < 2; ++w) {
    if (extent[w] > 0) absl::StrAppend(&text, PayloadLine(w, extent[w]));
  }
  absl::StrAppend(&text, "\nsocketpair(AF_UNIX, ", type, "|SOCK_NONBLOCK) = a, b\n",
                  "peer P holds a, b\n\n");
  // The fds writes pass are pipes' read ends (fuzz_ops.h FdTokens); each end
  // that epoll_wait looks at has a level-triggered epoll set of its own.
  bool token_used[model::kFdTokens] = {};
  bool epoll_used[2] = {false, false};
  for (const Step& s : steps) {
    if (s.op.kind == OpKind::kWrite) {
      for (int i = 0; i < s.op.rights; ++i) {
        token_used[model::RightsToken(s.offset, i)] = true;
      }
    }
    if (s.op.kind == OpKind::kEpoll) epoll_used[s.op.end] = true;
  }
  bool prologue = false;
  for (int t = 0; t < model::kFdTokens; ++t) {
    if (token_used[t]) {
      absl::StrAppend(&text, "P: pipe() = ", TokenName(t), ", ", TokenName(t), "w\n");
      prologue = true;
    }
  }
  for (int e = 0; e < 2; ++e) {
    if (!epoll_used[e]) continue;
    prologue = true;
    absl::StrAppendFormat(&text,
                          "P: epoll_create1(0) = e%c\n"
                          "P: epoll_ctl(e%c, EPOLL_CTL_ADD, %c, "
                          "EPOLLIN|EPOLLOUT|EPOLLRDHUP) = 0\n",
                          EndName(e), EndName(e), EndName(e));
  }
  if (prologue) absl::StrAppend(&text, "\n");
  int received = 0;  // fds received so far: g1, g2...
  int line = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  const auto emit = [&](const std::string& s) {
    absl::StrAppend(&text, s, "\n");
    return line++;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const ModelOp& op = s.op;
    const bool divergent = conv.diverged && i + 1 == steps.size();
    if (divergent) emit(absl::StrCat("# ", fuzzer, " diverged here: ", conv.reason));
    const char e = EndName(op.end);
    const int received_before = received;
    const std::string result =
        divergent ? Answers(s, &received)
                  : Answer(op, s.offset, s.obs, s.obs.ret, &received);
    int at = 0;
    switch (op.kind) {
      case OpKind::kWrite:
      case OpKind::kRead:
        at = emit(absl::StrCat("P: ", Call(op, s.offset), " = ", result));
        // The fds received are checked; closed again as ops_fuzzer does.
        for (int g = received_before + 1; !divergent && g <= received; ++g) {
          emit(absl::StrCat("P: close(", ReceivedName(g), ") = 0"));
        }
        break;
      case OpKind::kSetPasscred:
        at = emit(absl::StrFormat("P: setsockopt(%c, SOL_SOCKET, SO_PASSCRED, %d) = %s",
                                  e, op.value, result));
        break;
      case OpKind::kSetPeekOff:
        at = emit(absl::StrFormat("P: setsockopt(%c, SOL_SOCKET, SO_PEEK_OFF, %d) = %s",
                                  e, op.value, result));
        break;
      case OpKind::kEpoll:
        at = emit(absl::StrFormat("P: epoll_wait(e%c, 1, 0) = %s", e, result));
        break;
      case OpKind::kGetOpt:
        at = emit(absl::StrFormat(
            "P: getsockopt(%c, SOL_SOCKET, %s) = %s", e,
            model::SockOptName(static_cast<model::SockOpt>(op.value)), result));
        break;
      case OpKind::kShutdown:
        at = emit(absl::StrFormat("P: shutdown(%c, %s) = %s", e,
                                  op.how == SHUT_RD   ? "SHUT_RD"
                                  : op.how == SHUT_WR ? "SHUT_WR"
                                                      : "SHUT_RDWR",
                                  result));
        break;
      case OpKind::kClose:
        at = emit(absl::StrFormat("P: close(%c) = %s", e, result));
        break;
      case OpKind::kPoll:
        at = emit(absl::StrFormat("P: poll(%c, POLLIN|POLLOUT|POLLRDHUP) = %s", e,
                                  result));
        break;
      case OpKind::kGetError:
        at = emit(absl::StrFormat("P: getsockopt(%c, SOL_SOCKET, SO_ERROR) = %s",
                                  e, result));
        break;
      case OpKind::kInq:
        at = emit(absl::StrFormat("P: ioctl(%c, SIOCINQ) = %s", e, result));
        break;
      case OpKind::kSetSndbuf: {
        // The model judges the value read back too: a getsockopt step.
        const int set_line = emit(absl::StrFormat(
            "P: setsockopt(%c, SOL_SOCKET, SO_SNDBUF, %d) = %s", e, op.value,
            s.obs.ret < 0 && !divergent ? ErrnoName(s.obs.err) : "0"));
        int want = s.obs.sndbuf;
        if (divergent && !s.allowed.empty()) want = s.allowed[0].result.sndbuf;
        const int get_line = emit(absl::StrFormat(
            "P: getsockopt(%c, SOL_SOCKET, SO_SNDBUF) = %d", e, want));
        at = s.obs.ret != 0 ? set_line : get_line;
        break;
      }
      case OpKind::kSocket:
      case OpKind::kBind:
      case OpKind::kListen:
      case OpKind::kConnect:
      case OpKind::kAccept:
      case OpKind::kGetName:
      case OpKind::kSendTo:
      case OpKind::kRecvFrom:
      case OpKind::kAtMark:
      case OpKind::kSetOobInline:
      case OpKind::kEpollEt:
        break;  // refused before the run (see above)
    }
    if (divergent) conv.divergent_line = at;
    if (guest && i < options.guest_answers.size()) {
      const GuestAnswer& g = options.guest_answers[i];
      const bool last = guest_step && i + 1 == steps.size();
      // A SO_SNDBUF step is two lines: the answer goes under the one that
      // differs.
      std::string answer, host;
      if (op.kind == OpKind::kSetSndbuf) {
        answer = g.obs.ret < 0 ? ErrnoName(g.obs.err) : absl::StrCat(g.obs.sndbuf);
        host = s.obs.ret < 0 ? ErrnoName(s.obs.err) : absl::StrCat(s.obs.sndbuf);
      } else {
        uint64_t offset = s.offset;
        if (op.kind == OpKind::kRead && g.obs.ret > 0) {
          // The guest's bytes may come from elsewhere in the peer's stream
          // (a datagram the host dropped): found by their hash.
          const size_t copied = std::min(static_cast<size_t>(g.obs.ret), op.size);
          const int w = 1 - op.end;
          std::vector<uint8_t> probe(copied);
          FillPattern(w, offset, probe.data(), copied);
          bool found = DataHash(probe) == g.data_hash;
          // Bounded: minimised inputs are small.
          for (uint64_t o = 0; !found && o + copied <= extent[w] &&
                               extent[w] * copied < (uint64_t{1} << 32);
               ++o) {
            FillPattern(w, o, probe.data(), copied);
            if (DataHash(probe) == g.data_hash) {
              offset = o;
              found = true;
            }
          }
          if (!found) {
            return absl::DataLossError(absl::StrFormat(
                "step %d: the guest read %d bytes that are nowhere in what %c "
                "wrote", i + 1, copied, EndName(w)));
          }
        }
        int guest_received = received_before;
        answer = Answer(op, offset, g.obs, g.obs.ret, &guest_received);
        host = result;
      }
      if (last || answer != host) {
        if (last && op.kind == OpKind::kSetSndbuf && g.obs.ret != s.obs.ret) {
          // The setsockopt line is the one before the getsockopt line: the
          // guest's error belongs there, and the case ends at it.
          text.erase(text.rfind("P: getsockopt"));
          --line;
          at = line - 1;
        }
        const int on = emit(absl::StrFormat("   on %s = %s because %s",
                                            options.guest_platform, answer,
                                            QuoteLiteral(options.guest_because)));
        if (last) {
          conv.guest_line = on;
          conv.divergent_line = at;
        }
      }
    }
  }
  conv.text = std::move(text);
  return conv;
}

}  // namespace sockspec
