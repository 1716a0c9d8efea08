// The case-level deadline: however the time is spent, a case instance ends
// by Plan::case_timeout_ms, and the report names the step it was in.
#include <poll.h>
#include <sys/socket.h>

#include <string>

#include "gtest/gtest.h"
#include "harness/exec/executor.h"
#include "harness/exec/plan_builder.h"

namespace sockspec {
namespace {

using testing::Bytes;
using testing::PlanBuilder;
using testing::Ret;
using V = InstanceResult::Verdict;

PlanBuilder PairOfPeers() {
  PlanBuilder b;
  b.Setup(Call::kSocketpair, "socketpair(AF_UNIX, SOCK_STREAM)")
      .Ints({AF_UNIX, SOCK_STREAM, 0})
      .Results({"a", "b"})
      .Expect(Ret(0));
  b.Peer("A", {"a"});
  b.Peer("B", {"b"});
  return b;
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string Show(const InstanceResult& r) {
  return r.failure ? FailureText(*r.failure) : "";
}

TEST(ExecutorDeadline, HangLongerThanTheCaseDeadlineIsKilledAtIt) {
  PlanBuilder b = PairOfPeers();
  // A poll whose own timeout (a minute) is far beyond the case deadline: not
  // a certain hang (time ends it), so the case deadline is what stops it.
  b.Step("B", Call::kPoll, "poll(b, POLLIN, 60000)").Fds({"b"}).Ints({POLLIN, 60000})
      .Expect(Ret(1));
  b.plan().case_timeout_ms = 300;  // a deadline for the hang, not a wait
  b.plan().step_timeout_ms = 60000;
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(FirstLine(Show(r)),
            "t.case:11:1: B: poll(b, POLLIN, 60000): peer B hung in "
            "poll(b, POLLIN, 60000); killed at the case deadline of 300 ms");
  EXPECT_EQ(r.failure->kind, FailureKind::kDeadline);
}

TEST(ExecutorDeadline, StepsThatEachFinishStillStopAtTheCaseDeadline) {
  PlanBuilder b = PairOfPeers();
  // poll with a 100 ms timeout on an empty socket returns 0 after 100 ms:
  // every step is in time, ten of them are not.
  for (int k = 0; k < 10; ++k) {
    b.Step("A", Call::kPoll, "poll(a, POLLIN, 100)")
        .Fds({"a"})
        .Ints({POLLIN, 100})
        .Expect(Ret(0));
  }
  b.plan().case_timeout_ms = 350;
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail) << Show(r);
  // The step that was running when 350 ms passed, or the next one.
  EXPECT_TRUE(FirstLine(Show(r)).find("case deadline of 350 ms") != std::string::npos)
      << Show(r);
  EXPECT_LT(r.trace.size(), 10u);
}

}  // namespace
}  // namespace sockspec
