// How the coordinator reports: step locations, the trace, failures (a peer's
// wrong result, hang or death) and harness errors.
#include <signal.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/exec/executor_internal.h"

namespace sockspec {
namespace internal {

Failure Coordinator::At(int i, FailureKind kind) const {
  const Op& op = plan_.ops[i];
  Failure f;
  f.kind = kind;
  f.loc = op.loc;
  if (f.loc.path.empty()) f.loc.path = plan_.path;
  if (op.peer >= 0 && static_cast<size_t>(op.peer) < plan_.peers.size()) {
    f.peer = plan_.peers[op.peer].name;
  }
  f.call = op.text;
  f.expected_text = op.expect.text;
  return f;
}

void Coordinator::Record(int i, std::string observed, bool ok, double detect) {
  StepRecord r;
  r.op = &plan_.ops[i];
  r.peer = plan_.ops[i].peer;
  r.observed = std::move(observed);
  r.ok = ok;
  r.detect_seconds = detect;
  result_.trace.push_back(std::move(r));
}

void Coordinator::Mismatch(int i, std::string expected, std::string observed) {
  Failure f = At(i, FailureKind::kMismatch);
  f.expected = std::move(expected);
  f.observed = std::move(observed);
  if (result_.verdict == InstanceResult::Verdict::kFail && go_on_ &&
      result_.failure && result_.failure->loc.line != f.loc.line) {
    result_.later_failures.push_back(std::move(f));
    return;
  }
  if (result_.verdict != InstanceResult::Verdict::kPass) return;
  result_.failure = std::move(f);
  Fail(i, FailureKind::kMismatch, "");
}

void Coordinator::Fail(int i, FailureKind kind, std::string detail) {
  if (result_.verdict == InstanceResult::Verdict::kFail && go_on_ &&
      kind != FailureKind::kMismatch) {
    // A hang or a death after steps that mismatched: the run stops here.
    Failure f = At(i, kind);
    f.detail = std::move(detail);
    result_.later_failures.push_back(std::move(f));
    return;
  }
  if (result_.verdict != InstanceResult::Verdict::kPass) return;
  result_.verdict = InstanceResult::Verdict::kFail;
  if (!result_.failure) {
    result_.failure = At(i, kind);
    result_.failure->detail = std::move(detail);
  }
  // The steps before it; a `wakes` completes its peer's latest call seen
  // asleep and was woken by the last step another peer (or setup) took.
  std::vector<TraceStep>& trace = result_.failure->trace;
  std::vector<int> peer_of;
  auto waker = [&](int peer) {
    for (size_t k = peer_of.size(); k-- > 0;) {
      if (peer_of[k] != peer) return static_cast<int>(k);
    }
    return -1;
  };
  auto wake = [&](int peer, int at) {
    for (size_t k = peer_of.size(); k-- > 0;) {
      if (peer_of[k] == peer && trace[k].asleep && trace[k].woken_at < 0) {
        trace[k].woken_at = at;
        return;
      }
    }
  };
  for (const StepRecord& r : result_.trace) {
    if (r.op == &plan_.ops[i]) break;
    Failure step = At(r.op - plan_.ops.data(), kind);
    TraceStep t{step.loc, step.peer, step.call, r.observed, r.ok, false, -1, -1};
    t.asleep = r.op->call != Call::kWakes && r.op->call != Call::kBlocked &&
               !r.observation && r.detect_seconds >= 0;
    if (r.op->call == Call::kWakes) {
      t.woken_by = waker(r.peer);
      wake(r.peer, static_cast<int>(trace.size()));
    }
    trace.push_back(std::move(t));
    peer_of.push_back(r.peer);
  }
  if (plan_.ops[i].call == Call::kWakes) {
    result_.failure->woken_by = waker(plan_.ops[i].peer);
    wake(plan_.ops[i].peer, static_cast<int>(trace.size()));
  }
}

void Coordinator::Error(int i, const std::string& message) {
  if (result_.verdict == InstanceResult::Verdict::kError) {
    const Failure step = i < 0 ? Failure() : At(i, FailureKind::kHarnessError);
    result_.failure->more_errors.push_back(
        i < 0 ? message
              : absl::StrCat(StepName(step.loc, step.peer, step.call), ": ", message));
    return;
  }
  result_.verdict = InstanceResult::Verdict::kError;
  if (i >= 0) {
    result_.failure = At(i, FailureKind::kHarnessError);
  } else {
    result_.failure = Failure();
    result_.failure->kind = FailureKind::kHarnessError;
  }
  result_.failure->detail = message;
}

void Coordinator::NoteRecorded(int i, const Op& call, const Observation* obs,
                               const std::string& observed) {
  auto resolved = resolved_ops_.find(i);
  const Op& op = resolved != resolved_ops_.end() ? resolved->second : plan_.ops[i];
  if (op.platforms.empty() || op.platforms.front().first == plan_.platform) return;
  const Expected* own = nullptr;
  for (const auto& [name, e] : op.platforms) {
    if (name == plan_.platform) own = &e;
  }
  if (own == nullptr) return;  // the default answer applies here too
  const Expected& fallback = op.platforms.front().second;
  const bool default_ok = obs == nullptr ? AllowsBlocking(fallback)
                                         : Judge(call, fallback, *obs, ctx_).ok;
  if (default_ok) return;
  Failure step = At(i, FailureKind::kMismatch);
  RecordedAnswer a;
  a.loc = step.loc;
  a.peer = step.peer;
  a.call = step.call;
  a.default_platform = op.platforms.front().first;
  a.default_answer = fallback.text;
  a.platform = plan_.platform;
  a.platform_answer = own->text;
  a.source = own->source;
  a.observed = observed;
  result_.recorded.push_back(std::move(a));
}

namespace {

// The call a peer is inside at step i: for wakes/blocked, the one asleep.
const Op& CallOf(const Plan& plan, int i, const PeerProc& proc) {
  const Op& op = plan.ops[i];
  if ((op.call == Call::kWakes || op.call == Call::kBlocked) && proc.pending >= 0) {
    return plan.ops[proc.pending];
  }
  return op;
}

}  // namespace

void Coordinator::PeerGone(int i, PeerProc& proc) {
  const Op& call = CallOf(plan_, i, proc);
  const std::string& name = plan_.peers[plan_.ops[i].peer].name;
  proc.alive = false;
  const absl::Time deadline = absl::Now() + absl::Milliseconds(step_ms_);
  std::optional<ExitStatus> status;
  if (proc.child) {
    // Its channel is closed, so it is exiting; wait for that, bounded.
    absl::Duration backoff = absl::Microseconds(50);
    while (!status && absl::Now() < deadline) {
      absl::StatusOr<std::optional<ExitStatus>> s = proc.child->Poll();
      if (!s.ok()) break;
      status = *s;
      if (status) break;
      timespec ts = absl::ToTimespec(backoff);
      nanosleep(&ts, nullptr);
      backoff = std::min(backoff * 2, absl::Milliseconds(2));
    }
  } else {
    status = ReapForked(proc.pid, deadline);
  }
  if (status && !status->signaled) {
    Error(i, absl::StrCat("peer ", name, " exited unexpectedly (",
                          status->ToString(), ") during ", call.text));
    return;
  }
  Fail(i, FailureKind::kPeerDied, absl::StrCat("peer ", name, " died: ",
                       status ? status->ToString() : "control channel closed",
                       " during ", call.text));
}

void Coordinator::PeerHung(int i, PeerProc& proc, const std::string& detail,
                           bool certain) {
  const Op& call = CallOf(plan_, i, proc);
  const std::string& name = plan_.peers[plan_.ops[i].peer].name;
  // Only this peer: the others are stopped (and its forks killed) at cleanup.
  kill(proc.pid, SIGKILL);
  proc.alive = false;
  // StepDeadline() is the earlier of the two deadlines: say which one ran out.
  const bool at_case_deadline = !certain && absl::Now() >= case_deadline_;
  const std::string killed =
      certain ? absl::StrFormat("killed after %.1f ms, not at the %d ms deadline",
                                absl::ToDoubleMilliseconds(absl::Now() - step_start_),
                                step_ms_)
      : at_case_deadline
          ? absl::StrCat("killed at the case deadline of ", case_ms_, " ms")
          : absl::StrCat("killed after ", step_ms_, " ms");
  Fail(i, at_case_deadline ? FailureKind::kDeadline : FailureKind::kHang,
       absl::StrCat("peer ", name, " hung in ", call.text,
                       detail.empty() ? "" : absl::StrCat(certain ? ": " : ", ", detail),
                       "; ", killed));
}

}  // namespace internal
}  // namespace sockspec
