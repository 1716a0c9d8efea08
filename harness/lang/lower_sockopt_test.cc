// Socket option values are lowered in their option's shape
// (harness/os/sockopts.h): setsockopt's bytes, getsockopt's expectations,
// optlen both ways, and the diagnostics for a value of the wrong shape.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/lang/frontend.h"
#include "harness/lang/lang_test_util.h"
#include "harness/os/sockopts.h"

namespace sockspec {
namespace {

constexpr char kHeader[] =
    "title \"t\"\ncovers B01\nsource \"s\"\n"
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\npeer B holds b\n";

constexpr TestCases kCases(kHeader);

// The op of the first peer step.
Op StepOp(const std::string& body) {
  LoadedCase c = kCases.Load(body);
  EXPECT_TRUE(c.errors.empty()) << FormatErrors(c);
  if (c.plans.empty() || c.plans[0].ops.size() < 2) return Op();
  return c.plans[0].ops[1];
}

TEST(LowerSockopt, SetsockoptPassesTheValueInItsShape) {
  Op op = StepOp("A: setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, timeval(1, 500000)) = 0\n");
  EXPECT_EQ(op.data, EncodeTimeval(1, 500000));
  EXPECT_EQ(op.ints, (std::vector<int64_t>{SOL_SOCKET, SO_RCVTIMEO, -1}));
  op = StepOp("A: setsockopt(a, SOL_SOCKET, SO_LINGER, linger(on, 5)) = 0\n");
  EXPECT_EQ(op.data, EncodeLinger(true, 5));
  op = StepOp("A: setsockopt(a, SOL_SOCKET, SO_SNDBUF, 4096, optlen=2) = EINVAL\n");
  EXPECT_EQ(op.data, EncodeInt(4096));
  EXPECT_EQ(op.ints, (std::vector<int64_t>{SOL_SOCKET, SO_SNDBUF, 2}));
  op = StepOp("A: setsockopt(a, SOL_SOCKET, SO_LINGER, \"\\x01\\x00\") = EINVAL\n");
  EXPECT_EQ(op.data, std::string("\x01\x00", 2));
}

TEST(LowerSockopt, GetsockoptResultsTakeTheOptionsShape) {
  Op op = StepOp("A: getsockopt(a, SOL_SOCKET, SO_LINGER) = linger(off, 0)\n");
  ASSERT_EQ(op.expect.any_of.size(), 1u);
  EXPECT_EQ(op.expect.any_of[0].optval, EncodeLinger(false, 0));
  op = StepOp("A: getsockopt(a, SOL_SOCKET, SO_ERROR) = errno(ECONNRESET)\n");
  ASSERT_TRUE(op.expect.any_of[0].value.has_value());
  EXPECT_EQ(op.expect.any_of[0].value->min, ECONNRESET);
  EXPECT_EQ(op.expect.any_of[0].kind, Outcome::Kind::kReturn);
  // The call failing with the errno is a different expectation.
  op = StepOp("A: getsockopt(a, SOL_SOCKET, SO_ERROR) = ECONNRESET\n");
  EXPECT_EQ(op.expect.any_of[0].kind, Outcome::Kind::kErrno);
  op = StepOp("A: getsockopt(a, SOL_SOCKET, SO_PEERGROUPS) = gids(0, 27)\n");
  EXPECT_EQ(op.expect.any_of[0].optval, EncodeGids({0, 27}));
  op = StepOp("A: getsockopt(a, SOL_SOCKET, SO_PEERGROUPS) = gids(harness)\n");
  EXPECT_TRUE(op.expect.any_of[0].groups_of_harness);
}

TEST(LowerSockopt, PeerpidfdNamesANewFdAndThePeer) {
  LoadedCase c = kCases.Load(
      "A: getsockopt(a, SOL_SOCKET, SO_PEERPIDFD) = pidfd(p=B)\nA: close(p) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Op& op = c.plans[0].ops[1];
  EXPECT_EQ(op.results.size(), 1u);
  EXPECT_EQ(op.expect.any_of[0].pidfd_of, 1);  // peer B
}

TEST(LowerSockopt, OptlenIsPassedAndWhatIsWrittenBackMustBeStated) {
  Op op = StepOp("A: getsockopt(a, SOL_SOCKET, SO_TYPE, optlen=2) = SOCK_STREAM optlen 2\n");
  EXPECT_EQ(op.ints, (std::vector<int64_t>{SOL_SOCKET, SO_TYPE, 2}));
  EXPECT_EQ(op.expect.any_of[0].optlen, 2);
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_SOCKET, SO_TYPE, optlen=2) = SOCK_STREAM\n"),
            "getsockopt with optlen=2: state the length the kernel writes back "
            "('= VALUE optlen N')");
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_SOCKET, SO_TYPE, optlen=70000) = 1 optlen 4\n"),
            "expected optlen=N (0 to 65536), found 'optlen=70000'");
  EXPECT_EQ(kCases.FirstError("A: read(a, 1) = \"x\" optlen 4\n"),
            "'optlen' is what getsockopt writes back; 'read' has none");
}

TEST(LowerSockopt, AValueOfTheWrongShapeIsAnError) {
  EXPECT_EQ(kCases.FirstError("A: setsockopt(a, SOL_SOCKET, SO_LINGER, 1) = 0\n"),
            "'SO_LINGER' takes a struct linger: write linger(on, SECONDS) or "
            "linger(off, SECONDS) (or a string of raw bytes), not '1'");
  EXPECT_EQ(kCases.FirstError("A: setsockopt(a, SOL_SOCKET, SO_SNDBUF, timeval(1, 0)) = 0\n"),
            "'SO_SNDBUF' takes an int: write a number (or a string of raw bytes), "
            "not 'timeval(1, 0)'");
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_SOCKET, SO_RCVTIMEO) = 0\n"),
            "'SO_RCVTIMEO' gives a struct timeval: write timeval(SECONDS, "
            "MICROSECONDS) (or a string of raw bytes), not '0'");
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_SOCKET, SO_TYPE) = AF_UNIX\n"),
            "'value' takes a socket type, not 'AF_UNIX' (an address family)");
}

TEST(LowerSockopt, AnOptionOfAnotherLevelIsAnErrorButNumbersPass) {
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_SOCKET, TCP_NODELAY) = 0\n"),
            "'TCP_NODELAY' (TCP option) is not an option of level SOL_SOCKET "
            "(socket option)");
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, IPPROTO_TCP, TCP_NODELAY) = EOPNOTSUPP\n"), "");
  EXPECT_EQ(kCases.FirstError("A: getsockopt(a, SOL_TCP, TCP_MAXSEG) = EOPNOTSUPP\n"), "");
  EXPECT_EQ(kCases.FirstError("A: setsockopt(a, SOL_SOCKET, 9999, 1) = ENOPROTOOPT\n"), "");
}

}  // namespace
}  // namespace sockspec
