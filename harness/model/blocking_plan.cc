#include "harness/model/blocking_plan.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/model/blocking_text.h"

namespace sockspec {
namespace {

using model::AllowedResult;
using model::IoCall;
using model::Model;
using model::ModelOp;
using model::Observed;
using model::OpKind;

constexpr int kPeerA = 0, kPeerB = 1, kPeerC = 2;
constexpr int kSlotA = 0, kSlotB = 1;
// A write larger than this is left out: the plan carries its bytes.
constexpr size_t kMaxPlannedWrite = 1 << 16;

// The model's only answer to `op` now, or nullopt when it allows several.
std::optional<Observed> OnlyAnswer(const Model& m, const ModelOp& op) {
  std::vector<AllowedResult> allowed = m.AllowedResults(op);
  if (allowed.size() != 1 || allowed[0].max_ret != allowed[0].result.ret) {
    return std::nullopt;
  }
  return allowed[0].result;
}

bool IsEagain(const Observed& o) { return o.ret == -1 && o.err == EAGAIN; }

class Builder {
 public:
  Builder(model::SockType type, const model::ModelLimits& limits,
          bool misplace_blocks)
      : sim_(type, limits), misplace_blocks_(misplace_blocks) {
    out_.type = type;
    Plan& p = out_.plan;
    p.path = "blocking_fuzzer.case";
    p.title = "blocking_fuzzer input";
    p.platform = "linux";
    p.fd_names = {"a", "b"};
    for (const char* name : {"A", "B", "C"}) {
      PeerDecl d;
      d.name = name;
      p.peers.push_back(d);
    }
    p.peers[kPeerA].holds = {kSlotA};
    p.peers[kPeerB].holds = {kSlotB};
    p.peers[kPeerC].holds = {kSlotA, kSlotB};
    Op& pair = Add(-1, Call::kSocketpair, {}, {BlockingStep::Role::kSetup, -1});
    pair.ints = {AF_UNIX, model::SockTypeValue(type), 0};
    pair.results = {kSlotA, kSlotB};
    pair.expect.any_of.clear();  // it only has to succeed
    pair.expect.placeholder = false;
    pair.text = absl::StrCat("socketpair(AF_UNIX, ",
                             model::SockTypeName(type), ") = a, b");
  }

  void Take(ModelOp op, size_t index) {
    if (sim_.closed(op.end)) return;
    switch (op.kind) {
      case OpKind::kRead:
        TakeRead(op);
        break;
      case OpKind::kWrite:
        TakeWrite(op);
        break;
      case OpKind::kClose:
        TakeClose(op);
        break;
      case OpKind::kShutdown:
      case OpKind::kPoll:
      case OpKind::kSetSndbuf:
        TakeSimple(op, index);
        break;
      case OpKind::kGetError:  // version-2 reads of state: not planned here
      case OpKind::kInq:       // (ops_fuzzer's in-process run judges them)
        break;
      case OpKind::kSocket:  // named sockets: ops_fuzzer's (world.h)
      case OpKind::kBind:
      case OpKind::kListen:
      case OpKind::kConnect:
      case OpKind::kAccept:
      case OpKind::kGetName:
      case OpKind::kSendTo:
      case OpKind::kRecvFrom:
        break;
    }
  }

  BlockingProgram Finish() {
    // Wake the sleepers: shutting down reception of its own end ends any
    // read. An end whose holders both sleep (C on a, B on b) waits for the
    // other end's wake-up to free C.
    for (int round = 0; round < 2; ++round) {
      for (int end : {0, 1}) {
        if (sleeper_peer_[end] < 0 || FreeHolder(end) < 0) continue;
        ModelOp shut = ModelOp::Shutdown(end, SHUT_RD);
        std::optional<Observed> a = OnlyAnswer(sim_, shut);
        Emit(shut, a.value_or(Observed{}), FreeHolder(end));
        if (sleeper_peer_[end] >= 0) ForceWake(end);
      }
    }
    return std::move(out_);
  }

 private:

  Op& Add(int peer, Call call, std::string text, BlockingStep step) {
    Op op;
    op.loc = {out_.plan.path, static_cast<int>(out_.plan.ops.size()) + 1, 1};
    op.peer = peer;
    op.call = call;
    op.text = std::move(text);
    op.expect.placeholder = true;
    op.expect.text = "?";
    op.expect.loc = op.loc;
    out_.plan.ops.push_back(std::move(op));
    out_.steps.push_back(step);
    return out_.plan.ops.back();
  }

  bool Asleep(int peer) const {
    return sleeper_peer_[0] == peer || sleeper_peer_[1] == peer;
  }

  bool Holds(int peer, int end) const {
    return peer == kPeerC || peer == end;
  }

  // A peer that holds `end` and is not asleep; -1 if none.
  int FreeHolder(int end) const {
    for (int p : {end, kPeerC}) {
      if (!Asleep(p) && !closed_in_[p][end]) return p;
    }
    return -1;
  }

  void TakeRead(ModelOp op) {
    if (op.size > kMaxPlannedWrite) op.size = kMaxPlannedWrite;
    const bool may_block = (op.flags & MSG_DONTWAIT) == 0;
    if (may_block) {
      op.flags &= ~MSG_WAITALL;
      op.blocking = true;
    }
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    if (!a) return;
    const int peer = FreeHolder(op.end);
    if (peer < 0) return;
    bool sleeps = may_block && IsEagain(*a);
    if (may_block && !sleeps && misplace_blocks_) {
      sleeps = true;  // the oracle self-test's wrong prediction
      misplace_blocks_ = false;
    }
    if (sleeps) {
      if (sleeper_peer_[op.end] >= 0) return;  // one sleeper per end
      out_.ops.push_back(op);
      sleeper_op_[op.end] = out_.ops.size() - 1;
      sleeper_peer_[op.end] = peer;
      Op& step = Add(peer, CallOf(op), BlockingStepText(op, ""),
                     {BlockingStep::Role::kBlocks, sleeper_op_[op.end]});
      FillArgs(op, step);
      step.expect.placeholder = false;
      Outcome o;
      o.kind = Outcome::Kind::kBlocks;
      o.loc = step.loc;
      step.expect.any_of = {o};
      step.expect.text = "blocks";
      ++out_.blocking_calls;
      return;
    }
    Emit(op, *a, peer);
  }

  void TakeWrite(ModelOp op) {
    if (op.size > kMaxPlannedWrite) return;
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    if ((op.flags & MSG_DONTWAIT) == 0 && (!a || IsEagain(*a))) {
      // It could sleep: blocking writes are not planned (header).
      op.flags |= MSG_DONTWAIT;
      if (op.call == IoCall::kPlain) op.call = IoCall::kSend;
      a = OnlyAnswer(sim_, op);
    }
    const int peer = FreeHolder(op.end);
    if (!a || peer < 0) return;
    Emit(op, *a, peer);
  }

  void TakeClose(const ModelOp& op) {
    // Every copy is closed; the socket closes with the last one, so none
    // may be held by a sleeping peer.
    std::vector<int> holders;
    for (int p : {kPeerA, kPeerB, kPeerC}) {
      if (Holds(p, op.end) && !closed_in_[p][op.end]) holders.push_back(p);
    }
    for (int p : holders) {
      if (Asleep(p)) return;
    }
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    if (!a) return;
    out_.ops.push_back(op);
    const int index = out_.ops.size() - 1;
    for (size_t i = 0; i + 1 < holders.size(); ++i) {
      Op& s = Add(holders[i], Call::kClose, BlockingStepText(op, ""),
                  {BlockingStep::Role::kCloseCopy, index});
      FillArgs(op, s);
      closed_in_[holders[i]][op.end] = true;
    }
    out_.ops.pop_back();
    closed_in_[holders.back()][op.end] = true;
    Emit(op, *a, holders.back());
  }

  void TakeSimple(const ModelOp& op, size_t) {
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    const int peer = FreeHolder(op.end);
    if (!a || peer < 0) return;
    Emit(op, *a, peer);
  }

  // Adds `op`'s step(s) in `peer`, adopts the answer `a` into the model and
  // wakes the sleeper if the model says it can now complete.
  void Emit(const ModelOp& op, Observed a, int peer) {
    out_.ops.push_back(op);
    const int index = out_.ops.size() - 1;
    std::string payload;
    if (op.kind == OpKind::kWrite) payload = absl::StrCat("w", index);
    Op& s = Add(peer, CallOf(op), BlockingStepText(op, payload),
                {BlockingStep::Role::kCall, index});
    FillArgs(op, s);
    if (op.kind == OpKind::kWrite) {
      s.data.resize(op.size);
      model::FillPattern(op.end, sim_.NextWriteOffset(op.end),
                         reinterpret_cast<uint8_t*>(s.data.data()), op.size);
    }
    if (op.kind == OpKind::kSetSndbuf) {
      Op& g = Add(peer, Call::kGetsockopt,
                  absl::StrCat("getsockopt(", std::string(1, model::EndName(op.end)),
                               ", SOL_SOCKET, SO_SNDBUF)"),
                  {BlockingStep::Role::kSndbufRead, index});
      g.fds = {op.end};
      g.ints = {SOL_SOCKET, SO_SNDBUF, -1};
    }
    Adopt(op, a);
    for (int end : {0, 1}) {
      if (sleeper_peer_[end] < 0) continue;
      std::optional<Observed> w = OnlyAnswer(sim_, out_.ops[sleeper_op_[end]]);
      if (w && !IsEagain(*w)) ForceWake(end);
    }
  }

  // The sleeper on `end` completes here.
  void ForceWake(int end) {
    const ModelOp r = out_.ops[sleeper_op_[end]];
    Add(sleeper_peer_[end], Call::kWakes, "wakes",
        {BlockingStep::Role::kWakes, sleeper_op_[end]});
    std::optional<Observed> w = OnlyAnswer(sim_, r);
    sleeper_peer_[end] = -1;
    sleeper_op_[end] = -1;
    Adopt(r, w.value_or(Observed{}));
  }

  // The model's own answer, with the data a correct read returns.
  void Adopt(const ModelOp& op, Observed a) {
    std::string data;
    if (op.kind == OpKind::kRead && a.ret > 0) {
      const size_t n = std::min(static_cast<size_t>(a.ret), op.size);
      data.resize(n);
      model::FillPattern(1 - op.end, sim_.NextReadOffset(op.end),
                         reinterpret_cast<uint8_t*>(data.data()), n);
      a.data = absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), n);
    }
    (void)sim_.Check(op, a);
  }

  Model sim_;
  BlockingProgram out_;
  bool closed_in_[3][2] = {};
  // By end: the peer asleep in a read of it, and that read (ops index).
  int sleeper_peer_[2] = {-1, -1};
  int sleeper_op_[2] = {-1, -1};
  bool misplace_blocks_ = false;
};

}  // namespace

BlockingProgram BuildBlockingProgram(const OpsProgram& program,
                                     const model::ModelLimits& limits,
                                     bool misplace_blocks) {
  Builder b(program.type, limits, misplace_blocks);
  for (size_t i = 0; i < program.ops.size(); ++i) b.Take(program.ops[i], i);
  return b.Finish();
}

}  // namespace sockspec
