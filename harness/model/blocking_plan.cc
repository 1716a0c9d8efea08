#include "harness/model/blocking_plan.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness/model/blocking_setup.h"
#include "harness/model/blocking_text.h"

namespace sockspec {
namespace {

using model::AllowedResult;
using model::IoCall;
using model::Model;
using model::ModelOp;
using model::Observed;
using model::OpKind;

// A write or read larger than this is left out: the plan carries its bytes.
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

// A call asleep in `peer`: ops[op] on end `end`.
struct Sleeper {
  int peer = -1;
  int op = -1;
  bool asleep() const { return peer >= 0; }
};

// What becomes of a writer asleep on a full buffer after a step.
enum class WriterFate { kSleeps, kWakes, kUnknown };

class Builder {
 public:
  Builder(const BlockingInput& in, const model::ModelLimits& limits,
          bool misplace_blocks)
      : sim_(in.program.type, limits), misplace_blocks_(misplace_blocks) {
    out_.type = in.program.type;
    out_.setup = in.setup;
    peers_ = AddBlockingSetup(out_, in.abstract, misplace_blocks);
    for (int p = 0; p < peers_.count; ++p) {
      out_.ends_held.emplace_back();
      for (int end : {0, 1}) {
        if (peers_.holds[p][end]) out_.ends_held.back().push_back(end);
      }
    }
    // A named setup's own blocking call is the one the self-test misplaces.
    if (in.setup != BlockingSetup::kSocketpair) misplace_blocks_ = false;
  }

  void Take(ModelOp op) {
    // Operations on named sockets s2..s7 (version 4, world.h) are
    // ops_fuzzer's: blocking_fuzzer's programs have the two ends only.
    if (op.end < 0 || op.end > 1) return;
    if (sim_.closed(op.end)) return;
    // Out-of-band data (version 5) is judged in process by ops_fuzzer only.
    if (op.flags & MSG_OOB) return;
    // Version 1's operations are planned; version 2's reads of state and
    // every later operation are judged in process by ops_fuzzer only, and
    // so are control buffers and fd passing (version 3).
    if (op.kind == OpKind::kRead) {
      if (op.control == 0) TakeRead(op);
    } else if (op.kind == OpKind::kWrite) {
      if (op.rights == 0) TakeWrite(op);
    } else if (op.kind == OpKind::kClose) {
      TakeClose(op);
    } else if (op.kind == OpKind::kShutdown || op.kind == OpKind::kPoll ||
               op.kind == OpKind::kSetSndbuf) {
      TakeSimple(op);
    }
  }

  BlockingProgram Finish() {
    // Wake the sleepers: shutting down reception (a reader) or sending (a
    // writer) of its own end ends the call. When every holder of the end
    // sleeps (A and C on a named a), a STREAM or SEQPACKET peer's mirror
    // image does it (unix_shutdown); a DGRAM end waits for another end's
    // wake-up to free a holder (C holds both).
    finishing_ = true;
    for (int round = 0; round < 3; ++round) {
      for (int end : {0, 1}) {
        for (Sleeper* s : {&readers_[end], &writers_[end]}) {
          if (!s->asleep()) continue;
          const bool reader = s == &readers_[end];
          int shut_end = end;
          int how = reader ? SHUT_RD : SHUT_WR;
          if (FreeHolder(end) < 0) {
            if (out_.type == model::SockType::kDgram || FreeHolder(1 - end) < 0 ||
                sim_.closed(1 - end)) {
              continue;
            }
            shut_end = 1 - end;
            how = reader ? SHUT_WR : SHUT_RD;
          }
          ModelOp shut = ModelOp::Shutdown(shut_end, how);
          std::optional<Observed> a = OnlyAnswer(sim_, shut);
          Emit(shut, a.value_or(Observed{}), FreeHolder(shut_end));
          if (s->asleep()) ForceWake(*s);
        }
      }
    }
    return std::move(out_);
  }

 private:
  bool Asleep(int peer) const {
    for (int end : {0, 1}) {
      if (readers_[end].peer == peer || writers_[end].peer == peer) return true;
    }
    return false;
  }

  // A peer that holds `end` and is not asleep; -1 if none.
  int FreeHolder(int end) const {
    for (int p = 0; p < peers_.count; ++p) {
      if (peers_.holds[p][end] && !Asleep(p) && !closed_in_[p][end]) return p;
    }
    return -1;
  }

  // Plans `op` as asleep in `peer` until a later `wakes`.
  void Sleep(ModelOp op, int peer, Sleeper& s) {
    // A write is judged where it wakes, with what woke it (ModelOp::blocking).
    if (op.kind == OpKind::kWrite) op.blocking = true;
    out_.ops.push_back(op);
    s = {peer, static_cast<int>(out_.ops.size()) - 1};
    std::string payload;
    if (op.kind == OpKind::kWrite) payload = absl::StrCat("w", s.op);
    Op& step = AddBlockingStep(out_, peer, CallOf(op), BlockingStepText(op, payload),
                               {BlockingStep::Role::kBlocks, s.op, ""});
    FillArgs(op, step);
    if (op.kind == OpKind::kWrite) {
      // Its bytes follow whatever the end has written when it wakes: no
      // other write on the end is planned while it sleeps.
      FillWriteData(op, step);
      ++out_.blocking_writes;
    }
    step.expect.placeholder = false;
    Outcome o;
    o.kind = Outcome::Kind::kBlocks;
    o.loc = step.loc;
    step.expect.any_of = {o};
    step.expect.text = "blocks";
    ++out_.blocking_calls;
  }

  void FillWriteData(const ModelOp& op, Op& step) {
    step.data.resize(op.size);
    model::FillPattern(op.end, sim_.NextWriteOffset(op.end),
                       reinterpret_cast<uint8_t*>(step.data.data()), op.size);
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
      if (!readers_[op.end].asleep()) Sleep(op, peer, readers_[op.end]);
      return;
    }
    if (Unsettles(op, *a)) return;
    Emit(op, *a, peer);
  }

  void TakeWrite(ModelOp op) {
    if (op.size > kMaxPlannedWrite) return;
    // While a writer sleeps on this end, its data's place in the stream is
    // not known: other writes on the end wait.
    if (writers_[op.end].asleep()) return;
    const int peer = FreeHolder(op.end);
    if (peer < 0) return;
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    if ((op.flags & MSG_DONTWAIT) == 0 && a && !IsEagain(*a) && misplace_blocks_) {
      misplace_blocks_ = false;  // the oracle self-test's wrong prediction
      Sleep(op, peer, writers_[op.end]);
      return;
    }
    if ((op.flags & MSG_DONTWAIT) == 0 && a && IsEagain(*a) && FitsWhenDrained(op)) {
      Sleep(op, peer, writers_[op.end]);
      return;
    }
    if ((op.flags & MSG_DONTWAIT) == 0 && (!a || IsEagain(*a))) {
      // It could sleep without the model being sure what wakes it.
      op.flags |= MSG_DONTWAIT;
      if (op.call == IoCall::kPlain) op.call = IoCall::kSend;
      a = OnlyAnswer(sim_, op);
    }
    if (!a) return;
    Emit(op, *a, peer);
  }

  // True when the write, made once the peer had read everything queued,
  // would be taken whole: the model's only answer on such a copy is op.size.
  bool FitsWhenDrained(const ModelOp& op) const {
    Model m = sim_;
    const int reader = 1 - op.end;
    for (int i = 0; i < 2 * static_cast<int>(kMaxFuzzOps) && m.QueuedChunks(op.end) > 0; ++i) {
      ModelOp r = ModelOp::Read(reader, kMaxOpSize, MSG_DONTWAIT);
      std::optional<Observed> a = OnlyAnswer(m, r);
      if (!a || a->ret < 0) return false;
      Adopt(m, r, *a);
    }
    if (m.QueuedChunks(op.end) > 0) return false;
    std::optional<Observed> w = OnlyAnswer(m, op);
    return w && w->ret == static_cast<ssize_t>(op.size);
  }

  void TakeClose(const ModelOp& op) {
    // Every copy is closed; the socket closes with the last one, so none
    // may be held by a sleeping peer.
    std::vector<int> holders;
    for (int p = 0; p < peers_.count; ++p) {
      if (peers_.holds[p][op.end] && !closed_in_[p][op.end]) holders.push_back(p);
    }
    for (int p : holders) {
      if (Asleep(p)) return;
    }
    if (holders.empty()) return;
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    if (!a || Unsettles(op, *a)) return;
    out_.ops.push_back(op);
    const int index = out_.ops.size() - 1;
    for (size_t i = 0; i + 1 < holders.size(); ++i) {
      Op& s = AddBlockingStep(out_, holders[i], Call::kClose, BlockingStepText(op, ""),
                              {BlockingStep::Role::kCloseCopy, index, ""});
      FillArgs(op, s);
      closed_in_[holders[i]][op.end] = true;
    }
    out_.ops.pop_back();
    closed_in_[holders.back()][op.end] = true;
    Emit(op, *a, holders.back());
  }

  void TakeSimple(const ModelOp& op) {
    std::optional<Observed> a = OnlyAnswer(sim_, op);
    const int peer = FreeHolder(op.end);
    if (!a || peer < 0 || Unsettles(op, *a)) return;
    Emit(op, *a, peer);
  }

  // What becomes of the writer asleep on `end` in `m`, the model after a
  // step, given `before`, the model before it. It wakes when the peer has
  // read everything (the skbs freed, sock_wfree wakes it) or when its
  // answer is an error other than EAGAIN (a shutdown wakes every sleeper);
  // it sleeps on while the buffer is as full as before or its low bound
  // stays above half of SO_SNDBUF (unix_writable wakes at a quarter).
  WriterFate FateOfWriter(const Model& before, const Model& m, int end) const {
    if (m.closed(end)) return WriterFate::kUnknown;
    std::optional<Observed> w = OnlyAnswer(m, out_.ops[writers_[end].op]);
    if (!w) return WriterFate::kUnknown;
    if (!IsEagain(*w)) {
      return m.QueuedChunks(end) == 0 || w->ret < 0 ? WriterFate::kWakes
                                                    : WriterFate::kUnknown;
    }
    const bool unchanged = m.QueuedChunks(end) == before.QueuedChunks(end) &&
                           m.NextReadOffset(1 - end) == before.NextReadOffset(1 - end) &&
                           m.sndbuf(end) == before.sndbuf(end);
    if (unchanged || 2 * m.WmemLowBound(end) > static_cast<size_t>(m.sndbuf(end))) {
      return WriterFate::kSleeps;
    }
    return WriterFate::kUnknown;
  }

  // True when, after `op` answered `a`, the model could not tell whether a
  // sleeping writer wakes. (The peer's close wakes it: ECONNRESET on a
  // connection, ECONNREFUSED on DGRAM, the model's answer to the asleep
  // write; cases/blocking/closes-and-shutdowns-that-wake-sleepers.case.) A
  // STREAM read that could run past the queued data while the writer adds
  // to it is left out too: the drain must stop at its size.
  bool Unsettles(const ModelOp& op, const Observed& a) const {
    for (int end : {0, 1}) {
      if (!writers_[end].asleep()) continue;
      Model m = sim_;
      Adopt(m, op, a);
      switch (FateOfWriter(sim_, m, end)) {
        case WriterFate::kSleeps:
          break;
        case WriterFate::kUnknown:
          return true;
        case WriterFate::kWakes:
          if (out_.type == model::SockType::kStream && op.kind == OpKind::kRead &&
              a.ret != static_cast<ssize_t>(op.size)) {
            return true;
          }
          break;
      }
    }
    return false;
  }

  // Adds `op`'s step(s) in `peer`, adopts the answer `a` into the model and
  // wakes each sleeper the model says can now complete.
  void Emit(const ModelOp& op, Observed a, int peer) {
    out_.ops.push_back(op);
    const int index = out_.ops.size() - 1;
    std::string payload;
    if (op.kind == OpKind::kWrite) payload = absl::StrCat("w", index);
    Op& s = AddBlockingStep(out_, peer, CallOf(op), BlockingStepText(op, payload),
                            {BlockingStep::Role::kCall, index, ""});
    FillArgs(op, s);
    if (op.kind == OpKind::kWrite) FillWriteData(op, s);
    if (op.kind == OpKind::kSetSndbuf) {
      Op& g = AddBlockingStep(
          out_, peer, Call::kGetsockopt,
          absl::StrCat("getsockopt(", std::string(1, model::EndName(op.end)),
                       ", SOL_SOCKET, SO_SNDBUF)"),
          {BlockingStep::Role::kSndbufRead, index, ""});
      g.fds = {op.end};
      g.ints = {SOL_SOCKET, SO_SNDBUF, -1};
    }
    const Model before = sim_;
    Adopt(sim_, op, a);
    const int woken = WakeSettled(before);
    if (!finishing_ && (op.kind == OpKind::kClose || op.kind == OpKind::kShutdown)) {
      out_.woken_by_close_or_shutdown += woken;
    }
  }

  // Wakes each sleeper that the model says completes now; a woken call
  // changes the model in turn, so this repeats until none does. Returns
  // how many woke.
  int WakeSettled(Model before) {
    int count = 0;
    for (bool woke = true; woke;) {
      woke = false;
      for (int end : {0, 1}) {
        if (readers_[end].asleep()) {
          std::optional<Observed> w = OnlyAnswer(sim_, out_.ops[readers_[end].op]);
          if (w && !IsEagain(*w)) {
            before = sim_;
            ForceWake(readers_[end]);
            woke = true;
            ++count;
          }
        }
        if (writers_[end].asleep() &&
            FateOfWriter(before, sim_, end) == WriterFate::kWakes) {
          before = sim_;
          ForceWake(writers_[end]);
          woke = true;
          ++count;
        }
      }
    }
    return count;
  }

  // The sleeper `s` completes here.
  void ForceWake(Sleeper& s) {
    const ModelOp r = out_.ops[s.op];
    AddBlockingStep(out_, s.peer, Call::kWakes, "wakes",
                    {BlockingStep::Role::kWakes, s.op, ""});
    std::optional<Observed> w = OnlyAnswer(sim_, r);
    s = Sleeper{};
    Adopt(sim_, r, w.value_or(Observed{}));
  }

  // The model's own answer, with the data a correct read returns.
  static void Adopt(Model& m, const ModelOp& op, Observed a) {
    std::string data;
    if (op.kind == OpKind::kRead && a.ret > 0) {
      const size_t n = std::min(static_cast<size_t>(a.ret), op.size);
      data.resize(n);
      model::FillPattern(1 - op.end, m.NextReadOffset(op.end),
                         reinterpret_cast<uint8_t*>(data.data()), n);
      a.data = absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(data.data()), n);
    }
    (void)m.Check(op, a);
  }

  Model sim_;
  BlockingProgram out_;
  BlockingPeers peers_;
  bool closed_in_[kMaxBlockingPeers][2] = {};
  // By end: the read and the write asleep on it.
  Sleeper readers_[2];
  Sleeper writers_[2];
  bool misplace_blocks_ = false;
  bool finishing_ = false;  // Finish's own shutdowns are being planned
};

}  // namespace

BlockingProgram BuildBlockingProgram(const BlockingInput& input,
                                     const model::ModelLimits& limits,
                                     bool misplace_blocks) {
  Builder b(input, limits, misplace_blocks);
  for (const model::ModelOp& op : input.program.ops) b.Take(op);
  return b.Finish();
}

}  // namespace sockspec
