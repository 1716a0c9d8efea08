// PeerPool (executor.h): peers kept across instances, and only those an
// instance left as a fresh fork would be.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "harness/exec/executor.h"
#include "harness/exec/peer.h"
#include "harness/exec/plan_builder.h"
#include "harness/os/symbols.h"
#include "harness/os/child.h"

namespace sockspec {
namespace {

using testing::Blocks;
using testing::Bytes;
using testing::Err;
using testing::PairOfPeers;
using testing::PlanBuilder;
using testing::Ret;
using testing::WithSignal;

using V = InstanceResult::Verdict;

std::string Show(const InstanceResult& r) {
  return r.failure ? FailureText(*r.failure) : "";
}

// The fd numbers open in process `pid`.
std::vector<int> FdsOf(pid_t pid) {
  std::vector<int> fds;
  DIR* d = opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (d == nullptr) return fds;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') fds.push_back(atoi(e->d_name));
  }
  closedir(d);
  std::sort(fds.begin(), fds.end());
  return fds;
}

std::vector<int64_t> Sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

int CountOwnFds() { return static_cast<int>(FdsOf(getpid()).size()); }

// Admits `plan` to `pool`; options that run with it.
RunOptions With(PeerPool& pool, const Plan& plan) {
  pool.Admit(plan);
  RunOptions options;
  options.peer_pool = &pool;
  return options;
}

TEST(PeerPool, KeepsBothPeersForTheNextInstance) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(5));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("hello"));
  PeerPool pool;
  InstanceResult first = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(first.verdict, V::kPass) << Show(first);
  EXPECT_EQ(pool.idle(), 2u);
  InstanceResult second = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(second.verdict, V::kPass) << Show(second);
  EXPECT_EQ(Sorted(second.context.peer_pids), Sorted(first.context.peer_pids));
  EXPECT_EQ(pool.idle(), 2u);
}

TEST(PeerPool, AForkEndsWithItsInstanceAndItsParentIsKept) {
  // B15 through pooled peers: A forks A2 afresh each time.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.ForkedPeer("A2", "A");
  b.Step("A", Call::kFork, "fork A2").NewPeer("A2");
  b.Step("A", Call::kClose, "close(a)").Fds({"a"}).Expect(Ret(0));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("A2", Call::kClose, "close(a)").Fds({"a"}).Expect(Ret(0));
  b.Step("B", Call::kWakes, "wakes").Expect(Bytes(""));
  PeerPool pool;
  InstanceResult first = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(first.verdict, V::kPass) << Show(first);
  InstanceResult second = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(second.verdict, V::kPass) << Show(second);
  // Which kept peer plays A and which B is the pool's choice.
  EXPECT_EQ(Sorted({second.context.peer_pids[0], second.context.peer_pids[1]}),
            Sorted({first.context.peer_pids[0], first.context.peer_pids[1]}));
  EXPECT_NE(second.context.peer_pids[2], first.context.peer_pids[2]);
  // The first A2 is gone: its parent reaped it.
  EXPECT_NE(kill(static_cast<pid_t>(first.context.peer_pids[2]), 0), 0);
  EXPECT_EQ(pool.idle(), 2u);
}

TEST(PeerPool, APeerThatCaughtASignalIsNotKept) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kClose, "close(b)").Fds({"b"}).Expect(Ret(0));
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x")
      .Expect(WithSignal(Err(EPIPE), SIGPIPE));
  PeerPool pool;
  InstanceResult first = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(first.verdict, V::kPass) << Show(first);
  EXPECT_EQ(pool.idle(), 1u);  // B only
  EXPECT_NE(kill(static_cast<pid_t>(first.context.peer_pids[0]), 0), 0);
  InstanceResult second = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(second.verdict, V::kPass) << Show(second);
  EXPECT_NE(second.context.peer_pids[0], first.context.peer_pids[0]);
  EXPECT_NE(second.context.peer_pids[1], first.context.peer_pids[0]);
}

TEST(PeerPool, APeerThatChangedADispositionIsNotKept) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kSigaction, "sigaction(SIGPIPE, SIG_IGN)")
      .Ints({SIGPIPE, kSigDispositionIgnore}).Expect(Ret(0));
  PeerPool pool;
  InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  EXPECT_EQ(pool.idle(), 1u);
  // So the next instance's A records SIGPIPE again, as a fresh fork does.
  PlanBuilder next = PairOfPeers(SOCK_STREAM);
  next.Step("B", Call::kClose, "close(b)").Fds({"b"}).Expect(Ret(0));
  next.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x")
      .Expect(WithSignal(Err(EPIPE), SIGPIPE));
  InstanceResult after = RunPlan(next.plan(), With(pool, next.plan()));
  EXPECT_EQ(after.verdict, V::kPass) << Show(after);
}

TEST(PeerPool, APeerLeftAsleepInACallIsKilled) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  PeerPool pool;
  InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  EXPECT_EQ(pool.idle(), 1u);  // A only
  EXPECT_NE(kill(static_cast<pid_t>(r.context.peer_pids[1]), 0), 0);
}

TEST(PeerPool, AKeptPeerHoldsOnlyItsChannel) {
  // A's socket is never closed by the case; the pooled peer closes it.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kSocket, "socket(AF_UNIX, SOCK_DGRAM)")
      .Ints({AF_UNIX, SOCK_DGRAM, 0}).Results({"s"}).Expect(testing::AnyReturn());
  PeerPool pool;
  InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  ASSERT_EQ(pool.idle(), 2u);
  const std::vector<int> fds = FdsOf(static_cast<pid_t>(r.context.peer_pids[0]));
  // 0-2 and its command, result and fd channels.
  EXPECT_EQ(fds.size(), 6u) << ::testing::PrintToString(fds);
}

TEST(PeerPool, SetupFdsKeepTheirCloseOnExecFlag) {
  // SCM_RIGHTS does not carry FD_CLOEXEC; a fork does.
  for (int cloexec : {int{SOCK_CLOEXEC}, 0, int{SOCK_CLOEXEC}}) {
    PlanBuilder b = PairOfPeers(SOCK_STREAM | cloexec);
    Outcome flag;
    flag.value = Range::Exactly(cloexec ? FD_CLOEXEC : 0);
    b.Step("A", Call::kFcntl, "fcntl(a, F_GETFD)").Fds({"a"}).Ints({F_GETFD, 0})
        .Expect(flag);
    PeerPool pool;
    InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
    EXPECT_EQ(r.verdict, V::kPass) << cloexec << ": " << Show(r);
  }
}

TEST(PeerPool, APlanAdmittedAfterAPeerWasForkedGetsNewPeers) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  PeerPool pool;
  InstanceResult first = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(first.verdict, V::kPass) << Show(first);
  // Made after those peers were: not in their memory.
  PlanBuilder later = PairOfPeers(SOCK_DGRAM);
  later.Step("B", Call::kWrite, "write(b, \"y\")").Fds({"b"}).Data("y").Expect(Ret(1));
  InstanceResult second = RunPlan(later.plan(), With(pool, later.plan()));
  ASSERT_EQ(second.verdict, V::kPass) << Show(second);
  for (int64_t pid : second.context.peer_pids) {
    EXPECT_NE(pid, first.context.peer_pids[0]);
    EXPECT_NE(pid, first.context.peer_pids[1]);
  }
  // The first plan's peers still serve it.
  InstanceResult third = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(third.verdict, V::kPass) << Show(third);
  EXPECT_EQ(pool.idle(), 4u);
}

TEST(PeerPool, APlanNeverAdmittedGetsFreshForks) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  PeerPool pool;
  RunOptions options;
  options.peer_pool = &pool;
  InstanceResult r = RunPlan(b.plan(), options);
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(PeerPool, APlanWithMoreSetupFdsThanABeginCarriesGetsFreshForks) {
  PlanBuilder b;
  std::vector<std::string> names;
  for (int k = 0; k < kMaxPooledFds / 2 + 1; ++k) {
    names.push_back(absl::StrCat("a", k));
    names.push_back(absl::StrCat("b", k));
  }
  for (int k = 0; k < kMaxPooledFds / 2 + 1; ++k) {
    b.Setup(Call::kSocketpair, "socketpair(AF_UNIX, SOCK_STREAM)")
        .Ints({AF_UNIX, SOCK_STREAM, 0})
        .Results({names[2 * k].c_str(), names[2 * k + 1].c_str()})
        .Expect(Ret(0));
  }
  b.Peer("A", {});
  for (const std::string& name : names) b.Holds("A", name);
  b.Step("A", Call::kWrite, "write(a0, \"x\")").Fds({"a0"}).Data("x").Expect(Ret(1));
  ASSERT_FALSE(FitsPooledBegin(b.plan()));
  PeerPool pool;
  InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(PeerPool, ClearLeavesNoProcessAndNoFd) {
  const int fds_before = CountOwnFds();
  PlanBuilder b = PairOfPeers(SOCK_DGRAM);
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  {
    PeerPool pool;
    for (int k = 0; k < 3; ++k) {
      InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
      ASSERT_EQ(r.verdict, V::kPass) << Show(r);
    }
    EXPECT_EQ(CountOwnFds(), fds_before + 6);  // two idle peers, three fds each
    pool.Clear();
    EXPECT_EQ(pool.idle(), 0u);
  }
  EXPECT_EQ(CountOwnFds(), fds_before);
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(PeerPool, AForkOfTheOwnerStartsEmptyAndLeavesTheOwnersPeersAlone) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  PeerPool pool;
  InstanceResult r = RunPlan(b.plan(), With(pool, b.plan()));
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  ASSERT_EQ(pool.idle(), 2u);
  absl::StatusOr<Child> worker = Child::Spawn([&] {
    if (pool.idle() != 0) return 10;
    InstanceResult w = RunPlan(b.plan(), With(pool, b.plan()));
    if (w.verdict != V::kPass) return 11;
    if (w.context.peer_pids == r.context.peer_pids) return 12;
    pool.Clear();
    return 0;
  });
  ASSERT_TRUE(worker.ok());
  absl::StatusOr<ExitStatus> status = worker->Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->Success()) << status->ToString();
  for (int64_t pid : r.context.peer_pids) EXPECT_EQ(kill(static_cast<pid_t>(pid), 0), 0);
  InstanceResult again = RunPlan(b.plan(), With(pool, b.plan()));
  EXPECT_EQ(again.verdict, V::kPass) << Show(again);
  EXPECT_EQ(Sorted(again.context.peer_pids), Sorted(r.context.peer_pids));
}

}  // namespace
}  // namespace sockspec
