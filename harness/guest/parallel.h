// Running instances: one in this process (RunInstance), or many at once in a
// pool of `jobs` long-lived forked workers (RunInWorkers), each running one
// instance at a time in a fresh executor and sending its outcome back whole
// (failure record included) as JSON over a pipe.
//
//   RunInWorkers(work, 2, options, progress, outcomes);
//
// The workers are forked once per run, not per instance, and are handed the
// costliest instances first (by steps and peers), so one long case does not
// run alone at the end. An instance that waits on a timer it arms (`alarm(2)`)
// sleeps rather than computes: such instances run in workers of their own,
// beside the `jobs` workers, so their sleep holds no CPU's place.
#ifndef SOCKSPEC_HARNESS_GUEST_PARALLEL_H_
#define SOCKSPEC_HARNESS_GUEST_PARALLEL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "harness/exec/executor.h"
#include "harness/plan/plan.h"
#include "harness/report/report.h"

namespace sockspec {

// One instance to run, and the outcome slot its result goes to.
struct Work {
  const Plan* plan;
  size_t slot;
};

// Runs `plan` here and fills `out`'s verdict, failure, recorded answers and
// seconds (its path, instance and title are left as they are).
void RunInstance(const Plan& plan, const RunOptions& options, CaseOutcome& out);

// An estimate of what running `plan` costs, for ordering: its steps plus a
// fork's worth per peer.
size_t EstimatedCost(const Plan& plan);

// The seconds `plan` sleeps on timers it arms (each `alarm(N)`'s N).
int TimerSeconds(const Plan& plan);

// The order of a run's instances: those with TimerSeconds > 0 ("sleepers",
// longest first) for the workers that run sleepers, the rest costliest first
// for the others, which take the sleepers left over once the rest is done.
class WorkQueue {
 public:
  explicit WorkQueue(const std::vector<Work>& work);
  size_t sleepers() const { return sleepers_.size(); }
  bool empty() const { return sleepers_.empty() && rest_.empty(); }
  // The index into `work` an idle worker runs next, or nullopt: nothing left
  // for it (a sleepers' worker gets sleepers only).
  std::optional<size_t> Next(bool sleepers_worker);

 private:
  std::deque<size_t> sleepers_, rest_;
};

// The CPUs this process may run on (its affinity mask), in ascending order;
// empty when the mask cannot be read.
std::vector<int> AllowedCpus();

// Pins this process, and so every process it forks from now on, to `cpu`.
// An instance's processes take turns (the harness waits on one peer's step
// at a time), so one CPU costs them no parallelism; and it keeps fork's and
// copy-on-write's work on that CPU: once a process has run on two CPUs,
// each page it writes after a fork shoots down the other CPU's TLB entry
// with an interrupt, which on a virtual machine costs a VM exit. False, with
// errno set, when the kernel refuses.
bool PinToCpu(int cpu);

using Progress = std::function<void(const CaseOutcome&, int done, int total)>;

// Runs every item of `work` into `outcomes[item.slot]` with `jobs` (>= 1)
// workers, costliest first, and up to kMaxSleeperWorkers more for the
// sleepers (WorkQueue); `progress` (may be empty) is called in completion
// order. A worker that dies leaves its instance a kError naming how it ended,
// and is replaced. Every worker is reaped before it returns. With `pin`,
// worker k runs on the k-th allowed CPU (modulo their number; PinToCpu).
inline constexpr size_t kMaxSleeperWorkers = 8;
void RunInWorkers(const std::vector<Work>& work, int jobs, const RunOptions& options,
                  const Progress& progress, std::vector<CaseOutcome>& outcomes,
                  bool pin = false);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_PARALLEL_H_
