#include "harness/exec/judge.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

Op MakeOp(Call call, std::vector<int64_t> ints = {}) {
  Op op;
  op.call = call;
  op.ints = std::move(ints);
  return op;
}

Expected AnyOf(std::vector<Outcome> outs) {
  Expected e;
  e.any_of = std::move(outs);
  return e;
}

Outcome Ret(int64_t v) {
  Outcome o;
  o.ret = Range::Exactly(v);
  return o;
}

Outcome Err(int e) {
  Outcome o;
  o.kind = Outcome::Kind::kErrno;
  o.err = e;
  return o;
}

Observation Returned(int64_t ret, std::string data = "") {
  Observation o;
  o.ret = ret;
  o.data = std::move(data);
  return o;
}

Observation Failed(int err) {
  Observation o;
  o.ret = -1;
  o.err = err;
  return o;
}

TEST(Judge, ErrnoMismatchNamesBothErrors) {
  Judgement j = Judge(MakeOp(Call::kRead), AnyOf({Err(ECONNRESET)}), Returned(0), {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "-1 ECONNRESET");
  EXPECT_EQ(j.observed, "0 \"\"");
}

TEST(Judge, AnyOfOutcomeMatches) {
  Judgement j = Judge(MakeOp(Call::kWrite), AnyOf({Ret(5), Err(EAGAIN)}), Failed(EAGAIN), {});
  EXPECT_TRUE(j.ok);
  EXPECT_EQ(j.expected, "5 or -1 EAGAIN");
}

TEST(Judge, DataMismatchShowsTheFirstDifferingByte) {
  Outcome want;
  want.data = "hello\n";
  Judgement j = Judge(MakeOp(Call::kRead), AnyOf({want}), Returned(6, "help\x01\n"), {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "\"hello\\n\"");
  EXPECT_EQ(j.observed, "6 \"help\\x01\\n\"; first difference at byte 3");
}

TEST(Judge, DataImpliesTheReturnValue) {
  Outcome want;
  want.data = "ab";
  Observation got = Returned(5, "ab");  // MSG_TRUNC: more than was copied
  EXPECT_FALSE(Judge(MakeOp(Call::kRecv), AnyOf({want}), got, {}).ok);
  want.ret = Range::Exactly(5);
  EXPECT_TRUE(Judge(MakeOp(Call::kRecv), AnyOf({want}), got, {}).ok);
}

TEST(Judge, MsgFlagsAreComparedExactlyAndShownAsSymbols) {
  Outcome want;
  want.data = "x";
  want.msg_flags = MSG_TRUNC;
  Observation got = Returned(1, "x");
  got.msg_flags = MSG_TRUNC | MSG_CTRUNC;
  Judgement j = Judge(MakeOp(Call::kRecvmsg), AnyOf({want}), got, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "\"x\" flags MSG_TRUNC");
  EXPECT_EQ(j.observed, "1 \"x\" flags MSG_CTRUNC|MSG_TRUNC");
}

TEST(Judge, PollReventsAreShownAsPollFlags) {
  Outcome want;
  want.value = Range::Exactly(POLLIN | POLLHUP);
  Observation got = Returned(1);
  got.value = POLLIN;
  Judgement j = Judge(MakeOp(Call::kPoll, {POLLIN, 0}), AnyOf({want}), got, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "POLLIN|POLLHUP");
  EXPECT_EQ(j.observed, "POLLIN");
}

TEST(Judge, SignalsMustMatchExactly) {
  Observation got = Failed(EPIPE);
  got.signals = {SIGPIPE};
  EXPECT_FALSE(Judge(MakeOp(Call::kWrite), AnyOf({Err(EPIPE)}), got, {}).ok);
  Outcome with = Err(EPIPE);
  with.signals = {SIGPIPE};
  Judgement j = Judge(MakeOp(Call::kWrite), AnyOf({with}), got, {});
  EXPECT_TRUE(j.ok);
  EXPECT_EQ(j.expected, "-1 EPIPE signal SIGPIPE");
}

TEST(Judge, BlocksNeverMatchesACompletedCall) {
  Outcome blocks;
  blocks.kind = Outcome::Kind::kBlocks;
  Judgement j = Judge(MakeOp(Call::kRead), AnyOf({blocks}), Returned(1, "x"), {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "blocks");
  EXPECT_TRUE(AllowsBlocking(AnyOf({blocks})));
}

TEST(Judge, UnnamedAndAutobindAddresses) {
  Outcome unnamed = Ret(0);
  unnamed.addr = AddressSpec{AddressSpec::Kind::kUnnamed, ""};
  Observation got = Returned(0);
  got.addr = std::string("\x01\x00", 2);
  EXPECT_TRUE(Judge(MakeOp(Call::kGetsockname), AnyOf({unnamed}), got, {}).ok);
  Outcome autobind = Ret(0);
  autobind.addr = AddressSpec{AddressSpec::Kind::kAutobind, ""};
  got.addr = std::string("\x01\x00\x00" "0001f", 8);
  EXPECT_TRUE(Judge(MakeOp(Call::kGetsockname), AnyOf({autobind}), got, {}).ok);
}

TEST(Judge, PathAddressIgnoresTheTrailingNul) {
  Outcome want = Ret(0);
  want.addr = AddressSpec{AddressSpec::Kind::kPath, "srv"};
  Observation got = Returned(0);
  got.addr = std::string("\x01\x00srv\0", 6);
  Judgement j = Judge(MakeOp(Call::kGetsockname), AnyOf({want}), got, {});
  EXPECT_TRUE(j.ok);
  got.addr = std::string("\x01\x00srx", 5);
  j = Judge(MakeOp(Call::kGetsockname), AnyOf({want}), got, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "path(\"srv\")");
  EXPECT_EQ(j.observed, "path(\"srx\")");
}

TEST(Judge, AbstractAddressIsShownWithoutTheRunPrefix) {
  JudgeContext ctx;
  ctx.abstract_prefix = "p-";
  Observation got = Returned(0);
  got.addr = std::string("\x01\x00\x00p-srv", 8);
  Outcome want = Ret(0);
  want.addr = AddressSpec{AddressSpec::Kind::kAbstract, "srv"};
  EXPECT_TRUE(Judge(MakeOp(Call::kGetpeername), AnyOf({want}), got, ctx).ok);
  EXPECT_EQ(DescribeAddress(*got.addr, "p-"), "abstract(\"srv\")");
}

TEST(Judge, PeerCredentialsNameThePeersPid) {
  JudgeContext ctx;
  ctx.peer_pids = {100, 200};
  ctx.uid = 0;
  ctx.gid = 0;
  Outcome want = Ret(0);
  want.cred = CredSpec{};
  want.cred->pid_of = 1;
  Observation got = Returned(0);
  got.cred = Cred{100, 0, 0};
  Judgement j = Judge(MakeOp(Call::kGetsockopt), AnyOf({want}), got, ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "cred(pid=200, uid=0, gid=0)");
  EXPECT_EQ(j.observed, "cred(pid=100, uid=0, gid=0)");
}

TEST(Judge, CredOfAPeerNamesItsUidAfterItDroppedPrivileges) {
  // After drop_privileges() the peer's own SCM_CREDENTIALS carry nobody's ids.
  JudgeContext ctx;
  ctx.peer_pids = {100, 200};
  ctx.peer_uids = {0, 65534};
  ctx.peer_gids = {0, 65534};
  Outcome want = Ret(1);
  want.cred = CredSpec{};
  want.cred->pid_of = 1;
  Observation got = Returned(1);
  got.cred = Cred{200, 65534, 65534};
  EXPECT_TRUE(Judge(MakeOp(Call::kRecvmsg), AnyOf({want}), got, ctx).ok);
  got.cred = Cred{200, 0, 0};
  Judgement j = Judge(MakeOp(Call::kRecvmsg), AnyOf({want}), got, ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "cred(pid=200, uid=65534, gid=65534)");
  // An explicit uid= is taken as written.
  want.cred->uid = 0;
  want.cred->gid = 0;
  EXPECT_TRUE(Judge(MakeOp(Call::kRecvmsg), AnyOf({want}), got, ctx).ok);
}

TEST(Judge, ALeakedFdFailsTheStepWhateverWasExpected) {
  // unix(7), FreeBSD unix_passfd_test: a short control buffer drops the fds
  // that do not fit; one left open unnamed in the receiver is a leak.
  Outcome want = Ret(1);
  want.msg_flags = MSG_CTRUNC;
  Observation got = Returned(1, "f");
  got.msg_flags = MSG_CTRUNC;
  EXPECT_TRUE(Judge(MakeOp(Call::kRecvmsg), AnyOf({want}), got, {}).ok);
  got.leaked = {{7, "socket"}};
  Judgement j = Judge(MakeOp(Call::kRecvmsg), AnyOf({want}), got, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.observed, "1 \"f\" flags MSG_CTRUNC; leaked fd 7 (socket)");
}

TEST(Judge, QuoteBytesEscapesAndCuts) {
  EXPECT_EQ(QuoteBytes(std::string("a\0\"\\\xff", 5)), "\"a\\0\\\"\\\\\\xff\"");
  EXPECT_EQ(QuoteBytes("abcdef", 2, 2), "...\"cd\"...");
}

TEST(Judge, ReadyFdsCompareAsASetAndAnUnexpectedFdFails) {
  // epoll_wait's order is the kernel's; the case names fds, not positions.
  Op op = MakeOp(Call::kEpollWait, {8, 0});
  Outcome want = Ret(2);
  want.ready = std::vector<std::pair<int, int64_t>>{{0, 1}, {1, 4}};
  Observation got = Returned(2);
  got.ready = {{1, 4}, {0, 1}};
  JudgeContext ctx;
  ctx.fd_names = {"a", "b"};
  EXPECT_TRUE(Judge(op, AnyOf({want}), got, ctx).ok);
  got.ready = {{1, 4}};
  got.ret = 1;
  want.ret = Range::Exactly(1);
  want.ready = std::vector<std::pair<int, int64_t>>{{0, 1}};
  Judgement j = Judge(op, AnyOf({want}), got, ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "events(a=EPOLLIN)");
  EXPECT_EQ(j.observed, "events(b=EPOLLOUT)");
}

TEST(Judge, PidOfAPeerMatchesThatPeersPid) {
  Op op = MakeOp(Call::kFcntl, {F_GETOWN});
  Outcome want;
  want.value_pid_of = 1;
  Observation got = Returned(0);
  got.value = 4242;
  JudgeContext ctx;
  ctx.peer_pids = {100, 4242};
  EXPECT_TRUE(Judge(op, AnyOf({want}), got, ctx).ok);
  got.value = 100;
  Judgement j = Judge(op, AnyOf({want}), got, ctx);
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "pid 4242 (peer 1)");
}

}  // namespace
}  // namespace sockspec
