// RunBlockingProgram: the executor runs the plan, a fresh model judges what
// each step observed, in the plan's order (a woken call at its `wakes`).
#include <signal.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/exec/executor.h"
#include "harness/model/blocking_plan.h"
#include "harness/result/failure.h"

namespace sockspec {
namespace {

using model::ModelOp;
using model::Observed;
using model::OpKind;
using Role = BlockingStep::Role;

// Observation -> the model's Observed; read data is copied into `buf`.
Observed ToObserved(const ModelOp& op, const Observation& o, std::string& buf) {
  Observed r;
  r.ret = o.ret;
  r.err = o.ret < 0 ? o.err : 0;
  if (o.msg_flags) r.msg_flags = *o.msg_flags;
  for (int sig : o.signals) {
    if (sig == SIGPIPE) r.sigpipe = true;
  }
  if (op.kind == OpKind::kPoll && o.value) r.revents = static_cast<short>(*o.value);
  if (op.kind == OpKind::kRead && o.ret >= 0) {
    buf = o.data;
    r.data = absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(buf.data()),
                                 buf.size());
  }
  return r;
}

std::string StepLine(const BlockingProgram& p, size_t i, const StepRecord* rec,
                     bool marked) {
  const Op& op = p.plan.ops[i];
  const std::string peer = op.peer < 0 ? "" : p.plan.peers[op.peer].name + ": ";
  return absl::StrFormat("%s %3d. %s%s = %s\n", marked ? ">" : " ", i + 1, peer,
                         op.text, rec != nullptr ? rec->observed : "(not run)");
}

// "A (a), B (b), C (a, b)": each peer and the ends it holds once set up.
std::string PeersText(const BlockingProgram& p) {
  std::string text;
  for (size_t i = 0; i < p.plan.peers.size() && i < p.ends_held.size(); ++i) {
    std::vector<std::string> ends;
    for (int end : p.ends_held[i]) ends.push_back(p.plan.fd_names[end]);
    absl::StrAppend(&text, text.empty() ? "" : ", ", p.plan.peers[i].name, " (",
                    absl::StrJoin(ends, ", "), ")");
  }
  return text;
}

absl::Status Finding(const BlockingProgram& p, const InstanceResult& r,
                     size_t failed, const std::string& reason) {
  std::vector<const StepRecord*> by_op(p.plan.ops.size(), nullptr);
  for (const StepRecord& s : r.trace) {
    if (s.op != nullptr) by_op[s.op - p.plan.ops.data()] = &s;
  }
  std::string text = absl::StrFormat("blocking_fuzzer: %s over peers %s: %zu steps\n",
                                     model::SockTypeName(p.type), PeersText(p),
                                     p.plan.ops.size());
  for (size_t i = 0; i < p.plan.ops.size(); ++i) {
    absl::StrAppend(&text, StepLine(p, i, by_op[i], i == failed));
    if (i == failed) absl::StrAppend(&text, "       ", reason, "\n");
  }
  absl::StrAppend(&text, "as a case (fill it with `sockspec record FILE`):\n",
                  BlockingProgramCase(p, "blocking_fuzzer finding"));
  return absl::FailedPreconditionError(text);
}

}  // namespace

absl::Status RunBlockingProgram(const BlockingProgram& p,
                                const model::ModelLimits& limits,
                                Corruption corruption) {
  InstanceResult r = RunPlan(p.plan, RunOptions{});
  if (r.failure && r.failure->expected != "? (not yet known)") {
    // The executor's own verdict: a `blocks` that returned, a `wakes` that
    // hung, a peer that died, a harness error.
    size_t at = p.plan.ops.size();
    for (size_t i = 0; i < p.plan.ops.size(); ++i) {
      if (p.plan.ops[i].loc.line == r.failure->loc.line) at = i;
    }
    return Finding(p, r, at, FailureText(*r.failure));
  }
  model::Model m(p.type, limits);
  bool corrupted = false;
  std::string buf;
  for (const StepRecord& s : r.trace) {
    if (s.op == nullptr) continue;
    const size_t i = s.op - p.plan.ops.data();
    const BlockingStep& step = p.steps[i];
    if (step.role == Role::kSetup || step.role == Role::kFixed ||
        step.role == Role::kBlocks) {
      continue;  // judged by the executor (their stated results, the sleep)
    }
    if (!s.observation) {
      return Finding(p, r, i, "no result observed for this step");
    }
    const Observation& o = *s.observation;
    if (step.role == Role::kCloseCopy) {
      if (o.ret != 0) return Finding(p, r, i, "closing a copy of the fd must return 0");
      continue;
    }
    if (step.role == Role::kSndbufRead) continue;  // judged with its setsockopt
    ModelOp op = p.ops[step.op];
    Observed obs = ToObserved(op, o, buf);
    if (op.kind == OpKind::kSetSndbuf && obs.ret == 0) {
      // The value read back by the next step, its getsockopt.
      const StepRecord* next = &s + 1;
      if (next >= r.trace.data() + r.trace.size() || !next->observation ||
          !next->observation->value) {
        return Finding(p, r, i, "SO_SNDBUF was not read back");
      }
      obs.sndbuf = static_cast<int>(*next->observation->value);
    }
    CorruptObserved(corruption, op, obs, reinterpret_cast<uint8_t*>(buf.data()),
                    corrupted);
    if (absl::Status v = m.Check(op, obs); !v.ok()) {
      return Finding(p, r, i, std::string(v.message()));
    }
  }
  return absl::OkStatus();
}

std::string BlockingProgramCase(const BlockingProgram& p,
                                const std::string& source) {
  std::string text = absl::StrCat(
      "title \"blocking_fuzzer: ", model::SockTypeName(p.type), " ",
      p.setup == BlockingSetup::kSocketpair ? "socketpair" : "named sockets",
      ", operations over several peers\"\ncovers B01\nsource \"", source, "\"\n\n");
  for (size_t i = 0; i < p.plan.ops.size(); ++i) {
    const BlockingStep& s = p.steps[i];
    if ((s.role == Role::kCall || s.role == Role::kBlocks) &&
        p.ops[s.op].kind == OpKind::kWrite) {
      absl::StrAppend(&text, "payload w", s.op, " = ", p.ops[s.op].size, "\n");
    }
  }
  absl::StrAppend(&text, "\n");
  size_t i = 0;
  for (; i < p.plan.ops.size() && p.plan.ops[i].peer < 0; ++i) {
    absl::StrAppend(&text, p.plan.ops[i].text, " ", p.steps[i].stated, "\n");
  }
  for (const PeerDecl& d : p.plan.peers) {
    if (d.forked_by >= 0) continue;  // made by a `fork` step
    std::vector<std::string> held;
    for (int slot : d.holds) held.push_back(p.plan.fd_names[slot]);
    absl::StrAppend(&text, "peer ", d.name, held.empty() ? "" : " holds ",
                    absl::StrJoin(held, ", "), "\n");
  }
  absl::StrAppend(&text, "\n");
  for (; i < p.plan.ops.size(); ++i) {
    const Op& op = p.plan.ops[i];
    const BlockingStep& s = p.steps[i];
    std::string result = " = ?";
    if (s.role == Role::kBlocks) result = " blocks";
    if (s.role == Role::kFixed) result = s.stated.empty() ? "" : " " + s.stated;
    absl::StrAppend(&text, p.plan.peers[op.peer].name, ": ", op.text, result, "\n");
  }
  return text;
}

}  // namespace sockspec
