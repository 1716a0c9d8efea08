// How the coordinator reports: step locations, the trace, failures (a peer's
// wrong result, hang or death) and harness errors.
#include <signal.h>
#include <sys/wait.h>

#include "absl/strings/str_cat.h"
#include "harness/coordinator.h"

namespace sockspec {
namespace internal {

std::string Coordinator::Where(int i) const {
  const Op& op = plan_.ops[i];
  const std::string& path = op.loc.path.empty() ? plan_.path : op.loc.path;
  std::string peer;
  if (op.peer >= 0 && static_cast<size_t>(op.peer) < plan_.peers.size()) {
    peer = absl::StrCat(plan_.peers[op.peer].name, ": ");
  }
  return absl::StrCat(path, ":", op.loc.line, ":", op.loc.col, ": ", peer, op.text);
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

void Coordinator::Fail(int i, const std::string& message) {
  if (result_.verdict != InstanceResult::Verdict::kPass) return;
  result_.verdict = InstanceResult::Verdict::kFail;
  result_.report = absl::StrCat(Where(i), ": ", message, "\ntrace:\n");
  for (const StepRecord& r : result_.trace) {
    if (r.op == &plan_.ops[i]) break;
    int index = r.op - plan_.ops.data();
    absl::StrAppend(&result_.report, "  ", Where(index), " -> ", r.observed,
                    r.ok ? "" : "  (mismatch)", "\n");
  }
}

void Coordinator::Error(const std::string& message) {
  if (result_.verdict != InstanceResult::Verdict::kError) result_.report.clear();
  result_.verdict = InstanceResult::Verdict::kError;
  absl::StrAppend(&result_.report, "harness error: ", message, "\n");
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
    Error(absl::StrCat(Where(i), ": peer ", name, " exited unexpectedly (",
                       status->ToString(), ") during ", call.text));
    return;
  }
  Fail(i, absl::StrCat("peer ", name, " died: ",
                       status ? status->ToString() : "control channel closed",
                       " during ", call.text));
}

void Coordinator::PeerHung(int i, PeerProc& proc, const std::string& detail) {
  const Op& call = CallOf(plan_, i, proc);
  const std::string& name = plan_.peers[plan_.ops[i].peer].name;
  // Only this peer: the others are stopped (and its forks killed) at cleanup.
  kill(proc.pid, SIGKILL);
  proc.alive = false;
  // StepDeadline() is the earlier of the two deadlines: say which one ran out.
  const std::string killed =
      absl::Now() >= case_deadline_
          ? absl::StrCat("killed at the case deadline of ", plan_.case_timeout_ms, " ms")
          : absl::StrCat("killed after ", step_ms_, " ms");
  Fail(i, absl::StrCat("peer ", name, " hung in ", call.text,
                       detail.empty() ? "" : absl::StrCat(", ", detail), "; ", killed));
}

}  // namespace internal
}  // namespace sockspec
