#include "harness/model/blocking_text.h"

#include <poll.h>
#include <sys/socket.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/plan/calls.h"

namespace sockspec {

using model::IoCall;
using model::ModelOp;
using model::OpKind;

Call CallOf(const ModelOp& op) {
  switch (op.kind) {
    case OpKind::kWrite:
      switch (op.call) {
        case IoCall::kSend: return Call::kSend;
        case IoCall::kPlain: return Call::kWrite;
        case IoCall::kMsg: return Call::kSendmsg;
      }
      break;
    case OpKind::kRead:
      switch (op.call) {
        case IoCall::kSend: return Call::kRecv;
        case IoCall::kPlain: return Call::kRead;
        case IoCall::kMsg: return Call::kRecvmsg;
      }
      break;
    case OpKind::kShutdown: return Call::kShutdown;
    case OpKind::kClose: return Call::kClose;
    case OpKind::kSetSndbuf: return Call::kSetsockopt;
    case OpKind::kPoll: return Call::kPoll;
    case OpKind::kGetError: return Call::kGetsockopt;
    case OpKind::kInq: return Call::kIoctl;
    // Version 3's operations are not planned (blocking_plan.cc Take).
    case OpKind::kSetPasscred: return Call::kSetsockopt;
    case OpKind::kSetPeekOff: return Call::kSetsockopt;
    case OpKind::kEpoll: return Call::kPoll;
    case OpKind::kGetOpt: return Call::kGetsockopt;
    case OpKind::kSocket: return Call::kSocket;
    case OpKind::kBind: return Call::kBind;
    case OpKind::kListen: return Call::kListen;
    case OpKind::kConnect: return Call::kConnect;
    case OpKind::kAccept: return Call::kAccept4;
    case OpKind::kGetName: return op.how == 1 ? Call::kGetpeername : Call::kGetsockname;
    case OpKind::kSendTo: return Call::kSendto;
    case OpKind::kRecvFrom: return Call::kRecvmsg;
    // Version 5's are not planned either.
    case OpKind::kAtMark: return Call::kIoctl;
    case OpKind::kSetOobInline: return Call::kSetsockopt;
    case OpKind::kEpollEt: return Call::kPoll;
  }
  return Call::kPoll;
}

void FillArgs(const ModelOp& op, Op& step) {
  step.fds = {op.end};
  const Call c = CallOf(op);
  const int64_t size = static_cast<int64_t>(op.size);
  if (c == Call::kSend) {
    step.ints = {op.flags};
  } else if (c == Call::kSendmsg) {
    step.ints = {op.flags};
    const std::vector<int64_t>& extra = SpecOf(c).extra_ints;  // no ancillary data
    step.ints.insert(step.ints.end(), extra.begin(), extra.end());
  } else if (c == Call::kRead) {
    step.ints = {size};
  } else if (c == Call::kRecv) {
    step.ints = {size, op.flags};
  } else if (c == Call::kRecvmsg) {
    step.ints = {size, op.flags};
    const std::vector<int64_t>& extra = SpecOf(c).extra_ints;  // no control buffer
    step.ints.insert(step.ints.end(), extra.begin(), extra.end());
  } else if (c == Call::kShutdown) {
    step.ints = {op.how};
  } else if (c == Call::kPoll) {
    step.ints = {model::kPollEvents, 0};
  } else if (c == Call::kSetsockopt) {
    step.ints = {SOL_SOCKET, SO_SNDBUF, -1};
    step.data.assign(reinterpret_cast<const char*>(&op.value), sizeof op.value);
  }
}

Op& AddBlockingStep(BlockingProgram& out, int peer, Call call, std::string text,
                    BlockingStep step) {
  Op op;
  op.loc = {out.plan.path, static_cast<int>(out.plan.ops.size()) + 1, 1};
  op.peer = peer;
  op.call = call;
  op.text = std::move(text);
  op.expect.placeholder = true;
  op.expect.text = "?";
  op.expect.loc = op.loc;
  out.plan.ops.push_back(std::move(op));
  out.steps.push_back(std::move(step));
  return out.plan.ops.back();
}

std::string BlockingStepText(const ModelOp& op, const std::string& payload) {
  const std::string fd(1, model::EndName(op.end));
  const std::string flags = model::MsgFlagsString(op.flags);
  static const char* const kHow[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR"};
  if (op.kind == OpKind::kWrite) {
    switch (op.call) {
      case IoCall::kSend: return absl::StrCat("send(", fd, ", ", payload, ", ", flags, ")");
      case IoCall::kPlain: return absl::StrCat("write(", fd, ", ", payload, ")");
      case IoCall::kMsg: return absl::StrCat("sendmsg(", fd, ", ", payload, ", ", flags, ")");
    }
  }
  if (op.kind == OpKind::kRead) {
    switch (op.call) {
      case IoCall::kSend: return absl::StrCat("recv(", fd, ", ", op.size, ", ", flags, ")");
      case IoCall::kPlain: return absl::StrCat("read(", fd, ", ", op.size, ")");
      case IoCall::kMsg: return absl::StrCat("recvmsg(", fd, ", ", op.size, ", ", flags, ")");
    }
  }
  if (op.kind == OpKind::kShutdown) {
    return absl::StrCat("shutdown(", fd, ", ", kHow[op.how % 3], ")");
  }
  if (op.kind == OpKind::kClose) return absl::StrCat("close(", fd, ")");
  if (op.kind == OpKind::kSetSndbuf) {
    return absl::StrCat("setsockopt(", fd, ", SOL_SOCKET, SO_SNDBUF, ", op.value, ")");
  }
  if (op.kind == OpKind::kPoll) {
    return absl::StrCat("poll(", fd, ", ", model::PollEventsString(model::kPollEvents), ")");
  }
  if (op.kind == OpKind::kGetError) {
    return absl::StrCat("getsockopt(", fd, ", SOL_SOCKET, SO_ERROR)");
  }
  if (op.kind == OpKind::kInq) return absl::StrCat("ioctl(", fd, ", SIOCINQ)");
  // Version 3's and later are not planned (blocking_plan.cc Take); named
  // sockets are not in blocking_fuzzer's programs (ops_fuzzer's, world.h).
  return op.ToString();
}

}  // namespace sockspec
