#include "harness/executor.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "harness/plan_builder.h"

namespace sockspec {
namespace {

using testing::Blocks;
using testing::Bytes;
using testing::Err;
using testing::PlanBuilder;
using testing::Ret;
using testing::WithSignal;

using V = InstanceResult::Verdict;

// socketpair(AF_UNIX, type) = a, b; peer A holds a; peer B holds b.
PlanBuilder PairOfPeers(int type) {
  PlanBuilder b;
  b.Setup(Call::kSocketpair, "socketpair(AF_UNIX, TYPE)")
      .Ints({AF_UNIX, type, 0})
      .Results({"a", "b"})
      .Expect(Ret(0));
  b.Peer("A", {"a"});
  b.Peer("B", {"b"});
  return b;
}

int CountOpenFds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the directory stream's own fd
}

std::string Show(const InstanceResult& r) { return r.report; }

TEST(Executor, SocketpairStreamWriteThenReadPasses) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(5));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("hello"));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
  EXPECT_EQ(r.report, "");
  ASSERT_EQ(r.trace.size(), 3u);
  EXPECT_EQ(r.trace[2].observed, "5 \"hello\"");
}

TEST(Executor, WrongExpectationFailsAtTheStepWithExpectedAndGot) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(5));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("help"));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(r.report,
            "t.case:12:1: B: read(b, 10): expected \"help\", got 5 \"hello\"; "
            "first difference at byte 3\n"
            "trace:\n"
            "  t.case:10:1: socketpair(AF_UNIX, TYPE) -> 0\n"
            "  t.case:11:1: A: write(a, \"hello\") -> 5\n");
}

TEST(Executor, DatagramWritesArriveAsSeparateMessages) {
  // unix(7): SOCK_DGRAM keeps message boundaries.
  PlanBuilder b = PairOfPeers(SOCK_DGRAM);
  b.Step("A", Call::kWrite, "write(a, \"ab\")").Fds({"a"}).Data("ab").Expect(Ret(2));
  b.Step("A", Call::kWrite, "write(a, \"cde\")").Fds({"a"}).Data("cde").Expect(Ret(3));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("ab"));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("cde"));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, BlockingReadIsSeenAsleepThenWokenByTheOtherPeersWrite) {
  // read(2) on an empty blocking stream sleeps until data arrives (B42).
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("B", Call::kBlocked, "blocked");
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  b.Step("B", Call::kWakes, "wakes").Expect(Bytes("x"));
  InstanceResult r = RunPlan(b.plan(), {});
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  ASSERT_EQ(r.trace.size(), 5u);
  EXPECT_EQ(r.trace[1].observed.rfind("blocks (seen asleep after ", 0), 0u);
  EXPECT_GT(r.trace[1].detect_seconds, 0);
  EXPECT_EQ(r.trace[2].observed, "still blocked");
  EXPECT_EQ(r.trace[4].observed, "1 \"x\"");
  printf("blocking detection took %.3f ms\n", r.trace[1].detect_seconds * 1e3);
}

TEST(Executor, BlocksExpectationOnACallThatReturnsFails) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(r.report.substr(0, r.report.find('\n')),
            "t.case:12:1: B: read(b, 10): expected blocks, got 1 \"x\"");
}

TEST(Executor, PeerThatHangsUnexpectedlyIsKilledAtTheStepDeadline) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("x"));
  RunOptions options;
  options.step_timeout_ms = 300;  // a deadline for the hang, not a wait
  InstanceResult r = RunPlan(b.plan(), options);
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(r.report.substr(0, r.report.find('\n')),
            "t.case:11:1: B: read(b, 10): peer B hung in read(b, 10); "
            "killed after 300 ms");
}

TEST(Executor, PeerKilledBySigsegvIsReportedWithTheStep) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kRaise, "raise(SIGSEGV)").Ints({SIGSEGV}).Expect(Ret(0));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(r.report.substr(0, r.report.find('\n')),
            "t.case:11:1: A: raise(SIGSEGV): peer A died: killed by SIGSEGV "
            "during raise(SIGSEGV)");
}

TEST(Executor, ForkedCopyKeepsEofAwayUntilBothCopiesAreClosed) {
  // B15: EOF waits for every copy of the peer fd.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.ForkedPeer("A2", "A");
  b.Step("A", Call::kFork, "fork A2").NewPeer("A2");
  b.Step("A", Call::kClose, "close(a)").Fds({"a"}).Expect(Ret(0));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("A2", Call::kClose, "close(a)").Fds({"a"}).Expect(Ret(0));
  b.Step("B", Call::kWakes, "wakes").Expect(Bytes(""));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, WriteToClosedPeerIsEpipeWithSigpipeRecorded) {
  // B19: send(2) on a stream whose peer is gone fails EPIPE and raises SIGPIPE.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kClose, "close(b)").Fds({"b"}).Expect(Ret(0));
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x")
      .Expect(WithSignal(Err(EPIPE), SIGPIPE));
  b.Step("A", Call::kSend, "send(a, \"x\", MSG_NOSIGNAL)").Fds({"a"}).Data("x")
      .Ints({MSG_NOSIGNAL}).Expect(Err(EPIPE));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, UnexpectedSigpipeFailsTheStep) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kClose, "close(b)").Fds({"b"}).Expect(Ret(0));
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Err(EPIPE));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(r.report.substr(0, r.report.find('\n')),
            "t.case:12:1: A: write(a, \"x\"): expected -1 EPIPE, got -1 EPIPE "
            "signal SIGPIPE");
}

TEST(Executor, FcntlSetsNonblockSoAnEmptyReadIsEagain) {
  // B39: a non-blocking read on an empty socket fails EAGAIN.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  Outcome zero;
  zero.value = Range::Exactly(0);  // fcntl's result is its value
  b.Step("B", Call::kFcntl, "fcntl(b, F_SETFL, O_NONBLOCK)").Fds({"b"})
      .Ints({F_SETFL, O_NONBLOCK}).Expect(zero);
  Outcome nonblock;
  nonblock.value = Range::Exactly(O_NONBLOCK);
  b.Step("B", Call::kFcntl, "fcntl(b, F_GETFL)").Fds({"b"}).Ints({F_GETFL, 0})
      .Expect(nonblock);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Err(EAGAIN));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

PlanBuilder NamedPair(PairKind kind, int type) {
  PlanBuilder b;
  b.Setup(Call::kPair, "pair(KIND, TYPE)")
      .Ints({static_cast<int64_t>(kind), type})
      .Results({"a", "b"})
      .Expect(Ret(0));
  b.Peer("A", {"a"});
  b.Peer("B", {"b"});
  b.Step("A", Call::kWrite, "write(a, \"ping\")").Fds({"a"}).Data("ping").Expect(Ret(4));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("ping"));
  // The peer's address is the one recorded when the pair was made.
  Outcome named = Ret(0);
  named.addr = AddressSpec{AddressSpec::Kind::kBoundOf, "", 0, b.Slot("a")};
  b.Step("B", Call::kGetpeername, "getpeername(b)").Fds({"b"}).Expect(named);
  return b;
}

TEST(Executor, PathnameStreamPairConnectsInThePrivateDirectory) {
  InstanceResult r = RunPlan(NamedPair(PairKind::kPathname, SOCK_STREAM).plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, AbstractDatagramPairConnects) {
  InstanceResult r = RunPlan(NamedPair(PairKind::kAbstract, SOCK_DGRAM).plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, Inet4StreamPairConnectsOverLoopback) {
  InstanceResult r = RunPlan(NamedPair(PairKind::kInet4, SOCK_STREAM).plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, BoundPathIsReportedByGetsockname) {
  // unix(7): getsockname returns the name given to bind.
  PlanBuilder b;
  b.Setup(Call::kSocket, "socket(AF_UNIX, SOCK_STREAM)")
      .Ints({AF_UNIX, SOCK_STREAM, 0}).Results({"l"}).Expect(testing::AnyReturn());
  b.Setup(Call::kBind, "bind(l, path(\"srv\"))").Fds({"l"})
      .Addr(AddressSpec{AddressSpec::Kind::kPath, "srv"}).Expect(Ret(0));
  b.Setup(Call::kListen, "listen(l, 1)").Fds({"l"}).Ints({1}).Expect(Ret(0));
  b.Peer("S", {"l"});
  Outcome named = Ret(0);
  named.addr = AddressSpec{AddressSpec::Kind::kPath, "srv"};
  b.Step("S", Call::kGetsockname, "getsockname(l)").Fds({"l"}).Expect(named);
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

TEST(Executor, LeavesNoFdNoProcessAndNoDirectoryBehind) {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string root = std::string(tmp ? tmp : "/tmp") + "/leaks.XXXXXX";
  ASSERT_NE(mkdtemp(root.data()), nullptr) << root;
  const int fds_before = CountOpenFds();

  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.ForkedPeer("A2", "A");
  b.Step("A", Call::kFork, "fork A2").NewPeer("A2");
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  RunOptions options;
  options.tmp_root = root;
  InstanceResult r = RunPlan(b.plan(), options);
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);

  EXPECT_EQ(CountOpenFds(), fds_before);
  // Every peer, forks included, has been reaped.
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  // The private directory is gone: the root is empty again.
  EXPECT_EQ(rmdir(root.c_str()), 0) << root;
}

}  // namespace
}  // namespace sockspec
