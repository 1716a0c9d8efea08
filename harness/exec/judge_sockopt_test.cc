// getsockopt results are judged in their option's shape: struct bytes over
// what the kernel wrote, the optlen it wrote back, a pidfd's process, groups.
#include <errno.h>
#include <sys/socket.h>

#include "gtest/gtest.h"
#include "harness/exec/judge.h"
#include "harness/os/sockopts.h"
#include "harness/os/uapi_socket.h"

namespace sockspec {
namespace {

Op Getsockopt(int64_t option, int64_t optlen = -1) {
  Op op;
  op.call = Call::kGetsockopt;
  op.ints = {SOL_SOCKET, option, optlen};
  return op;
}

Expected AnyOf(Outcome o) {
  Expected e;
  e.any_of = {o};
  return e;
}

Observation Wrote(std::string bytes) {
  Observation o;
  o.data = std::move(bytes);
  return o;
}

TEST(JudgeSockopt, AStructMatchesByItsBytesAndPrintsInItsShape) {
  Outcome want;
  want.optval = EncodeLinger(true, 5);
  JudgeContext ctx;
  EXPECT_TRUE(Judge(Getsockopt(SO_LINGER), AnyOf(want), Wrote(EncodeLinger(true, 5)), ctx).ok);
  Judgement j = Judge(Getsockopt(SO_LINGER), AnyOf(want), Wrote(EncodeLinger(false, 5)), ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "linger(on, 5)");
  EXPECT_EQ(j.observed, "linger(off, 5)");
}

TEST(JudgeSockopt, AShortWriteNeedsItsOptlenStated) {
  Outcome want;
  want.optval = EncodeLinger(true, 0);
  JudgeContext ctx;
  // Four bytes written: l_onoff only. Without `optlen 4` a whole struct is due.
  EXPECT_FALSE(Judge(Getsockopt(SO_LINGER), AnyOf(want), Wrote(EncodeInt(1)), ctx).ok);
  want.optlen = 4;
  Judgement j = Judge(Getsockopt(SO_LINGER, 4), AnyOf(want), Wrote(EncodeInt(1)), ctx);
  EXPECT_TRUE(j.ok) << j.observed;
  EXPECT_EQ(j.observed, "linger(on, 0) optlen 4");
  EXPECT_FALSE(Judge(Getsockopt(SO_LINGER, 4), AnyOf(want), Wrote(EncodeInt(1, 2)), ctx).ok);
}

TEST(JudgeSockopt, AnErrnoValueIsNotACallThatFailed) {
  Outcome want;
  want.value = Range::Exactly(ECONNRESET);
  Observation got = Wrote(EncodeInt(ECONNRESET));
  got.value = ECONNRESET;
  JudgeContext ctx;
  Judgement j = Judge(Getsockopt(SO_ERROR), AnyOf(want), got, ctx);
  EXPECT_TRUE(j.ok);
  EXPECT_EQ(j.expected, "errno(ECONNRESET)");
  Observation failed;
  failed.ret = -1;
  failed.err = ECONNRESET;
  j = Judge(Getsockopt(SO_ERROR), AnyOf(want), failed, ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.observed, "-1 ECONNRESET");
}

TEST(JudgeSockopt, APidfdMustBeThePeersProcess) {
  Outcome want;
  want.pidfd_of = 1;
  JudgeContext ctx;
  ctx.peer_pids = {100, 200};
  ctx.harness_pid = 50;
  Observation got = Wrote(EncodeInt(7));
  got.value = 200;
  EXPECT_TRUE(Judge(Getsockopt(SO_PEERPIDFD), AnyOf(want), got, ctx).ok);
  got.value = 50;
  Judgement j = Judge(Getsockopt(SO_PEERPIDFD), AnyOf(want), got, ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "pidfd(pid=200)");
  EXPECT_EQ(j.observed, "pidfd(pid=50)");
  want.pidfd_of = CredSpec::kHarness;
  EXPECT_TRUE(Judge(Getsockopt(SO_PEERPIDFD), AnyOf(want), got, ctx).ok);
}

TEST(JudgeSockopt, HarnessGroupsCompareInAnyOrder) {
  Outcome want;
  want.groups_of_harness = true;
  JudgeContext ctx;
  ctx.harness_groups = {27, 0};
  EXPECT_TRUE(Judge(Getsockopt(SO_PEERGROUPS), AnyOf(want), Wrote(EncodeGids({0, 27})), ctx).ok);
  Judgement j = Judge(Getsockopt(SO_PEERGROUPS), AnyOf(want), Wrote(EncodeGids({0})), ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.observed, "gids(0)");
}

}  // namespace
}  // namespace sockspec
