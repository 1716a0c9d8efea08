#include "harness/guest/parallel.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "harness/exec/control.h"
#include "harness/exec/prerequisites.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/result/outcome_json.h"

namespace sockspec {

void RunInstance(const Plan& plan, const RunOptions& options, CaseOutcome& out) {
  if (std::optional<std::string> why = UnmetPrerequisite(plan)) {
    out.verdict = Verdict::kSkip;
    out.skip_reason = std::move(*why);
    return;
  }
  InstanceResult r = RunPlan(plan, options);
  out.verdict = r.verdict == InstanceResult::Verdict::kPass   ? Verdict::kPass
                : r.verdict == InstanceResult::Verdict::kFail ? Verdict::kFail
                                                              : Verdict::kError;
  out.failure = std::move(r.failure);
  out.recorded = std::move(r.recorded);
  out.later_failures = std::move(r.later_failures);
  out.step_lines = std::move(r.step_lines);
  out.not_run = std::move(r.not_run);
  out.seconds = r.seconds;
}

size_t EstimatedCost(const Plan& plan) {
  // A fork and its reaping cost about three round trips of a step.
  return plan.ops.size() + 3 * plan.peers.size();
}

int TimerSeconds(const Plan& plan) {
  int64_t seconds = 0;
  for (const Op& op : plan.ops) {
    if (op.call == Call::kAlarm && !op.ints.empty() && op.ints[0] > 0) seconds += op.ints[0];
  }
  return static_cast<int>(std::min<int64_t>(seconds, 1 << 20));
}

WorkQueue::WorkQueue(const std::vector<Work>& work) {
  // Each plan's sort key once: timer seconds, then estimated cost.
  std::vector<std::pair<int, size_t>> key(work.size());
  std::vector<size_t> order(work.size());
  for (size_t k = 0; k < work.size(); ++k) {
    key[k] = {TimerSeconds(*work[k].plan), EstimatedCost(*work[k].plan)};
    order[k] = k;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return key[a] > key[b]; });
  for (size_t k : order) (key[k].first > 0 ? sleepers_ : rest_).push_back(k);
}

std::optional<size_t> WorkQueue::Next(bool sleepers_worker) {
  std::deque<size_t>& q = sleepers_worker || rest_.empty() ? sleepers_ : rest_;
  if (q.empty()) return std::nullopt;
  const size_t k = q.front();
  q.pop_front();
  return k;
}

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

bool PinToCpu(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) {
    errno = EINVAL;
    return false;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

namespace {

// A worker as the pool sees it: the process, the pipe it reads work indices
// from, the pipe its outcomes come back on, and the index it is running.
struct Worker {
  std::optional<Child> child;
  UniqueFd cmd;
  UniqueFd result;
  long busy = -1;
  bool sleepers = false;  // runs only the instances that sleep on timers
};

// The worker's loop: an index in, that instance's outcome (JSON) out, until
// the pool closes its command pipe.
int Serve(int cmd, int result, const std::vector<Work>& work, const RunOptions& options,
          const std::vector<CaseOutcome>& outcomes) {
  int status = 0;
  for (;;) {
    absl::StatusOr<std::string> frame = ReadFrame(cmd);
    size_t k;
    if (!frame.ok() || !absl::SimpleAtoi(*frame, &k) || k >= work.size()) break;
    CaseOutcome o = outcomes[work[k].slot];
    RunInstance(*work[k].plan, options, o);
    if (!WriteFrame(result, JsonReport({o})).ok()) {
      status = 3;
      break;
    }
  }
  // The kept peers go with the worker, before it exits.
  if (options.peer_pool != nullptr) options.peer_pool->Clear();
  return status;
}

absl::Status Start(std::vector<Worker>& pool, size_t w, const std::vector<Work>& work,
                   const RunOptions& options, const std::vector<CaseOutcome>& outcomes,
                   const std::vector<int>& cpus) {
  int cmd[2], res[2];
  if (pipe2(cmd, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
  if (pipe2(res, O_CLOEXEC) != 0) {
    const int err = errno;
    close(cmd[0]);
    close(cmd[1]);
    return ErrnoStatus("pipe2()", err);
  }
  UniqueFd cmd_r(cmd[0]), cmd_w(cmd[1]), res_r(res[0]), res_w(res[1]);
  absl::StatusOr<Child> child = Child::Spawn([&] {
    // Only its own ends: another worker's command pipe held open here would
    // keep that worker from ever seeing the end of its work.
    for (Worker& other : pool) {
      other.cmd.reset();
      other.result.reset();
    }
    cmd_w.reset();
    res_r.reset();
    // A CPU the kernel refuses (taken away since) leaves the worker unpinned.
    if (!cpus.empty()) PinToCpu(cpus[w % cpus.size()]);
    return Serve(cmd_r.get(), res_w.get(), work, options, outcomes);
  });
  if (!child.ok()) return child.status();
  child->ForwardInterrupts();  // so it removes its own directory
  pool[w].child = std::move(*child);
  pool[w].cmd = std::move(cmd_w);
  pool[w].result = std::move(res_r);
  pool[w].busy = -1;
  return absl::OkStatus();
}

void Failed(CaseOutcome& out, const std::string& why) {
  out.verdict = Verdict::kError;
  out.failure = TextFailure(FailureKind::kHarnessError, why);
}

}  // namespace

void RunInWorkers(const std::vector<Work>& work, int jobs, const RunOptions& options,
                  const Progress& progress, std::vector<CaseOutcome>& outcomes,
                  bool pin) {
  // A command written to a worker that died must be an EPIPE, not our death.
  struct sigaction ignore = {}, old_pipe = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);
  WorkQueue queue(work);
  const std::vector<int> cpus = pin ? AllowedCpus() : std::vector<int>();
  const size_t cpu_workers = std::max<size_t>(1, std::min<size_t>(jobs, work.size()));
  const size_t sleeper_workers = std::min(queue.sleepers(), kMaxSleeperWorkers);
  std::vector<Worker> pool(cpu_workers + sleeper_workers);
  for (size_t w = cpu_workers; w < pool.size(); ++w) pool[w].sleepers = true;
  int done = 0;
  auto finish = [&](long k) {
    if (progress) progress(outcomes[work[k].slot], ++done, work.size());
  };
  auto fail_the_rest = [&](const absl::Status& s) {
    while (std::optional<size_t> k = queue.Next(false)) {
      Failed(outcomes[work[*k].slot], s.ToString());
      finish(static_cast<long>(*k));
    }
  };
  for (size_t w = 0; w < pool.size(); ++w) {
    if (absl::Status s = Start(pool, w, work, options, outcomes, cpus); !s.ok()) {
      fail_the_rest(s);
      break;
    }
  }
  for (;;) {
    // Hand every idle worker its next instance.
    for (Worker& w : pool) {
      if (!w.child || w.busy >= 0) continue;
      std::optional<size_t> k = queue.Next(w.sleepers);
      if (!k) continue;
      w.busy = static_cast<long>(*k);
      if (!WriteFrame(w.cmd.get(), absl::StrCat(w.busy)).ok()) {
        // Gone before its work: the read below sees its pipe close.
      }
    }
    std::vector<pollfd> pfds;
    std::vector<Worker*> who;
    for (Worker& w : pool) {
      if (w.child && w.busy >= 0) {
        pfds.push_back({w.result.get(), POLLIN, 0});
        who.push_back(&w);
      }
    }
    if (pfds.empty()) break;
    if (poll(pfds.data(), pfds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < pfds.size(); ++i) {
      if (pfds[i].revents == 0) continue;
      Worker& w = *who[i];
      CaseOutcome& out = outcomes[work[w.busy].slot];
      absl::StatusOr<std::string> frame = ReadFrame(w.result.get());
      absl::StatusOr<std::vector<CaseOutcome>> sent =
          frame.ok() ? ParseJsonOutcomes(*frame)
                     : absl::StatusOr<std::vector<CaseOutcome>>(frame.status());
      const long k = w.busy;
      w.busy = -1;
      if (sent.ok() && sent->size() == 1) {
        out.verdict = (*sent)[0].verdict;
        out.seconds = (*sent)[0].seconds;
        out.skip_reason = std::move((*sent)[0].skip_reason);
        out.failure = std::move((*sent)[0].failure);
        out.recorded = std::move((*sent)[0].recorded);
        out.later_failures = std::move((*sent)[0].later_failures);
        out.step_lines = std::move((*sent)[0].step_lines);
        out.not_run = std::move((*sent)[0].not_run);
        finish(k);
        continue;
      }
      // The worker died (or garbled its answer): say how, and replace it.
      w.cmd.reset();
      w.result.reset();
      absl::StatusOr<ExitStatus> status = w.child->Wait();
      w.child.reset();
      Failed(out, absl::StrCat("harness worker for ", DisplayName(out),
                               " ended without a result (",
                               status.ok() ? status->ToString()
                                           : std::string(status.status().message()),
                               ")"));
      finish(k);
      const size_t index = &w - pool.data();
      if (!queue.empty()) {  // the replacement keeps its place's role
        if (absl::Status s = Start(pool, index, work, options, outcomes, cpus); !s.ok()) {
          fail_the_rest(s);
        }
      }
    }
  }
  // No more work: closing the command pipes ends each worker's loop.
  for (Worker& w : pool) {
    w.cmd.reset();
    w.result.reset();
  }
  for (Worker& w : pool) {
    if (!w.child) continue;
    w.child->Wait().IgnoreError();
  }
  sigaction(SIGPIPE, &old_pipe, nullptr);
}

}  // namespace sockspec
