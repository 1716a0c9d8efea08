// The signature of a difference between host and guest (fuzz_diff.h): what
// groups findings in triage. Answers are reduced to classes (an errno, "all",
// "part", "short", "EOF", ...) so that the same divergence met with other
// sizes falls into one group.
#include <sys/socket.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "harness/model/fuzz_diff.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::IoCall;
using model::ModelOp;
using model::MsgFlagsString;
using model::OpKind;
using model::PollEventsString;
using model::SockTypeName;
}  // namespace

namespace {

std::string OpName(const ModelOp& op) {
  std::string name;
  switch (op.kind) {
    case OpKind::kWrite:
      name = op.call == IoCall::kPlain  ? "write"
             : op.call == IoCall::kSend ? "send"
                                        : "sendmsg";
      break;
    case OpKind::kRead: {
      name = op.call == IoCall::kPlain  ? "read"
             : op.call == IoCall::kSend ? "recv"
                                        : "recvmsg";
      const int kinds = op.flags & (MSG_PEEK | MSG_TRUNC | MSG_WAITALL);
      if (kinds != 0) absl::StrAppend(&name, "[", MsgFlagsString(kinds), "]");
      break;
    }
    case OpKind::kShutdown:
      name = op.how == SHUT_RD ? "shutdown[SHUT_RD]"
             : op.how == SHUT_WR ? "shutdown[SHUT_WR]"
                                 : "shutdown[SHUT_RDWR]";
      break;
    case OpKind::kClose:
      name = "close";
      break;
    case OpKind::kSetSndbuf:
      name = "setsockopt[SO_SNDBUF]";
      break;
    case OpKind::kPoll:
      name = "poll";
      break;
  }
  return name;
}

std::string AnswerClass(const OpsProgram& program, const ModelOp& op,
                        const OpRecord& r, const SideFacts& facts) {
  if (op.kind == OpKind::kPoll) return PollEventsString(r.revents);
  if (r.ret < 0) {
    return absl::StrCat(ErrnoName(r.err), r.sigpipe ? "+SIGPIPE" : "");
  }
  const uint64_t ret = static_cast<uint64_t>(r.ret);
  switch (op.kind) {
    case OpKind::kWrite:
      return ret == op.size ? "all" : "part";
    case OpKind::kRead: {
      // 0 is end of file on a stream, maybe an empty message otherwise.
      const bool stream = program.type == model::SockType::kStream;
      std::string c = ret == 0 && op.size > 0 && stream ? "EOF"
                      : ret == 0              ? "0"
                      : ret < op.size         ? "short"
                      : ret == op.size        ? "full"
                                              : "real-length";
      if (op.call == IoCall::kMsg && r.msg_flags != 0) {
        absl::StrAppend(&c, "+", MsgFlagsString(r.msg_flags));
      }
      return c;
    }
    case OpKind::kSetSndbuf: {
      // Judged against the side's own limits (read where it runs).
      const int64_t capped = std::min<int64_t>(op.value, facts.wmem_max);
      const int64_t want = std::max<int64_t>(2 * capped, facts.min_sndbuf);
      if (r.sndbuf == want) return "doubled";
      if (r.sndbuf == op.value) return "as-set";
      return r.sndbuf < want ? "below" : "above";
    }
    case OpKind::kShutdown:
    case OpKind::kClose:
    case OpKind::kPoll:
      break;
  }
  return "0";
}

}  // namespace

std::string DiffSignature(const OpsProgram& program, size_t step,
                          const OpRecord& host, const OpRecord& guest,
                          const SideFacts& host_facts,
                          const SideFacts& guest_facts) {
  const ModelOp& op = program.ops[step];
  const std::string h = AnswerClass(program, op, host, host_facts);
  const std::string g = AnswerClass(program, op, guest, guest_facts);
  std::string s = absl::StrCat(OpName(op), " ", SockTypeName(program.type),
                               ": host ", h, ", guest ", g);
  if (h == g) {
    // Same class: say what differs within it.
    absl::StrAppend(&s, host.ret != guest.ret           ? " (count differs)"
                        : host.data_hash != guest.data_hash ? " (data differs)"
                        : host.sndbuf != guest.sndbuf   ? " (SO_SNDBUF differs)"
                                                        : " (differs)");
  }
  return s;
}

}  // namespace sockspec
