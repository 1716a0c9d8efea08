// Lowering reads each call's table entry (calls.cc): fallbacks for optional
// arguments, recvmsg's extra ints, which results and attributes it takes.
#include <poll.h>
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
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\npeer B holds b\n";

constexpr TestCases kCases(kHeader);

TEST(Lower, OptionalArgumentsLeftOutTakeTheirFallbacks) {
  LoadedCase c = kCases.Load(
      "A: socket(AF_UNIX, SOCK_DGRAM) = s\nA: poll(a, POLLOUT) = POLLOUT\n"
      "A: drain(a) = any\nA: poll(a, POLLOUT, 10) = POLLOUT\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[1].ints, (std::vector<int64_t>{AF_UNIX, SOCK_DGRAM, 0}));
  EXPECT_EQ(ops[2].ints, (std::vector<int64_t>{POLLOUT, 0}));
  EXPECT_EQ(ops[3].ints, (std::vector<int64_t>{4096}));
  EXPECT_EQ(ops[4].ints, (std::vector<int64_t>{POLLOUT, 10}));
}

TEST(Lower, RecvmsgExtraIntsAreTheControlBufferTheAncillaryArgumentsSet) {
  LoadedCase c = kCases.Load(
      "A: write(a, \"xy\") = 2\nB: recvmsg(b, 1, 0) = \"x\"\n"
      "B: recvmsg(b, 1, 0, rights=2, creds) = \"y\"\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[2].ints, (std::vector<int64_t>{1, 0, -1, 0, -1, 0}));
  EXPECT_EQ(ops[3].ints, (std::vector<int64_t>{1, 0, 2, 1, -1, 0}));
}

TEST(Lower, SockatmarkTakesAnFdAndReturnsACount) {
  LoadedCase c = kCases.Load("B: sockatmark(b) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& op = c.plans[0].ops[1];
  EXPECT_EQ(op.call, Call::kSockatmark);
  EXPECT_EQ(op.fds, std::vector<int>{1});
  EXPECT_TRUE(op.ints.empty());
  EXPECT_EQ(kCases.FirstError("B: sockatmark(b, 1) = 0\n"),
            "'sockatmark' takes 1 argument (fd), got 2");
  EXPECT_EQ(kCases.FirstError("B: sockatmark(b) = \"x\"\n"),
            "data result on 'sockatmark': only reads return data");
}

TEST(Lower, OnlyCallsThatNameASenderTakeFrom) {
  EXPECT_EQ(kCases.FirstError("A: write(a, \"x\") = 1\nB: read(b, 1) = \"x\" from unnamed\n"),
            "'from' is for recvfrom, recvmsg and accept; 'read' has no source "
            "address");
  EXPECT_EQ(kCases.FirstError("A: write(a, \"x\") = 1\n"
                       "B: recvfrom(b, 1, 0) = \"x\" from unnamed\n"),
            "");
}

TEST(Lower, APlanSaysWhetherItMayMakeIpSockets) {
  // The header's socketpair, an AF_UNIX socket, a named unix pair: no IP.
  LoadedCase unix_only = kCases.Load(
      "pair(abstract, SOCK_STREAM) = c, d\nA: socket(AF_UNIX, SOCK_DGRAM) = s\n"
      "A: write(a, \"x\") = 1\n");
  ASSERT_TRUE(unix_only.errors.empty()) << FormatErrors(unix_only);
  EXPECT_FALSE(MayMakeIpSockets(unix_only.plans[0]));
  // Each way a case makes an IP socket, one per matrix row.
  LoadedCase ip = kCases.Load(
      "matrix HOW = socket, socketpair, pair, address\n"
      "when HOW=pair: pair(inet4, SOCK_STREAM) = c, d\n"
      "when HOW=socket: A: socket(AF_INET6, SOCK_STREAM) = s\n"
      "when HOW=socketpair: A: socketpair(AF_INET, SOCK_STREAM) = EOPNOTSUPP\n"
      "when HOW=address: A: connect(a, loopback4(9)) = EISCONN\n");
  ASSERT_TRUE(ip.errors.empty()) << FormatErrors(ip);
  ASSERT_EQ(ip.plans.size(), 4u);
  for (const Plan& plan : ip.plans) {
    EXPECT_TRUE(MayMakeIpSockets(plan)) << plan.InstanceName();
  }
}

TEST(Lower, APlanSaysWhetherItNamesPathnameSockets) {
  // The header's socketpair, an abstract pair, an unnamed socket: no file.
  LoadedCase none = kCases.Load(
      "pair(abstract, SOCK_STREAM) = c, d\nA: socket(AF_UNIX, SOCK_DGRAM) = s\n"
      "A: write(a, \"x\") = 1\n");
  ASSERT_TRUE(none.errors.empty()) << FormatErrors(none);
  EXPECT_FALSE(NamesPathnameSockets(none.plans[0]));
  // Each way a case names a file, one per matrix row.
  LoadedCase named = kCases.Load(
      "matrix HOW = pair, path, longpath\n"
      "when HOW=pair: pair(pathname, SOCK_STREAM) = c, d\n"
      "A: socket(AF_UNIX, SOCK_DGRAM) = s\n"
      "when HOW=path: A: bind(s, path(\"s\")) = 0\n"
      "when HOW=longpath: A: bind(s, longpath(200)) = 0\n");
  ASSERT_TRUE(named.errors.empty()) << FormatErrors(named);
  ASSERT_EQ(named.plans.size(), 3u);
  for (const Plan& plan : named.plans) {
    EXPECT_TRUE(NamesPathnameSockets(plan)) << plan.InstanceName();
  }
}

}  // namespace
}  // namespace sockspec
