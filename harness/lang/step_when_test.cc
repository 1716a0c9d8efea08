// Row-dependent steps (`when NAME=value: STEP`), signal expectations and the
// signal, limit and namespace calls, from case text to plans.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>

#include <string>

#include "gtest/gtest.h"
#include "harness/lang/case.h"
#include "harness/lang/frontend.h"
#include "harness/lang/lang_test_util.h"
#include "harness/lang/parser.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace {

constexpr char kHeader[] = "title \"t\"\ncovers B01\nsource \"s\"\n";
constexpr char kPair[] =
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\npeer B holds b\n";

constexpr TestCases kCases(kHeader);

// The ops of `plan` that run in a peer, as their text.
std::vector<std::string> PeerOps(const Plan& plan) {
  std::vector<std::string> out;
  for (const Op& op : plan.ops) {
    if (op.peer >= 0) out.push_back(op.text);
  }
  return out;
}

TEST(StepWhen, ParsesAndPrintsTheConditionBeforeTheStep) {
  DiagnosticSink sink;
  Case c = ParseCase(
      Source("t.case", "when TYPE=SOCK_STREAM, KIND=path(\"x\"): B: read(b, 1) = 0\n"),
      &sink);
  ASSERT_EQ(sink.size(), 0u);
  ASSERT_EQ(c.steps.size(), 1u);
  ASSERT_EQ(c.steps[0].when.size(), 2u);
  EXPECT_EQ(c.steps[0].when[1].first.name, "KIND");
  // The step begins at its peer, after the condition.
  EXPECT_EQ(c.steps[0].loc.col, 40);
  EXPECT_NE(PrintCase(c).find("when TYPE=SOCK_STREAM, KIND=path(\"x\"): B: read(b, 1) = 0"),
            std::string::npos);
  Case again = ParseCase(Source("t.case", PrintCase(c)), &sink);
  EXPECT_EQ(again, c);
}

TEST(StepWhen, AStepBelongsOnlyToTheRowsItsConditionNames) {
  LoadedCase c = kCases.Load(std::string("matrix TYPE = SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET\n") +
                      "socketpair(AF_UNIX, $TYPE) = a, b\npeer A holds a\npeer B holds b\n"
                      "when TYPE=SOCK_STREAM: A: write(a, \"s\") = 1\n"
                      // One variable named twice: either value.
                      "when TYPE=SOCK_DGRAM, TYPE=SOCK_SEQPACKET: A: write(a, \"d\") = 1\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  ASSERT_EQ(c.plans.size(), 3u);
  EXPECT_EQ(PeerOps(c.plans[0]), (std::vector<std::string>{"write(a, \"s\")"}));
  EXPECT_EQ(PeerOps(c.plans[1]), (std::vector<std::string>{"write(a, \"d\")"}));
  EXPECT_EQ(PeerOps(c.plans[2]), (std::vector<std::string>{"write(a, \"d\")"}));
}

TEST(StepWhen, DifferentVariablesMustAllHold) {
  LoadedCase c = kCases.Load(std::string("matrix X = 1, 2\nmatrix Y = 1, 2\n") + kPair +
                      "when X=1, Y=2: A: write(a, \"x\") = 1\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  ASSERT_EQ(c.plans.size(), 4u);
  EXPECT_TRUE(PeerOps(c.plans[0]).empty());  // X=1 Y=1
  EXPECT_EQ(PeerOps(c.plans[1]).size(), 1u);  // X=1 Y=2
  EXPECT_TRUE(PeerOps(c.plans[2]).empty());
  EXPECT_TRUE(PeerOps(c.plans[3]).empty());
}

TEST(StepWhen, RejectsAValueTheVariableNeverTakes) {
  EXPECT_EQ(kCases.FirstError(std::string("matrix X = 1, 2\n") + kPair +
                       "when X=3: A: write(a, \"x\") = 1\n"),
            "matrix variable 'X' never takes the value '3'");
}

TEST(SignalExpectation, NoneFromAMatrixMeansNoSignal) {
  LoadedCase c = kCases.Load(std::string("matrix SIG = SIGPIPE, none\n") + kPair +
                      "A: close(a) = 0\nB: write(b, \"x\") = EPIPE signal $SIG\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  ASSERT_EQ(c.plans.size(), 2u);
  EXPECT_EQ(c.plans[0].ops.back().expect.any_of[0].signals, std::vector<int>{SIGPIPE});
  EXPECT_TRUE(c.plans[1].ops.back().expect.any_of[0].signals.empty());
}

TEST(SignalExpectation, SeveralSignalsJoinWithABar) {
  LoadedCase c = kCases.Load(std::string(kPair) + "B: read(b, 1) = \"\" signal SIGUSR1|SIGURG\n");
  ASSERT_FALSE(c.plans.empty()) << FormatErrors(c);
  EXPECT_EQ(c.plans[0].ops.back().expect.any_of[0].signals,
            (std::vector<int>{SIGUSR1, SIGURG}));
}

TEST(SignalExpectation, ANumberIsNoSignal) {
  // The bug: `signal 0` passed validation and could never match.
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "A: close(a) = 0\nB: write(b, \"x\") = EPIPE signal 0\n"),
            "'signal' takes a signal name (SIGPIPE, SIGUSR1, ...), not the number 0");
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "A: kill(B, 10) = 0\n"),
            "'signal' takes a signal name (SIGPIPE, SIGUSR1, ...), not the number 10");
}

TEST(SignalCalls, LowerToTheirIntegers) {
  LoadedCase c = kCases.Load(std::string(kPair) +
                      "A: kill(B, SIGUSR1) = 0\n"
                      "B: sigaction(SIGUSR1, SA_RESTART) = 0\n"
                      "B: sigaction(SIGPIPE, SIG_IGN) = 0\n"
                      "B: setrlimit(RLIMIT_NOFILE, 16) = 0\n"
                      "B: unshare(CLONE_NEWNET) = 0\n");
  ASSERT_FALSE(c.plans.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  ASSERT_EQ(ops.size(), 6u);
  EXPECT_EQ(ops[1].ints, (std::vector<int64_t>{1, SIGUSR1}));  // peer B
  EXPECT_EQ(ops[2].ints, (std::vector<int64_t>{SIGUSR1, SA_RESTART}));
  EXPECT_EQ(ops[3].ints, (std::vector<int64_t>{SIGPIPE, kSigDispositionIgnore}));
  EXPECT_EQ(ops[4].ints, (std::vector<int64_t>{RLIMIT_NOFILE, 16}));
  EXPECT_EQ(ops[5].ints, (std::vector<int64_t>{CLONE_NEWNET}));
}

TEST(SignalCalls, ADispositionStandsAlone) {
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "B: sigaction(SIGPIPE, SIG_DFL|SA_RESTART) = 0\n"),
            "SIG_IGN and SIG_DFL stand alone: SA_ flags belong to the recording "
            "handler (sigaction(SIGUSR1, SA_RESTART))");
}

TEST(MatrixPositions, APayloadSizeMayComeFromTheMatrix) {
  LoadedCase c = kCases.Load(std::string("matrix N = 3, 5\npayload m = $N\n") + kPair +
                      "A: write(a, m) = $N\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  ASSERT_EQ(c.plans.size(), 2u);
  EXPECT_EQ(c.plans[0].ops.back().data.size(), 3u);
  EXPECT_EQ(c.plans[1].ops.back().data.size(), 5u);
}

TEST(MatrixPositions, RangesIndicesAndSlicesTakeMatrixNumbers) {
  LoadedCase c = kCases.Load(std::string("matrix N = 2, 3\npayload m = 10\n") +
                      "socketpair(AF_UNIX, SOCK_STREAM) = a, b\n"
                      "repeat $N dup(a) = c[]\n"
                      "peer A holds a, c[0], c[1]\npeer B holds b\n"
                      "A: write(c[$N], m[0:$N]) = 1..$N\n"
                      "B: read(b, 10) = m[0:$N]\n");
  // Row N=2 has no c[2]: the index is checked per row.
  ASSERT_FALSE(c.errors.empty());
  EXPECT_EQ(c.errors[0].message, "undeclared fd 'c[2]' (did you mean 'c[0]'?)");
  c = kCases.Load(std::string("matrix N = 2, 3\npayload m = 10\n") + kPair +
           "A: write(a, m[$N:]) = $N..8\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  ASSERT_EQ(c.plans.size(), 2u);
  EXPECT_EQ(c.plans[0].ops.back().data.size(), 8u);
  EXPECT_EQ(c.plans[1].ops.back().expect.any_of[0].ret->min, 3);
  EXPECT_EQ(c.plans[1].ops.back().expect.any_of[0].ret->max, 8);
}

TEST(MatrixPositions, ARangeBoundMustBeANumberInEveryRow) {
  EXPECT_EQ(kCases.FirstError(std::string("matrix N = 2, SOCK_STREAM\n") + kPair +
                       "A: write(a, \"xy\") = 1..$N\n"),
            "a range, index or slice bound is a number, not 'SOCK_STREAM'");
}

TEST(MatrixPositions, BoundsWithVariablesPrintAsWritten) {
  DiagnosticSink sink;
  const std::string text = "A: write(c[$I], m[0:$N] + m[$N:]) = 1..$N\n";
  Case c = ParseCase(Source("t.case", text), &sink);
  ASSERT_EQ(sink.size(), 0u);
  EXPECT_EQ(PrintCase(c), text);
}

}  // namespace
}  // namespace sockspec
