#include "harness/exec/executor.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "harness/exec/plan_builder.h"

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

int CountOpenFds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the directory stream's own fd
}

std::string Show(const InstanceResult& r) {
  return r.failure ? FailureText(*r.failure) : "";
}

TEST(Executor, SocketpairStreamWriteThenReadPasses) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(5));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("hello"));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
  EXPECT_EQ(Show(r), "");
  ASSERT_EQ(r.trace.size(), 3u);
  EXPECT_EQ(r.trace[2].observed, "5 \"hello\"");
}

TEST(Executor, WrongExpectationFailsAtTheStepWithExpectedAndGot) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(5));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("help"));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(Show(r),
            "t.case:12:1: B: read(b, 10): expected \"help\", got 5 \"hello\"; "
            "first difference at byte 3\n"
            "trace:\n"
            "  t.case:10:1: socketpair(AF_UNIX, TYPE) -> 0\n"
            "  t.case:11:1: A: write(a, \"hello\") -> 5\n");
  // The record behind the text, as every report reads it.
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->kind, FailureKind::kMismatch);
  EXPECT_EQ(r.failure->loc.line, 12);
  EXPECT_EQ(r.failure->peer, "B");
  EXPECT_EQ(r.failure->call, "read(b, 10)");
  EXPECT_EQ(r.failure->expected, "\"help\"");
  EXPECT_EQ(r.failure->observed, "5 \"hello\"; first difference at byte 3");
  ASSERT_EQ(r.failure->trace.size(), 2u);
  EXPECT_EQ(r.failure->trace[1].observed, "5");
}

TEST(Executor, GoingOnAfterAMismatchJudgesLaterStepsUntilABlocksThatReturned) {
  // Per-step verdicts (a guest's run): after a wrong return value the peers
  // keep what was observed and the run goes on; after a `blocks` whose call
  // returned there is no sleeping call for what follows, so it stops there.
  PlanBuilder b = PairOfPeers(SOCK_DGRAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(4));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("hello"));
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(2));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("A", Call::kWrite, "write(a, \"y\")").Fds({"a"}).Data("y").Expect(Ret(1));
  RunOptions options;
  options.go_on_after_mismatch = true;
  InstanceResult r = RunPlan(b.plan(), options);
  EXPECT_EQ(r.verdict, V::kFail);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->loc.line, 11);
  EXPECT_EQ(r.failure->observed, "5");
  ASSERT_EQ(r.later_failures.size(), 2u) << Show(r);
  EXPECT_EQ(r.later_failures[0].loc.line, 13);
  EXPECT_EQ(r.later_failures[0].observed, "1");
  EXPECT_EQ(r.later_failures[1].loc.line, 14);
  EXPECT_EQ(r.later_failures[1].expected, "blocks");
  EXPECT_EQ(r.step_lines, std::vector<int>({10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(r.not_run, std::vector<int>({15}));
}

TEST(Executor, GoingOnStopsWhereAnFdTheCaseNamesWasNotMade) {
  // dup(a) = d is expected to fail here but succeeds, so d exists and the
  // run goes on; the recvmsg that was to receive g gets data but no fd, so
  // the step that uses g cannot run.
  PlanBuilder b = PairOfPeers(SOCK_DGRAM);
  b.Step("A", Call::kDup, "dup(a)").Fds({"a"}).Results({"d"}).Expect(Err(EBADF));
  b.Step("A", Call::kWrite, "write(d, \"x\")").Fds({"d"}).Data("x").Expect(Ret(1));
  b.Step("B", Call::kRecvmsg, "recvmsg(b, 10, 0, rights=1)")
      .Fds({"b"}).Ints({10, 0, 1}).Results({"g"}).Expect(Bytes("z"));
  b.Step("B", Call::kWrite, "write(g, \"y\")").Fds({"g"}).Data("y").Expect(Ret(1));
  RunOptions options;
  options.go_on_after_mismatch = true;
  InstanceResult r = RunPlan(b.plan(), options);
  EXPECT_EQ(r.verdict, V::kFail) << Show(r);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->loc.line, 11);
  // Line 13 mismatched and bound no fd: the run stops after it.
  ASSERT_EQ(r.later_failures.size(), 1u);
  EXPECT_EQ(r.later_failures[0].loc.line, 13);
  EXPECT_EQ(r.not_run, std::vector<int>({14}));
}

TEST(Executor, WithoutGoingOnTheRunStopsAtTheFirstMismatch) {
  PlanBuilder b = PairOfPeers(SOCK_DGRAM);
  b.Step("A", Call::kWrite, "write(a, \"hello\")").Fds({"a"}).Data("hello").Expect(Ret(4));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("hello"));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_TRUE(r.later_failures.empty());
  EXPECT_EQ(r.not_run, std::vector<int>({12}));
}

TEST(Executor, AStepPassedOnlyByThePlatformsOwnAnswerIsRecorded) {
  // A plan made for platform "gvisor": its answer (5) is what this kernel
  // gives, the default platform's (4) is not.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.plan().platform = "gvisor";
  b.Step("A", Call::kWrite, "write(a, \"k = v\")").Fds({"a"}).Data("k = v").Expect(Ret(5));
  Op& write = b.plan().ops.back();
  write.expect.text = "5";
  write.expect.source = "self-test";
  Expected linux_answer;
  linux_answer.any_of.push_back(Ret(4));
  linux_answer.text = "4";
  write.platforms = {{"linux", linux_answer}, {"gvisor", write.expect}};
  // Here both platforms allow what happens: nothing is recorded.
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("k = v"));
  Op& read = b.plan().ops.back();
  read.platforms = {{"linux", read.expect}, {"gvisor", read.expect}};
  InstanceResult r = RunPlan(b.plan(), {});
  ASSERT_EQ(r.verdict, V::kPass) << Show(r);
  ASSERT_EQ(r.recorded.size(), 1u);
  EXPECT_EQ(r.recorded[0].call, "write(a, \"k = v\")");
  EXPECT_EQ(r.recorded[0].peer, "A");
  EXPECT_EQ(r.recorded[0].default_platform, "linux");
  EXPECT_EQ(r.recorded[0].default_answer, "4");
  EXPECT_EQ(r.recorded[0].platform, "gvisor");
  EXPECT_EQ(r.recorded[0].platform_answer, "5");
  EXPECT_EQ(r.recorded[0].source, "self-test");
  EXPECT_EQ(r.recorded[0].observed, "5");
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

TEST(Executor, FailureTraceSaysWhichCallSleptAndWhoWokeIt) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  b.Step("B", Call::kWakes, "wakes").Expect(Bytes("x"));
  b.Step("A", Call::kWrite, "write(a, \"y\")").Fds({"a"}).Data("y").Expect(Ret(2));
  InstanceResult r = RunPlan(b.plan(), {});
  ASSERT_EQ(r.verdict, V::kFail) << Show(r);
  const std::vector<TraceStep>& t = r.failure->trace;
  ASSERT_EQ(t.size(), 4u);  // the setup's socketpair, then B, A, B
  EXPECT_FALSE(t[0].asleep);
  EXPECT_TRUE(t[1].asleep);
  EXPECT_EQ(t[1].woken_at, 3);
  EXPECT_FALSE(t[2].asleep);
  EXPECT_EQ(t[3].call, "wakes");
  EXPECT_EQ(t[3].woken_by, 2);  // A's write
  EXPECT_EQ(r.failure->woken_by, -1);
}

TEST(Executor, FailingWakeIsTheStepThatCompletesTheSleepingCall) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  b.Step("B", Call::kWakes, "wakes").Expect(Bytes("y"));
  InstanceResult r = RunPlan(b.plan(), {});
  ASSERT_EQ(r.verdict, V::kFail) << Show(r);
  const std::vector<TraceStep>& t = r.failure->trace;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_TRUE(t[1].asleep);
  EXPECT_EQ(t[1].woken_at, 3);  // trace.size(): the failing step
  EXPECT_EQ(r.failure->woken_by, 2);
}

TEST(Executor, BlocksExpectationOnACallThatReturnsFails) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kWrite, "write(a, \"x\")").Fds({"a"}).Data("x").Expect(Ret(1));
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(FailureHeadline(*r.failure),
            "t.case:12:1: B: read(b, 10): expected blocks, got 1 \"x\"");
}

TEST(Executor, PeerThatHangsWhereNothingCanWakeItIsReportedAtOnce) {
  // Nobody writes and A, the only other peer, waits for a command: the
  // read can never return, so the harness says so without waiting for the
  // (here ten-minute) step deadline.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Bytes("x"));
  RunOptions options;
  options.step_timeout_ms = 600000;
  InstanceResult r = RunPlan(b.plan(), options);
  EXPECT_EQ(r.verdict, V::kFail);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->kind, FailureKind::kHang);
  const std::string head = FailureHeadline(*r.failure);
  EXPECT_EQ(head.rfind("t.case:11:1: B: read(b, 10): peer B hung in read(b, 10): "
                       "B is asleep in read on fd ", 0), 0u) << head;
  EXPECT_NE(head.find("; A waits for a command; no timeout, timer or signal can "
                      "end it; killed after "), std::string::npos) << head;
  EXPECT_NE(head.find(" ms, not at the 600000 ms deadline"), std::string::npos) << head;
}

TEST(Executor, StepStuckInAWakeThatNeverCameIsReportedAtOnce) {
  // B's read is seen asleep as expected; A writes nothing that could wake
  // it (a zero-byte write), so `wakes` can never be answered.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kRead, "read(b, 10)").Fds({"b"}).Ints({10}).Expect(Blocks());
  b.Step("A", Call::kWrite, "write(a, \"\")").Fds({"a"}).Data("").Expect(Ret(0));
  b.Step("B", Call::kWakes, "wakes").Expect(Bytes("x"));
  RunOptions options;
  options.step_timeout_ms = 600000;
  InstanceResult r = RunPlan(b.plan(), options);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->kind, FailureKind::kHang);
  EXPECT_NE(FailureHeadline(*r.failure).find("t.case:13:1: B: wakes: peer B hung in "
                                             "read(b, 10): B is asleep in read on fd "),
            std::string::npos) << FailureHeadline(*r.failure);
}

TEST(Executor, SleepThatATimeoutEndsWaitsForTheStepDeadline) {
  // poll with a one-minute timeout will return by itself: not a certain
  // hang, so only the step deadline ends it.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kPoll, "poll(b, POLLIN, 60000)").Fds({"b"}).Ints({POLLIN, 60000})
      .Expect(Ret(1));
  RunOptions options;
  options.step_timeout_ms = 300;  // a deadline for the hang, not a wait
  InstanceResult r = RunPlan(b.plan(), options);
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(FailureHeadline(*r.failure),
            "t.case:11:1: B: poll(b, POLLIN, 60000): peer B hung in "
            "poll(b, POLLIN, 60000); killed after 300 ms");
  EXPECT_EQ(r.failure->kind, FailureKind::kHang);
}

TEST(Executor, DeadlineScaleMultipliesTheStepDeadline) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("B", Call::kPoll, "poll(b, POLLIN, 60000)").Fds({"b"}).Ints({POLLIN, 60000})
      .Expect(Ret(1));
  RunOptions options;
  options.step_timeout_ms = 100;
  options.deadline_scale = 3;
  InstanceResult r = RunPlan(b.plan(), options);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_NE(FailureHeadline(*r.failure).find("killed after 300 ms"), std::string::npos)
      << FailureHeadline(*r.failure);
}

TEST(Executor, PeerKilledBySigsegvIsReportedWithTheStep) {
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kRaise, "raise(SIGSEGV)").Ints({SIGSEGV}).Expect(Ret(0));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_EQ(FailureHeadline(*r.failure),
            "t.case:11:1: A: raise(SIGSEGV): peer A died: killed by SIGSEGV "
            "during raise(SIGSEGV)");
  EXPECT_EQ(r.failure->kind, FailureKind::kPeerDied);
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
  EXPECT_EQ(FailureHeadline(*r.failure),
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
  nonblock.value = Range::Exactly(O_RDWR | O_NONBLOCK);  // access mode too
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

TEST(Executor, PipeEndsCarryBytesAndAreNotSockets) {
  // pipe(2) gives a read end and a write end; shutdown(2), getsockopt(2) and
  // send(2) on a non-socket fd fail ENOTSOCK.
  PlanBuilder b;
  b.Setup(Call::kPipe, "pipe()").Ints({0}).Results({"r", "w"}).Expect(Ret(0));
  b.Peer("A", {"w"});
  b.Peer("B", {"r"});
  b.Step("A", Call::kWrite, "write(w, \"hi\")").Fds({"w"}).Data("hi").Expect(Ret(2));
  b.Step("A", Call::kSend, "send(w, \"x\", 0)").Fds({"w"}).Data("x").Ints({0})
      .Expect(Err(ENOTSOCK));
  b.Step("B", Call::kRead, "read(r, 10)").Fds({"r"}).Ints({10}).Expect(Bytes("hi"));
  b.Step("B", Call::kShutdown, "shutdown(r, SHUT_RDWR)").Fds({"r"}).Ints({SHUT_RDWR})
      .Expect(Err(ENOTSOCK));
  b.Step("B", Call::kGetsockopt, "getsockopt(r, SOL_SOCKET, SO_TYPE)").Fds({"r"})
      .Ints({SOL_SOCKET, SO_TYPE, -1}).Expect(Err(ENOTSOCK));
  b.Step("B", Call::kPipe, "pipe(O_NONBLOCK)").Ints({O_NONBLOCK}).Results({"r2", "w2"})
      .Expect(Ret(0));
  b.Step("B", Call::kRead, "read(r2, 1)").Fds({"r2"}).Ints({1}).Expect(Err(EAGAIN));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
}

// socketpair of `type`; B passes credentials; A drops its privileges.
PlanBuilder DroppingSender(int type) {
  PlanBuilder b = PairOfPeers(type);
  b.Step("B", Call::kSetsockopt, "setsockopt(b, SOL_SOCKET, SO_PASSCRED, 1)")
      .Fds({"b"}).Ints({SOL_SOCKET, SO_PASSCRED, -1}).Data(std::string("\1\0\0\0", 4))
      .Expect(Ret(0));
  b.Step("A", Call::kDropPrivileges, "drop_privileges()").Expect(Ret(0));
  return b;
}

TEST(Executor, ADroppedPeerCannotForgeAPidButSendsItsOwnCredentials) {
  // unix(7): sending another pid in SCM_CREDENTIALS needs CAP_SYS_ADMIN;
  // one's own pid, uid and gid need nothing.
  PlanBuilder b = DroppingSender(SOCK_DGRAM);
  b.Step("A", Call::kSendmsg, "sendmsg(a, \"x\", 0, creds(pid=1))").Fds({"a"})
      .Data("x").Ints({0}).Expect(Err(EPERM));
  b.plan().ops.back().creds = CredSpec{};
  b.plan().ops.back().creds->pid = 1;
  b.Step("A", Call::kSendmsg, "sendmsg(a, \"y\", 0, creds(A))").Fds({"a"})
      .Data("y").Ints({0}).Expect(Ret(1));
  b.plan().ops.back().creds = CredSpec{};
  b.plan().ops.back().creds->pid_of = 0;
  Outcome own = Bytes("y");
  own.cred = CredSpec{};
  own.cred->pid_of = 0;  // A's pid, and A's uid and gid as of now
  b.Step("B", Call::kRecvmsg, "recvmsg(b, 10, 0, creds)").Fds({"b"})
      .Ints({10, 0, -1, 1}).Expect(own);
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kPass) << Show(r);
  ASSERT_EQ(r.trace.size(), 6u);
  // The receiver sees the ids drop_privileges reported (nobody's where the
  // user namespace maps 65534; Bazel's sandbox maps only 0).
  EXPECT_NE(r.trace[5].observed.find(r.trace[2].observed.substr(
                r.trace[2].observed.find(", uid="))),
            std::string::npos)
      << r.trace[2].observed << " / " << r.trace[5].observed;
}

bool NobodyIsMapped() {
  FILE* f = fopen("/proc/self/uid_map", "re");
  unsigned long inside = 0, outside = 0, count = 0;
  bool found = false;
  while (f && !found && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
    found = 65534 >= inside && 65534 - inside < count;
  }
  if (f) fclose(f);
  return found;
}

TEST(Executor, CredOfADroppedPeerNoLongerMatchesTheHarnessIds) {
  if (getuid() != 0 || !NobodyIsMapped()) {
    GTEST_SKIP() << "only root with nobody mapped changes its uid";
  }
  PlanBuilder b = DroppingSender(SOCK_STREAM);
  b.Step("A", Call::kSendmsg, "sendmsg(a, \"y\", 0, creds(A))").Fds({"a"})
      .Data("y").Ints({0}).Expect(Ret(1));
  b.plan().ops.back().creds = CredSpec{};
  b.plan().ops.back().creds->pid_of = 0;
  Outcome harness_ids = Bytes("y");
  harness_ids.cred = CredSpec{};
  harness_ids.cred->pid_of = 0;
  harness_ids.cred->uid = 0;
  harness_ids.cred->gid = 0;
  b.Step("B", Call::kRecvmsg, "recvmsg(b, 10, 0, creds)").Fds({"b"})
      .Ints({10, 0, -1, 1}).Expect(harness_ids);
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kFail);
  EXPECT_NE(Show(r).find("uid=0, gid=0)"), std::string::npos) << Show(r);
  EXPECT_NE(Show(r).find("uid=65534, gid=65534)\n"), std::string::npos) << Show(r);
}

TEST(Executor, TheHarnessNeverDropsItsOwnPrivileges) {
  const uid_t uid = getuid();
  PlanBuilder b;
  b.Setup(Call::kDropPrivileges, "drop_privileges()").Expect(Ret(0));
  InstanceResult r = RunPlan(b.plan(), {});
  EXPECT_EQ(r.verdict, V::kError);
  EXPECT_EQ(r.failure->kind, FailureKind::kHarnessError);
  EXPECT_NE(Show(r).find("cannot block, fork, wake, raise or drop privileges"),
            std::string::npos)
      << Show(r);
  EXPECT_EQ(getuid(), uid);
}

TEST(Executor, ShortControlBufferDropsTheFdsThatDoNotFitWithoutALeak) {
  // unix(7): fds that do not fit the control buffer are closed by the kernel
  // and MSG_CTRUNC is set; the peer's fd table gains only the named one.
  PlanBuilder b = PairOfPeers(SOCK_STREAM);
  b.Step("A", Call::kSocketpair, "socketpair(AF_UNIX, SOCK_STREAM) = x, y")
      .Ints({AF_UNIX, SOCK_STREAM, 0}).Results({"x", "y"}).Expect(Ret(0));
  b.Step("A", Call::kSendmsg, "sendmsg(a, \"f\", 0, rights(x, x, y))").Fds({"a"})
      .Data("f").Ints({0}).Expect(Ret(1));
  b.plan().ops.back().rights = {b.Slot("x"), b.Slot("x"), b.Slot("y")};
  // A buffer for one fd is CMSG_SPACE(sizeof(int)): padded to room for two.
  Outcome two = Bytes("f");
  two.msg_flags = MSG_CTRUNC;
  two.rights_same_as = std::vector<int>{b.Slot("x"), b.Slot("x")};
  b.Step("B", Call::kRecvmsg, "recvmsg(b, 10, 0, rights=1)").Fds({"b"})
      .Ints({10, 0, 1, 0}).Results({"g", "h"}).Expect(two);
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
