// Running instances: one in this process (RunInstance), or many at once in a
// pool of `jobs` long-lived forked workers (RunInWorkers), each running one
// instance at a time in a fresh executor and sending its outcome back whole
// (failure record included) as JSON over a pipe.
//
//   RunInWorkers(work, 2, options, progress, outcomes);
//
// The workers are forked once per run, not per instance, and are handed the
// costliest instances first (by steps and peers), so one long case does not
// run alone at the end.
#ifndef SOCKSPEC_HARNESS_GUEST_PARALLEL_H_
#define SOCKSPEC_HARNESS_GUEST_PARALLEL_H_

#include <cstddef>
#include <functional>
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

using Progress = std::function<void(const CaseOutcome&, int done, int total)>;

// Runs every item of `work` into `outcomes[item.slot]` with `jobs` (>= 1)
// workers, costliest first; `progress` (may be empty) is called in completion
// order. A worker that dies leaves its instance a kError naming how it ended,
// and is replaced. Every worker is reaped before it returns.
void RunInWorkers(const std::vector<Work>& work, int jobs, const RunOptions& options,
                  const Progress& progress, std::vector<CaseOutcome>& outcomes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_PARALLEL_H_
