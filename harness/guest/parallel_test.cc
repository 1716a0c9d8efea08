#include "harness/guest/parallel.h"

#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "harness/os/child.h"

namespace sockspec {
namespace {

// A step at `line` of t.case expecting `want` as its return value.
Op Step(Call call, std::string text, int line, std::vector<int64_t> ints, int64_t want) {
  Op op;
  op.call = call;
  op.text = std::move(text);
  op.loc = {"t.case", line, 1};
  op.ints = std::move(ints);
  Outcome o;
  o.ret = Range::Exactly(want);
  op.expect.any_of = {o};
  op.expect.text = std::to_string(want);
  return op;
}

// A plan of one setup step, socketpair(AF_UNIX, SOCK_STREAM), expecting
// `want` (0 passes; anything else is a mismatch), plus `padding` more
// socketpairs that make it look costlier.
Plan SocketpairPlan(int64_t want, int padding = 0) {
  Plan p;
  p.path = "t.case";
  for (int k = 0; k <= padding; ++k) {
    Op op = Step(Call::kSocketpair, "socketpair(AF_UNIX, SOCK_STREAM)", 5 + k,
                 {AF_UNIX, SOCK_STREAM, 0}, k == 0 ? want : 0);
    op.results = {2 * k, 2 * k + 1};
    p.fd_names.push_back("a" + std::to_string(k));
    p.fd_names.push_back("b" + std::to_string(k));
    p.ops.push_back(op);
  }
  return p;
}

TEST(Parallel, CostlierPlansLookCostlier) {
  EXPECT_GT(EstimatedCost(SocketpairPlan(0, 5)), EstimatedCost(SocketpairPlan(0)));
}

// SocketpairPlan with a peer that arms alarm(seconds) and cancels it.
Plan AlarmPlan(int seconds, int padding = 0) {
  Plan p = SocketpairPlan(0, padding);
  p.peers.push_back(PeerDecl{"A", {"t.case", 4, 1}, {}, -1});
  for (int64_t s : {int64_t{seconds}, int64_t{0}}) {
    Op op = Step(Call::kAlarm, "alarm(" + std::to_string(s) + ")",
                 20 + static_cast<int>(p.ops.size()), {s}, s == 0 ? seconds : 0);
    op.peer = 0;
    p.ops.push_back(op);
  }
  return p;
}

TEST(Parallel, TimerSecondsAddsUpTheAlarmsAPlanArms) {
  EXPECT_EQ(TimerSeconds(SocketpairPlan(0, 5)), 0);
  EXPECT_EQ(TimerSeconds(AlarmPlan(2)), 2);
}

TEST(Parallel, SleepersGoToTheirOwnWorkersAndTheRestCostliestFirst) {
  std::vector<Plan> plans = {SocketpairPlan(0, 1), AlarmPlan(1), SocketpairPlan(0, 4),
                             AlarmPlan(3), SocketpairPlan(0, 2)};
  std::vector<Work> work;
  for (size_t k = 0; k < plans.size(); ++k) work.push_back(Work{&plans[k], k});
  WorkQueue q(work);
  EXPECT_EQ(q.sleepers(), 2u);
  // A sleepers' worker: the longest sleep first, then nothing else.
  EXPECT_EQ(q.Next(true), std::optional<size_t>(3));
  // The others: the costliest first; the sleepers left once the rest is done.
  EXPECT_EQ(q.Next(false), std::optional<size_t>(2));
  EXPECT_EQ(q.Next(false), std::optional<size_t>(4));
  EXPECT_EQ(q.Next(false), std::optional<size_t>(0));
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.Next(false), std::optional<size_t>(1));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.Next(true), std::nullopt);
  EXPECT_EQ(q.Next(false), std::nullopt);
}

TEST(Parallel, WorkersFillEverySlotInPlaceAndAreReaped) {
  // Two sleepers among them: alarm(1) plans, each run in a worker of its own.
  std::vector<Plan> plans;
  for (int k = 0; k < 12; ++k) {
    plans.push_back(k == 4 || k == 5 ? AlarmPlan(1, k) : SocketpairPlan(k % 3 == 0 ? 7 : 0, k));
  }
  std::vector<Work> work;
  std::vector<CaseOutcome> outcomes(plans.size());
  for (size_t k = 0; k < plans.size(); ++k) {
    outcomes[k].path = "t.case";
    outcomes[k].instance = std::to_string(k);
    work.push_back(Work{&plans[k], k});
  }
  std::vector<std::string> order;
  RunInWorkers(work, 2, RunOptions{},
               [&](const CaseOutcome& o, int done, int total) {
                 EXPECT_EQ(total, 12);
                 EXPECT_EQ(done, static_cast<int>(order.size()) + 1);
                 order.push_back(o.instance);
               },
               outcomes);
  EXPECT_EQ(order.size(), 12u);
  for (size_t k = 0; k < plans.size(); ++k) {
    // Every third plan expects socketpair to return 7: a mismatch, carried
    // back from the worker as a whole failure record.
    EXPECT_EQ(outcomes[k].instance, std::to_string(k));
    if (k % 3 == 0) {
      EXPECT_EQ(outcomes[k].verdict, Verdict::kFail) << k;
      ASSERT_TRUE(outcomes[k].failure.has_value());
      EXPECT_EQ(outcomes[k].failure->kind, FailureKind::kMismatch);
      EXPECT_EQ(outcomes[k].failure->loc.line, 5);
    } else {
      EXPECT_EQ(outcomes[k].verdict, Verdict::kPass) << k;
    }
  }
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(Parallel, AllowedCpusAreTheAffinityMask) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  const std::vector<int> cpus = AllowedCpus();
  ASSERT_EQ(cpus.size(), static_cast<size_t>(CPU_COUNT(&set)));
  for (int c : cpus) EXPECT_TRUE(CPU_ISSET(c, &set)) << c;
  EXPECT_TRUE(std::is_sorted(cpus.begin(), cpus.end()));
}

// In a child, so this process keeps its mask: pinned to the last allowed
// CPU, the child and a process it forks may run there only.
TEST(Parallel, APinnedProcessAndItsForksRunOnOneCpu) {
  const std::vector<int> cpus = AllowedCpus();
  ASSERT_FALSE(cpus.empty());
  const int cpu = cpus.back();
  absl::StatusOr<Child> child = Child::Spawn([cpu] {
    if (!PinToCpu(cpu)) return 10;
    pid_t fork_pid = fork();
    if (fork_pid == 0) {
      cpu_set_t set;
      if (sched_getaffinity(0, sizeof set, &set) != 0) _exit(11);
      _exit(CPU_COUNT(&set) == 1 && CPU_ISSET(cpu, &set) && sched_getcpu() == cpu ? 0 : 12);
    }
    int status;
    if (fork_pid < 0 || waitpid(fork_pid, &status, 0) != fork_pid) return 13;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 14;
  });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<ExitStatus> status = child->Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->ToString(), "exited 0");
}

TEST(Parallel, PinningToACpuOutOfRangeIsRefused) {
  errno = 0;
  EXPECT_FALSE(PinToCpu(-1));
  EXPECT_EQ(errno, EINVAL);
  EXPECT_FALSE(PinToCpu(CPU_SETSIZE));
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
}  // namespace sockspec
