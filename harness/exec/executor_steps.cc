// One step at a time: a peer step is sent to its peer, which says "starting"
// (only for a call that can block: SendsStarting) and then sends its result;
// a step that may block is watched until it is seen asleep; `wakes` and
// `blocked` look at a call already asleep.
#include <poll.h>
#include <signal.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/exec/executor_internal.h"
#include "harness/exec/peer.h"
#include "harness/exec/proc_watch.h"
#include "harness/plan/calls.h"

namespace sockspec {
namespace internal {

absl::Time Coordinator::StepDeadline() const {
  return std::min(absl::Now() + absl::Milliseconds(step_ms_), case_deadline_);
}

const Op* Coordinator::Resolved(int i) {
  const Op& op = plan_.ops[i];
  if (!HasDynamic(op)) return &op;
  if (auto done = resolved_ops_.find(i); done != resolved_ops_.end()) return &done->second;
  Op copy = op;
  if (absl::Status s = ResolveCaptures(plan_.capture_names, captures_, &copy); !s.ok()) {
    Error(i, std::string(s.message()));
    return nullptr;
  }
  return &resolved_ops_.emplace(i, std::move(copy)).first->second;
}

void Coordinator::Capture(int i, const Op& call, const Observation& obs) {
  const int slot = plan_.ops[i].capture;
  if (slot < 0 || static_cast<size_t>(slot) >= captures_.size() || obs.ret < 0) return;
  switch (SpecOf(call.call).result) {
    case ResultKind::kValue:
    case ResultKind::kRevents:
      if (obs.value) captures_[slot] = *obs.value;
      return;
    case ResultKind::kCount:
    case ResultKind::kData:
    case ResultKind::kFd:
    case ResultKind::kFdPair:
    case ResultKind::kAddress:
    case ResultKind::kReady:
    case ResultKind::kMessages:
      captures_[slot] = obs.ret;
      return;
  }
}

bool Coordinator::RunPeerOp(int i) {
  const Op* resolved = Resolved(i);
  if (resolved == nullptr) return false;
  const Op& op = *resolved;
  if (static_cast<size_t>(op.peer) >= peers_.size()) {
    Error(i, absl::StrCat("no peer ", op.peer));
    return false;
  }
  PeerProc& proc = peers_[op.peer];
  const std::string& name = plan_.peers[op.peer].name;
  if (!proc.alive) {
    Error(i, absl::StrCat("peer ", name, " is not running"));
    return false;
  }
  if (op.call == Call::kWakes) return RunWakes(i, proc);
  if (op.call == Call::kBlocked) return RunBlocked(i, proc);
  if (proc.pending >= 0) {
    Error(i, absl::StrCat("peer ", name, " is still blocked in ",
                       plan_.ops[proc.pending].text));
    return false;
  }

  PeerCommand cmd;
  cmd.op_index = i;
  cmd.bound.assign(ctx_.bound.begin(), ctx_.bound.end());
  cmd.peer_pids = ctx_.peer_pids;
  if (&op != &plan_.ops[i]) {
    for (size_t k = 0; k < captures_.size(); ++k) {
      if (captures_[k]) cmd.captures.emplace_back(static_cast<int>(k), *captures_[k]);
    }
  }
  const absl::Time deadline = StepDeadline();
  step_start_ = absl::Now();
  if (!WriteFrame(proc.cmd.get(), EncodeCommand(cmd)).ok()) {
    PeerGone(i, proc);
    return false;
  }
  std::optional<PeerMessage> starting;
  if (SendsStarting(op)) {
    starting = Await(i, proc, deadline, PeerMessage::Kind::kStarting);
    if (!starting) return false;
  }

  if (op.call == Call::kFork) {
    std::optional<PeerMessage> r = Await(i, proc, deadline, PeerMessage::Kind::kResult);
    if (!r) return false;
    if (!r->obs.harness_error.empty() || r->obs.ret <= 0 ||
        static_cast<size_t>(op.new_peer) >= peers_.size()) {
      Error(i, absl::StrCat("fork failed: ",
                         DescribeObservation(op, r->obs, ctx_)));
      return false;
    }
    PeerProc& made = peers_[op.new_peer];
    made.pid = r->obs.ret;
    made.alive = true;
    ctx_.peer_pids[op.new_peer] = made.pid;
    // A fork has its parent's credentials, dropped or not.
    ctx_.peer_uids[op.new_peer] = ctx_.peer_uids[op.peer];
    ctx_.peer_gids[op.new_peer] = ctx_.peer_gids[op.peer];
    forked_order_.push_back(op.new_peer);
    Record(i, absl::StrCat("forked ", plan_.peers[op.new_peer].name), true);
    return true;
  }

  if (starting && AllowsBlocking(op.expect)) {
    absl::StatusOr<WatchResult> w =
        WaitAsleepOrReady(proc.pid, starting->fd_arg, proc.result.get(), deadline);
    if (!w.ok()) {
      Error(i, absl::StrCat("watching peer ", name, ": ", w.status().message()));
      return false;
    }
    if (w->what == Watch::kAsleep) {
      proc.pending = i;
      proc.pending_fd = starting->fd_arg;
      const double secs = absl::ToDoubleSeconds(w->waited);
      Record(i, absl::StrFormat("blocks (seen asleep after %.3f ms)", secs * 1e3), true, secs);
      NoteRecorded(i, op, nullptr, "blocks");
      return true;
    }
    if (w->what == Watch::kTimeout) {
      PeerHung(i, proc, absl::StrCat("neither finished nor seen asleep (state ",
                                     w->last.ToString(), ")"));
      return false;
    }
    // Ready: the call finished without sleeping; judge what it returned.
  }
  std::optional<PeerMessage> r =
      Await(i, proc, deadline, PeerMessage::Kind::kResult,
            starting ? starting->fd_arg : int64_t{-1});
  if (!r) return false;
  return Judged(i, op, r->obs);
}

bool Coordinator::RunWakes(int i, PeerProc& proc) {
  if (proc.pending < 0) {
    Error(i, "no blocked call to wake");
    return false;
  }
  auto pending = resolved_ops_.find(proc.pending);
  const Op& call = pending != resolved_ops_.end() ? pending->second : plan_.ops[proc.pending];
  step_start_ = absl::Now();
  std::optional<PeerMessage> r = Await(i, proc, StepDeadline(),
                                       PeerMessage::Kind::kResult, proc.pending_fd);
  if (!r) return false;
  proc.pending = -1;
  return Judged(i, call, r->obs);
}

bool Coordinator::RunBlocked(int i, PeerProc& proc) {
  if (proc.pending < 0) {
    Error(i, "no blocked call to check");
    return false;
  }
  const Op& call = plan_.ops[proc.pending];
  absl::StatusOr<WatchResult> w = WaitAsleepOrReady(
      proc.pid, proc.pending_fd, proc.result.get(), StepDeadline());
  if (!w.ok()) {
    Error(i, absl::StrCat("watching: ", w.status().message()));
    return false;
  }
  if (w->what == Watch::kAsleep) {
    Record(i, "still blocked", true, absl::ToDoubleSeconds(w->waited));
    return true;
  }
  if (w->what == Watch::kTimeout) {
    PeerHung(i, proc, absl::StrCat("neither asleep nor finished (state ",
                                   w->last.ToString(), ")"));
    return false;
  }
  std::optional<PeerMessage> r = Await(i, proc, StepDeadline(), PeerMessage::Kind::kResult);
  if (!r) return false;
  proc.pending = -1;
  Absorb(call, r->obs);
  std::string got = DescribeObservation(call, r->obs, ctx_);
  Record(i, got, false);
  Mismatch(i, absl::StrCat(call.text, " still blocked"), got);
  return false;
}

std::optional<std::string> Coordinator::WatchForCertainHang(int i, PeerProc& proc, int64_t fd,
                                                            absl::Time deadline) {
  const HangRules rules = RulesAtOp(hang_rules_, i);
  // The first look comes after 1 ms (most calls have answered by then),
  // then at doubling intervals up to 50 ms: a slow step costs a few /proc reads.
  absl::Duration slice = absl::Milliseconds(1);
  for (;;) {
    const absl::Time now = absl::Now();
    if (now >= deadline) return std::nullopt;
    pollfd p = {proc.result.get(), POLLIN, 0};
    timespec ts = absl::ToTimespec(std::min(slice, deadline - now));
    if (ppoll(&p, 1, &ts, nullptr) != 0) return std::nullopt;  // the answer, or EINTR
    slice = std::min(slice * 2, absl::Milliseconds(50));
    std::vector<HangView> views;
    for (size_t k = 0; k < peers_.size(); ++k) {
      const PeerProc& other = peers_[k];
      HangView v;
      v.name = plan_.peers[k].name;
      v.pid = other.pid;
      v.control_fd = other.control_fd;
      if (&other == &proc) {
        v.role = HangView::Role::kInFlight;
        v.call_fd = fd;
      } else if (!other.alive || other.pid <= 0) {
        v.role = HangView::Role::kGone;
      } else if (other.pending >= 0) {
        v.role = HangView::Role::kPending;
        v.call_fd = other.pending_fd;
      } else {
        v.role = HangView::Role::kIdle;
      }
      views.push_back(std::move(v));
    }
    std::optional<std::string> why =
        CheckCertainHang(views, proc.result.get(), rules, absl::Milliseconds(1));
    if (why) return why;
  }
}

std::optional<PeerMessage> Coordinator::Await(int i, PeerProc& proc,
                                          absl::Time deadline,
                                          PeerMessage::Kind kind,
                                          std::optional<int64_t> watch_fd) {
  if (watch_fd) {
    if (std::optional<std::string> why = WatchForCertainHang(i, proc, *watch_fd, deadline)) {
      PeerHung(i, proc, *why, /*certain=*/true);
      return std::nullopt;
    }
  }
  absl::StatusOr<std::optional<std::string>> f =
      ReadFrameUntil(proc.result.get(), deadline);
  if (!f.ok()) {
    if (absl::IsUnavailable(f.status())) {
      PeerGone(i, proc);
    } else {
      Error(i, absl::StrCat("control channel: ", f.status().message()));
    }
    return std::nullopt;
  }
  if (!f->has_value()) {
    PeerHung(i, proc, "");
    return std::nullopt;
  }
  absl::StatusOr<PeerMessage> m = DecodeMessage(**f);
  if (!m.ok() || m->kind != kind) {
    Error(i, absl::StrCat("unexpected control message from peer ",
                       plan_.peers[plan_.ops[i].peer].name));
    return std::nullopt;
  }
  return *std::move(m);
}

void Coordinator::Absorb(const Op& call, const Observation& obs) {
  for (int slot : call.results) ctx_.bound.erase(slot);
  for (const auto& [slot, addr] : obs.bound) ctx_.bound[slot] = addr;
  for (const auto& [slot, id] : obs.ids) ctx_.ids[slot] = id;
  // drop_privileges reports the peer's credentials after the drop: later
  // cred(PEER) expectations name them.
  if (call.call == Call::kDropPrivileges && obs.ret == 0 && obs.cred &&
      call.peer >= 0 && static_cast<size_t>(call.peer) < ctx_.peer_uids.size()) {
    ctx_.peer_uids[call.peer] = obs.cred->uid;
    ctx_.peer_gids[call.peer] = obs.cred->gid;
  }
}

bool Coordinator::Judged(int i, const Op& call, const Observation& obs) {
  if (!obs.harness_error.empty()) {
    Error(i, obs.harness_error);
    return false;
  }
  Absorb(call, obs);
  const Op* step = Resolved(i);
  if (step == nullptr) return false;
  const Expected& expect = step->expect;
  if (expect.placeholder) {
    // Not yet known: keep what happened; the instance fails at the end.
    std::string got = DescribeObservation(call, obs, ctx_);
    if (first_placeholder_ < 0) {
      first_placeholder_ = i;
      placeholder_observed_ = got;
    }
    Record(i, std::move(got), true);
    result_.trace.back().observation = obs;
    result_.trace.back().call = &call;
    return true;
  }
  if (expect.any_of.empty()) {
    // No stated result: the step only has to succeed.
    std::string got = DescribeObservation(call, obs, ctx_);
    bool ok = obs.ret >= 0 && obs.signals.empty() && obs.leaked.empty();
    Record(i, got, ok);
    result_.trace.back().observation = obs;
    result_.trace.back().call = &call;
    if (!ok) Mismatch(i, "success", got);
    if (ok) NoteRecorded(i, call, &obs, got);
    return ok || GoesOn(i, call, obs);
  }
  Judgement j = Judge(call, expect, obs, ctx_);
  Record(i, j.observed, j.ok);
  result_.trace.back().observation = obs;
  result_.trace.back().call = &call;
  if (!j.ok) Mismatch(i, j.expected, j.observed);
  if (j.ok) NoteRecorded(i, call, &obs, j.observed);
  if (j.ok) Capture(i, call, obs);
  return j.ok || GoesOn(i, call, obs);
}

bool Coordinator::GoesOn(int i, const Op& call, const Observation& obs) const {
  // A `blocks` that returned leaves its `wakes` nothing to wait for; a call
  // that was to make (or receive) an fd and did not leaves later steps
  // without it.
  if (!go_on_ || AllowsBlocking(plan_.ops[i].expect)) return false;
  for (int slot : call.results) {
    if (std::none_of(obs.ids.begin(), obs.ids.end(),
                     [slot](const auto& id) { return id.first == slot; })) {
      return false;
    }
  }
  return true;
}

}  // namespace internal
}  // namespace sockspec
