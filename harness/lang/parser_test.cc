#include "harness/lang/parser.h"

#include <string>

#include "gtest/gtest.h"
#include "harness/lang/case.h"

namespace sockspec {
namespace {

struct Parsed {
  Case c;
  std::vector<Diagnostic> errors;
};

Parsed Parse(const std::string& text) {
  DiagnosticSink sink;
  Case c = ParseCase(Source("t.case", text), &sink);
  return {c, sink.Take()};
}

std::string FirstError(const std::string& text) {
  Parsed p = Parse(text);
  return p.errors.empty() ? "" : ShortDiagnostic(p.errors[0]);
}

TEST(Parser, ReadsHeaderStatements) {
  Parsed p = Parse(
      "title \"T\"\ncovers B04 B13\nsource \"S1\"\nsource \"S2\"\n"
      "payload m1 = 100\npayload hi = \"hi\"\ntimeout 200\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.c.titles.size(), 1u);
  EXPECT_EQ(p.c.titles[0].second, "T");
  ASSERT_EQ(p.c.covers.size(), 2u);
  EXPECT_EQ(p.c.covers[1].name, "B13");
  EXPECT_EQ(p.c.sources.size(), 2u);
  ASSERT_EQ(p.c.payloads.size(), 2u);
  EXPECT_EQ(p.c.payloads[0].value.value, 100);
  EXPECT_EQ(p.c.payloads[1].value.text, "hi");
  EXPECT_EQ(p.c.timeouts[0].second, 200);
}

TEST(Parser, ReadsPlainAndTupleMatrices) {
  Parsed p = Parse(
      "matrix TYPE = SOCK_DGRAM, SOCK_SEQPACKET\n"
      "matrix (BACKLOG, QUEUED) = (0, 1), (5, 6)\n"
      "exclude TYPE=SOCK_DGRAM, BACKLOG=5\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.c.matrices.size(), 2u);
  EXPECT_FALSE(p.c.matrices[0].tuple);
  EXPECT_EQ(p.c.matrices[0].rows.size(), 2u);
  EXPECT_TRUE(p.c.matrices[1].tuple);
  EXPECT_EQ(p.c.matrices[1].rows[1][1].value, 6);
  ASSERT_EQ(p.c.excludes.size(), 1u);
  EXPECT_EQ(p.c.excludes[0].matches.size(), 2u);
}

TEST(Parser, ReadsAPeerStepWithResultAndAttributes) {
  Parsed p = Parse(
      "B: recvmsg(b, 10, 0, rights=2) = m1[0:10] flags MSG_TRUNC|MSG_CTRUNC "
      "rights(g=f)\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.c.steps.size(), 1u);
  const Step& s = p.c.steps[0];
  EXPECT_EQ(s.peer->name, "B");
  EXPECT_EQ(s.call.name, "recvmsg");
  ASSERT_EQ(s.args.size(), 4u);
  EXPECT_EQ(s.args[3].kind, Expr::Kind::kKeyValue);
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].values[0].kind, Expr::Kind::kSlice);
  ASSERT_EQ(s.results[0].attrs.size(), 2u);
  EXPECT_EQ(s.results[0].attrs[0].key, "flags");
  EXPECT_EQ(s.results[0].attrs[0].value.items.size(), 2u);
  EXPECT_EQ(s.results[0].attrs[1].key, "rights");
}

TEST(Parser, ReadsCallsWithoutArguments) {
  Parsed p = Parse("pipe() = r, w\nA: drop_privileges() = 0\n");
  ASSERT_TRUE(p.errors.empty()) << ShortDiagnostic(p.errors[0]);
  ASSERT_EQ(p.c.steps.size(), 2u);
  EXPECT_EQ(p.c.steps[0].call.name, "pipe");
  EXPECT_TRUE(p.c.steps[0].args.empty());
  EXPECT_EQ(p.c.steps[0].results[0].values.size(), 2u);
  EXPECT_EQ(p.c.steps[1].call.name, "drop_privileges");
  EXPECT_TRUE(p.c.steps[1].args.empty());
}

TEST(Parser, ReadsAlternativesJoinedByOr) {
  Parsed p = Parse("A: connect(c, path(\"x\")) = ENAMETOOLONG or EINVAL\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.c.steps[0].results.size(), 2u);
}

TEST(Parser, ReadsACountAndDataResult) {
  Parsed p = Parse("B: recv(b, 10, MSG_TRUNC) = 100 m1[0:10]\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.c.steps[0].results[0].values.size(), 2u);
}

TEST(Parser, ReadsBlocksWakesBlockedAndFork) {
  Parsed p =
      Parse("B: read(b, 1) blocks\nB: blocked\nA: fork A2\nB: wakes = 0\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.c.steps.size(), 4u);
  EXPECT_TRUE(p.c.steps[0].blocks);
  EXPECT_EQ(p.c.steps[1].kind, Step::Kind::kBlocked);
  EXPECT_EQ(p.c.steps[2].kind, Step::Kind::kFork);
  EXPECT_EQ(p.c.steps[2].new_peer.name, "A2");
  EXPECT_EQ(p.c.steps[3].kind, Step::Kind::kWakes);
}

TEST(Parser, ReadsRepeatWithACountOrAVariable) {
  Parsed p = Parse(
      "C: repeat 3 socket(AF_UNIX, SOCK_STREAM) = c[]\nC: repeat $N close(c[]) "
      "= 0\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.c.steps[0].repeat->value, 3);
  EXPECT_EQ(p.c.steps[1].repeat->kind, Expr::Kind::kVar);
  EXPECT_TRUE(p.c.steps[0].results[0].values[0].empty_index);
}

TEST(Parser, AttachesOnLinesToTheStepAbove) {
  Parsed p = Parse(
      "B: read(b, 16) = ECONNRESET\n"
      "   on freebsd, darwin = 0  because \"FreeBSD unix(4)\"\n"
      "   on gvisor blocks because \"gVisor\"\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.c.steps[0].platforms.size(), 2u);
  EXPECT_EQ(p.c.steps[0].platforms[0].platforms.size(), 2u);
  EXPECT_EQ(p.c.steps[0].platforms[0].because, "FreeBSD unix(4)");
  EXPECT_TRUE(p.c.steps[0].platforms[1].blocks);
}

TEST(Parser, RejectsAnOnLineWithoutBecauseAtTheEndOfTheLine) {
  EXPECT_EQ(FirstError("B: read(b, 16) = 0\n   on freebsd = 0\n"),
            "2:18: expected 'because \"source\"': a platform expectation must "
            "say where it is documented");
}

TEST(Parser, RejectsAnOnLineWithNoStepAbove) {
  EXPECT_EQ(FirstError("title \"t\"\n   on freebsd = 0 because \"x\"\n"),
            "2:4: an 'on' line must follow a step");
}

TEST(Parser, RejectsAnUnknownStatement) {
  EXPECT_EQ(FirstError("frobnicate the socket\n"),
            "1:1: unknown statement 'frobnicate'");
}

TEST(Parser, RejectsAStepWithoutAResult) {
  EXPECT_EQ(FirstError("A: read(b, 10)\n"),
            "1:15: expected '= RESULT' or 'blocks', found end of line");
}

TEST(Parser, RejectsTrailingTokens) {
  EXPECT_EQ(FirstError("title \"t\" extra\n"),
            "1:11: expected end of line, found 'extra'");
}

TEST(Parser, RejectsLowerCasePeerNames) {
  EXPECT_EQ(FirstError("a: read(b, 10) = 0\n"),
            "1:1: peer names are Capitalised: 'a'");
}

TEST(Parser, ReportsOneErrorPerBadLineAndKeepsGoing) {
  Parsed p = Parse("A: read(b, = 0\ntitle 5\nA: write(a, \"x\") = 1\n");
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].loc.line, 1);
  EXPECT_EQ(p.errors[1].loc.line, 2);
  EXPECT_EQ(p.c.steps.size(), 1u);
}

TEST(Parser, BoundsExpressionNesting) {
  std::string deep = "A: f(";
  for (int i = 0; i < 100; ++i) deep += "g(";
  deep += "1";
  for (int i = 0; i < 101; ++i) deep += ")";
  deep += " = 0\n";
  Parsed p = Parse(deep);
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0].message, "expression nested too deeply");
}

TEST(Printer, PrintsACaseThatParsesBackToTheSameModel) {
  const std::string text =
      "title \"Quote \\\" and \\x01\"\ncovers B07\nsource \"s\"\n"
      "matrix TYPE = SOCK_DGRAM, SOCK_SEQPACKET\n"
      "matrix (A1, B1) = (0, \"x\"), (-5, path(\"y\"))\n"
      "exclude TYPE=SOCK_DGRAM\npayload m1 = 100\ntimeout 100\n"
      "requires kernel >= 6.1.119\nrequires nofile 4110\nrequires root\n"
      "requires CAP_NET_ADMIN when TYPE=SOCK_SEQPACKET, A1=0\n"
      "socketpair(AF_UNIX, $TYPE|SOCK_NONBLOCK) = a, b\npeer A holds a\n"
      "peer B holds b\n"
      "A: sendmsg(a, m1[0:10] + \"\\n\", 0, rights(a), creds(pid=1)) = 11\n"
      "B: recvmsg(b, 10, 0, rights=1, creds) = 10 m1[0:10] flags 0 rights(g=a) "
      "cred(A)\n"
      "   on darwin = 1..10 or EAGAIN because \"x\"\n"
      "   requires ipv6 when TYPE=SOCK_DGRAM\n"
      "B: read(b, 1) blocks\nB: blocked\nA: fork A2\nB: wakes = any\n"
      "C: repeat $N connect(c[], loopback4(80)) = 0\n";
  Parsed first = Parse(text);
  ASSERT_TRUE(first.errors.empty()) << ShortDiagnostic(first.errors[0]);
  std::string printed = PrintCase(first.c);
  Parsed second = Parse(printed);
  ASSERT_TRUE(second.errors.empty()) << printed;
  EXPECT_TRUE(first.c == second.c) << printed;
  EXPECT_EQ(PrintCase(second.c), printed);
}

TEST(Parser, ReadsRequiresAtTheTopAndUnderAStep) {
  Parsed p = Parse(
      "requires kernel < 5.4 when K=inet6\n"
      "socketpair(AF_INET6, SOCK_DGRAM) = EOPNOTSUPP\n"
      "   requires ipv6\n");
  ASSERT_TRUE(p.errors.empty()) << ShortDiagnostic(p.errors[0]);
  ASSERT_EQ(p.c.requirements.size(), 1u);
  EXPECT_EQ(p.c.requirements[0].what.name, "kernel");
  EXPECT_EQ(p.c.requirements[0].op, "<");
  EXPECT_EQ(p.c.requirements[0].arg.text, "5.4");
  ASSERT_EQ(p.c.requirements[0].when.size(), 1u);
  EXPECT_EQ(p.c.requirements[0].when[0].first.name, "K");
  ASSERT_EQ(p.c.steps.size(), 1u);
  ASSERT_EQ(p.c.steps[0].requirements.size(), 1u);
  EXPECT_EQ(p.c.steps[0].requirements[0].what.name, "ipv6");
  EXPECT_EQ(p.c.steps[0].requirements[0].loc.line, 3);
}

TEST(Printer, EscapesEveryNonPrintableByte) {
  EXPECT_EQ(QuoteLiteral(std::string("a\0\xff\"", 4)), "\"a\\0\\xff\\\"\"");
}

TEST(Parser, ReadsAPlaceholderAndPrintsItBack) {
  const std::string text =
      "A: read(b, 10) = ?   # not yet known\nB: wakes = ?\n";
  Parsed p = Parse(text);
  ASSERT_TRUE(p.errors.empty()) << ShortDiagnostic(p.errors[0]);
  ASSERT_EQ(p.c.steps.size(), 2u);
  ASSERT_TRUE(p.c.steps[0].placeholder.has_value());
  EXPECT_EQ(p.c.steps[0].placeholder->line, 1);
  EXPECT_EQ(p.c.steps[0].placeholder->col, 18);
  EXPECT_TRUE(p.c.steps[0].results.empty());
  EXPECT_TRUE(p.c.steps[1].placeholder.has_value());
  // Printing keeps the placeholder: the printed case parses back equal.
  Parsed back = Parse(PrintCase(p.c));
  EXPECT_TRUE(back.errors.empty());
  EXPECT_EQ(back.c, p.c);
  EXPECT_FALSE(Parse("A: read(b, 10) = 0\n").c == Parse("A: read(b, 10) = ?\n").c);
}

TEST(Parser, APlaceholderStandsAlone) {
  EXPECT_EQ(FirstError("A: read(b, 10) = ? or 0\n"), "1:20: expected end of line, found 'or'");
  EXPECT_EQ(FirstError("A: read(b, 10) = 0 or ?\n"), "1:23: expected a value, found '?'");
}

}  // namespace
}  // namespace sockspec
