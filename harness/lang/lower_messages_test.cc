// Lowering of the message calls and control buffers: readv/writev's
// iovecs, recvmmsg/sendmmsg's messages, recvmsg's control=, cmsg(...),
// sendmsg's rights(), cred ids as uid_t, and the data budget per instance.
#include <sys/socket.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/lang/frontend.h"
#include "harness/lang/lang_test_util.h"

namespace sockspec {
namespace {

constexpr char kHeader[] =
    "title \"t\"\ncovers B01\nsource \"s\"\n"
    "socketpair(AF_UNIX, SOCK_DGRAM) = a, b\npeer A holds a\npeer B holds b\n";

constexpr TestCases kCases(kHeader);

TEST(LowerMessages, WritevAndSendmmsgKeepOneLengthPerDataArgument) {
  LoadedCase c = kCases.Load(
      "A: writev(a, \"ab\", \"\", \"cde\") = 5\n"
      "A: sendmmsg(a, MSG_DONTWAIT, \"x\", \"yz\") = 2\n"
      "B: readv(b, 1, 4) = \"ab\"\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  EXPECT_EQ(ops[1].data, "abcde");
  EXPECT_EQ(ops[1].ints, (std::vector<int64_t>{2, 0, 3}));
  EXPECT_EQ(ops[2].data, "xyz");
  EXPECT_EQ(ops[2].ints, (std::vector<int64_t>{MSG_DONTWAIT, 1, 1, 1, 2}));
  EXPECT_EQ(ops[3].ints, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(*ops[3].expect.any_of[0].data, "ab");
}

TEST(LowerMessages, ASendmmsgMessageMayHaveSeveralIovecs) {
  LoadedCase c = kCases.Load("A: sendmmsg(a, 0, iov(\"one\", \"two\"), \"three\") = 2\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& op = c.plans[0].ops[1];
  EXPECT_EQ(op.data, "onetwothree");
  EXPECT_EQ(op.ints, (std::vector<int64_t>{0, 2, 3, 3, 1, 5}));
}

TEST(LowerMessages, RecvmmsgResultsAreOneMsgPerMessage) {
  LoadedCase c = kCases.Load(
      "B: recvmmsg(b, 3, 4, MSG_DONTWAIT) = msg(\"ab\"), "
      "msg(\"cdef\", len=6, flags=MSG_TRUNC)\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& op = c.plans[0].ops[1];
  EXPECT_EQ(op.ints, (std::vector<int64_t>{3, 4, MSG_DONTWAIT, -1}));
  const Outcome& o = op.expect.any_of[0];
  EXPECT_EQ(o.ret->min, 2);
  ASSERT_EQ(o.messages->size(), 2u);
  EXPECT_EQ(*(*o.messages)[0].data, "ab");
  EXPECT_FALSE((*o.messages)[0].len);
  EXPECT_EQ((*o.messages)[1].len->min, 6);
  EXPECT_EQ(*(*o.messages)[1].flags, MSG_TRUNC);
  EXPECT_EQ(kCases.FirstError("B: recvmmsg(b, 3, 4, 0) = msg(\"a\", pid=1)\n"),
            "unexpected 'pid=1' in msg(...) of 'recvmmsg': msg(DATA[, len=N][, "
            "flags=MSG_...]): the bytes of one message, its msg_len if it "
            "differs, its msg_flags");
}

TEST(LowerMessages, ControlBufferIsExactOrNull) {
  LoadedCase c = kCases.Load(
      "B: recvmsg(b, 1, 0, control=20) = EAGAIN\n"
      "B: recvmsg(b, 1, 0, control=null(24)) = EAGAIN\n"
      "A: sendmsg(a, \"x\", 0, rights()) = 1\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  EXPECT_EQ(ops[1].ints, (std::vector<int64_t>{1, 0, -1, 0, 20, 0}));
  EXPECT_EQ(ops[2].ints, (std::vector<int64_t>{1, 0, -1, 0, 24, 1}));
  EXPECT_EQ(ops[3].ints, (std::vector<int64_t>{0, 1}));
  EXPECT_TRUE(ops[3].rights.empty());
  EXPECT_EQ(kCases.FirstError("B: recvmsg(b, 1, 0, control=-1) = EAGAIN\n"),
            "'control' takes a length in bytes, 0 to 65536, or null(LENGTH) for "
            "a NULL buffer: control=64, control=null(16)");
}

TEST(LowerMessages, CmsgNamesATypeAndOptionallyItsValueOrLength) {
  LoadedCase c = kCases.Load(
      "B: recvmsg(b, 1, 0) = \"x\" cmsg(SOL_SOCKET, SCM_INQ, 5) "
      "cmsg(SOL_SOCKET, SCM_CREDENTIALS, bytes=4)\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Outcome& o = c.plans[0].ops[1].expect.any_of[0];
  ASSERT_EQ(o.cmsgs.size(), 2u);
  EXPECT_EQ(*o.cmsgs[0].value, 5);
  EXPECT_EQ(*o.cmsgs[1].bytes, 4);
  EXPECT_EQ(kCases.FirstError("B: recvmsg(b, 1, 0) = \"x\" cmsg(SOL_SOCKET, SCM_RIGHTS)\n"),
            "write rights(g, ...) for SCM_RIGHTS, not cmsg(...)");
}

TEST(LowerMessages, CredIdsAreUidTSoMinusOneIsTheKernelsInvalidId) {
  // SO_PEERCRED of a socket that never connected: uid and gid (uid_t)-1.
  LoadedCase c = kCases.Load(
      "A: socket(AF_UNIX, SOCK_STREAM) = s\n"
      "A: getsockopt(s, SOL_SOCKET, SO_PEERCRED) = cred(pid=0, uid=-1, gid=-1)\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const CredSpec& cred = *c.plans[0].ops[2].expect.any_of[0].cred;
  EXPECT_EQ(*cred.uid, 4294967295);
  EXPECT_EQ(*cred.gid, 4294967295);
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_SOCKET, SO_PEERCRED) = cred(pid=0, uid=-2)\n"),
            "'uid' is 0 to 4294967295 (or -1 for (uid_t)-1), not -2");
}

TEST(LowerMessages, DataBudgetIsPerInstanceAndReportedOnce) {
  // Three rows of 30 MiB each fit; one row of 75 MiB is one error.
  const std::string rows =
      "title \"t\"\ncovers B01\nsource \"s\"\n"
      "matrix TYPE = SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET\n"
      "payload m = 15728640\n"
      "socketpair(AF_UNIX, $TYPE) = a, b\npeer A holds a\npeer B holds b\n";
  const TestCases matrix(rows);
  LoadedCase fits = matrix.Load(
      "A: write(a, m) = 15728640\nA: write(a, m) = 15728640\n");
  EXPECT_TRUE(fits.errors.empty()) << FormatErrors(fits);
  EXPECT_EQ(fits.plans.size(), 3u);
  LoadedCase over = matrix.Load(
      "A: write(a, m) = 15728640\nA: write(a, m) = 15728640\n"
      "A: write(a, m) = 15728640\nA: write(a, m) = 15728640\n"
      "A: write(a, m + \"x\") = 15728641\nA: write(a, \"y\") = 1\n");
  ASSERT_EQ(over.errors.size(), 1u) << FormatErrors(over);
  EXPECT_EQ(over.errors[0].loc.line, 13);
  EXPECT_EQ(over.errors[0].message,
            "this instance sends or expects more than 64 MiB (the budget of one "
            "matrix row)");
}

TEST(LowerMessages, ARepeatedSendmsgRightsListIsFoldedInReports) {
  LoadedCase c = kCases.Load(
      "A: socketpair(AF_UNIX, SOCK_STREAM) = x, y\n"
      "A: sendmsg(a, \"f\", 0, rights(x, x, x, y, x)) = 1\n"
      "B: recvmsg(b, 1, 0, rights=5) = \"f\" rights(g1, g2, g3, g4, g5)\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  EXPECT_EQ(c.plans[0].ops[2].text,
            "sendmsg(a, \"f\", 0, rights(x \u00d7 3, y, x))");
}

}  // namespace
}  // namespace sockspec
