// Captured values, bad arguments and raw addresses: how they parse, print
// back, lower into plans, and which misuse is an error.
#include <sys/socket.h>

#include <string>

#include "gtest/gtest.h"
#include "harness/lang/case.h"
#include "harness/lang/frontend.h"
#include "harness/lang/lang_test_util.h"
#include "harness/lang/parser.h"
#include "harness/plan/captures.h"

namespace sockspec {
namespace {

constexpr char kHeader[] = "title \"t\"\ncovers B01\nsource \"s\"\n";
constexpr char kPair[] =
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\npeer B holds b\n";

constexpr TestCases kCases(kHeader);

// The step's text parsed and printed back.
std::string RoundTrip(const std::string& step) {
  DiagnosticSink sink;
  Case c = ParseCase(Source("t.case", step + "\n"), &sink);
  EXPECT_TRUE(sink.Take().empty()) << step;
  if (c.steps.empty()) return "";
  const Step& s = c.steps[0];
  return PrintCall(s.call.name, s.args) + " = " + PrintAlternatives(s.results);
}

TEST(Captures, ArithmeticRangesBoundsAndSlicesPrintBackAsWritten) {
  EXPECT_EQ(RoundTrip("A: read(b, $n / 4 + 1) = 1..$n * 2"),
            "read(b, $n / 4 + 1) = 1..$n * 2");
  EXPECT_EQ(RoundTrip("A: read(b, ($n + 1) / 2) = >= $n - 1"),
            "read(b, ($n + 1) / 2) = >= $n - 1");
  EXPECT_EQ(RoundTrip("A: write(a, m[0:$n]) = ($n)"), "write(a, m[0:$n]) = ($n)");
  EXPECT_EQ(RoundTrip("A: write(a, m1 + m2) = 2 * $x"), "write(a, m1 + m2) = 2 * $x");
  // `$n -1` is a subtraction, as `$n - 1` is.
  EXPECT_EQ(RoundTrip("A: read(b, $n -1) = 1"), "read(b, $n - 1) = 1");
}

TEST(Captures, MultiplicationBindsTighterThanAddition) {
  DiagnosticSink sink;
  Case c = ParseCase(Source("t.case", "A: read(b, 1 + $n * 2) = 1\n"), &sink);
  ASSERT_EQ(c.steps.size(), 1u);
  const Expr& e = c.steps[0].args[1];
  ASSERT_EQ(e.kind, Expr::Kind::kArith);
  EXPECT_EQ(e.text, "+");
  EXPECT_EQ(e.items[1].text, "*");
}

TEST(Captures, LowerABindingAndItsUsesIntoRunTimeValues) {
  LoadedCase c = kCases.Load(std::string(kPair) +
                      "payload m = 100\n"
                      "A: getsockopt(a, SOL_SOCKET, SO_SNDBUF) = $sndbuf\n"
                      "A: write(a, m[0:$sndbuf / 8192]) = $sndbuf / 8192\n"
                      "B: read(b, $sndbuf) = 1..$sndbuf\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  const Plan& p = c.plans[0];
  ASSERT_EQ(p.capture_names, std::vector<std::string>{"sndbuf"});
  EXPECT_EQ(p.ops[1].capture, 0);
  // Resolved with SO_SNDBUF 212992: a write of 26 bytes, expected to
  // return 26; a read of 212992 bytes, expected 1..212992.
  Op write = p.ops[2];
  ASSERT_TRUE(HasDynamic(write));
  ASSERT_TRUE(ResolveCaptures(p.capture_names, {212992}, &write).ok());
  EXPECT_EQ(write.data.size(), 26u);
  EXPECT_EQ(write.expect.any_of[0].ret->min, 26);
  EXPECT_EQ(write.expect.any_of[0].ret->max, 26);
  Op read = p.ops[3];
  ASSERT_TRUE(ResolveCaptures(p.capture_names, {212992}, &read).ok());
  EXPECT_EQ(read.ints[0], 212992);
  EXPECT_EQ(read.expect.any_of[0].ret->min, 1);
  EXPECT_EQ(read.expect.any_of[0].ret->max, 212992);
}

TEST(Captures, MatrixVariablesStaySubstitutedAndFoldIntoConstants) {
  LoadedCase c = kCases.Load("matrix SIZE = 10, 20\n" + std::string(kPair) +
                      "B: read(b, $SIZE * 2 + 1) = EAGAIN\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  ASSERT_EQ(c.plans.size(), 2u);
  EXPECT_EQ(c.plans[0].ops[1].ints[0], 21);
  EXPECT_EQ(c.plans[1].ops[1].ints[0], 41);
  EXPECT_FALSE(HasDynamic(c.plans[1].ops[1]));
}

TEST(Captures, AValueCapturedByAWakesIsBoundThere) {
  LoadedCase c = kCases.Load(std::string(kPair) +
                      "B: read(b, 10) blocks\nA: write(a, \"xy\") = 2\n"
                      "B: wakes = $n\nA: write(a, \"z\") = $n - 1\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  EXPECT_EQ(c.plans[0].ops[3].call, Call::kWakes);
  EXPECT_EQ(c.plans[0].ops[3].capture, 0);
}

TEST(Captures, MisuseIsReportedOnce) {
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "A: write(a, \"x\") = $n\n"
                       "B: read(b, $m) = \"x\"\n"),
            "'$m' is used before it is bound: a step's result binds it "
            "('= $m') (did you mean '$n'?)");
  LoadedCase twice = kCases.Load(std::string(kPair) + "A: write(a, \"x\") = $n\n"
                          "A: write(a, \"x\") = $n\nA: write(a, \"y\") = ($n)\n");
  ASSERT_EQ(twice.errors.size(), 1u);
  EXPECT_EQ(twice.errors[0].message,
            "'$n' is already bound (at 7:20); to compare with it write '= ($n)'");
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "A: write(a, \"x\") = $n\n"
                       "A: write(a, \"x\") = 2..$n\n"),
            "");
}

TEST(BadArguments, LowerToBufferKindsAndTheBadFdSlot) {
  LoadedCase c = kCases.Load(std::string(kPair) +
                      "B: read(badfd, 10) = EBADF\n"
                      "B: recv(b, badptr(16), 0) = EFAULT\n"
                      "A: write(a, null(5)) = EFAULT\n"
                      "A: setsockopt(a, SOL_SOCKET, SO_SNDBUF, badptr) = EFAULT\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  const Plan& p = c.plans[0];
  EXPECT_EQ(p.ops[1].fds[0], kBadFdSlot);
  EXPECT_EQ(p.ops[2].buffer, BufferKind::kBad);
  EXPECT_EQ(p.ops[2].ints[0], 16);
  EXPECT_EQ(p.ops[3].buffer, BufferKind::kNull);
  EXPECT_EQ(p.ops[3].buffer_length, 5);
  EXPECT_EQ(p.ops[4].buffer, BufferKind::kBad);
}

TEST(Addresses, LowerUnspecFamilyRawAndAnExplicitLength) {
  LoadedCase c = kCases.Load("peer A\nA: socket(AF_UNIX, SOCK_DGRAM) = s\n"
                      "A: connect(s, unspec) = 0\n"
                      "A: bind(s, family(AF_INET)) = EINVAL\n"
                      "A: bind(s, sockaddr(AF_UNIX, \"\\0a/b\\0c\")) = 0\n"
                      "A: connect(s, addrlen(path(\"x\"), 3)) = EINVAL\n"
                      "A: connect(s, badptr) = EFAULT\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  const Plan& p = c.plans[0];
  using K = AddressSpec::Kind;
  EXPECT_EQ(p.ops[1].addr.kind, K::kUnspec);
  EXPECT_EQ(p.ops[2].addr.kind, K::kFamily);
  EXPECT_EQ(p.ops[2].addr.family, AF_INET);
  EXPECT_EQ(p.ops[3].addr.kind, K::kRaw);
  EXPECT_EQ(p.ops[3].addr.name, std::string("\0a/b\0c", 6));
  EXPECT_EQ(p.ops[4].addr.kind, K::kPath);
  EXPECT_EQ(p.ops[4].addr.addrlen, 3);
  EXPECT_EQ(p.ops[5].addr.kind, K::kBadPointer);
}

TEST(Addresses, MisuseIsAnError) {
  EXPECT_EQ(kCases.FirstError("peer A\nA: socket(AF_UNIX, SOCK_DGRAM) = s\n"
                       "A: bind(s, family(SOCK_DGRAM)) = EINVAL\n"),
            "'family' takes an address family, not 'SOCK_DGRAM' (a socket type)");
  EXPECT_EQ(kCases.FirstError("peer A\nA: socket(AF_UNIX, SOCK_DGRAM) = s\n"
                       "A: bind(s, addrlen(badptr, 3)) = EINVAL\n"),
            "'badptr' has no bytes to cut: write the length of a real address");
}

}  // namespace
}  // namespace sockspec
