#include "harness/guest/parallel.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

// A plan of one setup step, socketpair(AF_UNIX, SOCK_STREAM), expecting
// `want` (0 passes; anything else is a mismatch), plus `padding` more
// socketpairs that make it look costlier.
Plan SocketpairPlan(int64_t want, int padding = 0) {
  Plan p;
  p.path = "t.case";
  for (int k = 0; k <= padding; ++k) {
    Op op;
    op.call = Call::kSocketpair;
    op.text = "socketpair(AF_UNIX, SOCK_STREAM)";
    op.loc = {"t.case", 5 + k, 1};
    op.ints = {AF_UNIX, SOCK_STREAM, 0};
    op.results = {2 * k, 2 * k + 1};
    p.fd_names.push_back("a" + std::to_string(k));
    p.fd_names.push_back("b" + std::to_string(k));
    Outcome o;
    o.ret = Range::Exactly(k == 0 ? want : 0);
    op.expect.any_of = {o};
    op.expect.text = std::to_string(k == 0 ? want : 0);
    p.ops.push_back(op);
  }
  return p;
}

TEST(Parallel, CostlierPlansLookCostlier) {
  EXPECT_GT(EstimatedCost(SocketpairPlan(0, 5)), EstimatedCost(SocketpairPlan(0)));
}

TEST(Parallel, WorkersFillEverySlotInPlaceAndAreReaped) {
  std::vector<Plan> plans;
  for (int k = 0; k < 12; ++k) plans.push_back(SocketpairPlan(k % 3 == 0 ? 7 : 0, k));
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

}  // namespace
}  // namespace sockspec
