#include "harness/lang/validate.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include <cctype>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "harness/lang/frontend.h"
#include "harness/lang/lang_test_util.h"
#include "harness/lang/payload.h"

namespace sockspec {
namespace {

constexpr char kHeader[] = "title \"t\"\ncovers B01\nsource \"s\"\n";
constexpr char kPair[] =
    "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\npeer B holds b\n";

constexpr TestCases kCases(kHeader);

std::string Example(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (ws ? ws : "sockspec") +
         "/cases/examples/" + name;
}

LoadedCase LoadExample(const std::string& name) {
  absl::StatusOr<LoadedCase> c = LoadCaseFile(Example(name), "linux");
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return {};
  EXPECT_TRUE(c->errors.empty()) << FormatErrors(*c);
  return *c;
}

TEST(Validate, LowersTheReadmeExampleIntoOnePlanPerMatrixRow) {
  LoadedCase c = LoadExample("short-read-truncates-datagram.case");
  ASSERT_EQ(c.plans.size(), 2u);
  EXPECT_EQ(c.title,
            "A datagram read into a short buffer discards the rest of it");
  ASSERT_EQ(c.matrix.size(), 1u);
  EXPECT_EQ(c.matrix[0].second,
            (std::vector<std::string>{"SOCK_DGRAM", "SOCK_SEQPACKET"}));
  const Plan& p = c.plans[1];
  EXPECT_EQ(p.bindings, (std::vector<std::pair<std::string, std::string>>{
                            {"TYPE", "SOCK_SEQPACKET"}}));
  EXPECT_EQ(p.fd_names, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(p.peers.size(), 2u);
  EXPECT_EQ(p.peers[1].holds, std::vector<int>{1});
  ASSERT_EQ(p.ops.size(), 4u);
  EXPECT_EQ(p.ops[0].call, Call::kSocketpair);
  EXPECT_EQ(p.ops[0].ints, (std::vector<int64_t>{AF_UNIX, SOCK_SEQPACKET, 0}));
  EXPECT_EQ(p.ops[0].results, (std::vector<int>{0, 1}));
  EXPECT_EQ(p.ops[1].data, PayloadBytes("m1", 0, 100));
  const Op& recv = p.ops[2];
  EXPECT_EQ(recv.text, "recvmsg(b, 10, 0)");
  EXPECT_EQ(recv.peer, 1);
  EXPECT_EQ(recv.ints, (std::vector<int64_t>{10, 0, -1, 0, -1, 0}));
  ASSERT_EQ(recv.expect.any_of.size(), 1u);
  EXPECT_EQ(recv.expect.any_of[0].data, PayloadBytes("m1", 0, 10));
  EXPECT_EQ(recv.expect.any_of[0].msg_flags, MSG_TRUNC);
  EXPECT_EQ(p.ops[3].expect.any_of[0].kind, Outcome::Kind::kErrno);
  EXPECT_EQ(p.ops[3].expect.any_of[0].err, EAGAIN);
}

TEST(Validate, PairsABlockingCallWithItsWakes) {
  LoadedCase c = LoadExample("blocking-read-wakes-on-write.case");
  ASSERT_EQ(c.plans.size(), 3u);
  const std::vector<Op>& ops = c.plans[0].ops;
  ASSERT_EQ(ops.size(), 6u);
  EXPECT_EQ(ops[1].expect.any_of[0].kind, Outcome::Kind::kBlocks);
  EXPECT_EQ(ops[2].call, Call::kBlocked);
  EXPECT_EQ(ops[4].call, Call::kWakes);
  EXPECT_EQ(ops[4].text, "wakes from read(b, 4096)");
  EXPECT_EQ(ops[4].expect.any_of[0].data, PayloadBytes("m1", 0, 32));
  EXPECT_EQ(ops[5].expect.any_of[0].value->min, 0);
}

TEST(Validate, BindsReceivedRightsAndChecksTheSenderFile) {
  LoadedCase c = LoadExample("rights-pass-the-same-open-file.case");
  ASSERT_EQ(c.plans.size(), 3u);
  const Plan& p = c.plans[0];
  const Op& send = p.ops[2];
  EXPECT_EQ(send.call, Call::kSendmsg);
  EXPECT_EQ(send.rights, std::vector<int>{2});  // x
  const Op& recv = p.ops[3];
  EXPECT_EQ(recv.ints, (std::vector<int64_t>{10, 0, 1, 0, -1, 0}));
  ASSERT_EQ(recv.results.size(), 1u);
  EXPECT_EQ(p.fd_names[recv.results[0]], "g");
  EXPECT_EQ(recv.expect.any_of[0].rights_same_as, std::vector<int>{2});
  EXPECT_EQ(recv.expect.any_of[0].msg_flags, 0);
}

TEST(Validate, UnrollsRepeatedStepsOverAnFdArray) {
  LoadedCase c = LoadExample("connections-queue-until-accepted.case");
  ASSERT_EQ(c.plans.size(), 4u);
  const Plan& p = c.plans[0];
  EXPECT_EQ(p.bindings[1].second, "path(\"srv\")");
  EXPECT_EQ(p.fd_names, (std::vector<std::string>{"l", "c[0]", "c[1]", "c[2]",
                                                  "n[0]", "n[1]", "n[2]"}));
  ASSERT_EQ(p.ops.size(), 19u);
  EXPECT_EQ(p.ops[7].text, "connect(c[1], path(\"srv\"))");
  EXPECT_EQ(p.ops[7].addr.kind, AddressSpec::Kind::kPath);
  EXPECT_EQ(p.ops[7].addr.name, "srv");
}

TEST(Validate, JudgesByThePlatformsAnswerWhereOneIsRecorded) {
  std::string body = std::string(kPair) +
                     "A: close(a) = 0\nB: read(b, 16) = 0\n"
                     "   on freebsd, darwin = ECONNRESET because \"x\"\n";
  LoadedCase linux_case = kCases.Load(body, "linux");
  LoadedCase darwin_case = kCases.Load(body, "darwin");
  LoadedCase gvisor_case = kCases.Load(body, "gvisor");
  ASSERT_TRUE(linux_case.errors.empty());
  const Op& l = linux_case.plans[0].ops[2];
  EXPECT_EQ(l.expect.any_of[0].kind, Outcome::Kind::kReturn);
  ASSERT_EQ(l.platforms.size(), 3u);
  EXPECT_EQ(l.platforms[0].first, "linux");
  EXPECT_EQ(l.platforms[2].first, "darwin");
  EXPECT_EQ(l.platforms[2].second.source, "x");
  EXPECT_EQ(darwin_case.plans[0].ops[2].expect.any_of[0].err, ECONNRESET);
  EXPECT_EQ(gvisor_case.plans[0].ops[2].expect.any_of[0].kind,
            Outcome::Kind::kReturn);
}

TEST(Validate, GivesAForkedPeerCopiesOfTheParentsFds) {
  LoadedCase c = kCases.Load(std::string(kPair) +
                      "A: fork A2\nA: close(a) = 0\nA2: write(a, \"x\") = 1\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Plan& p = c.plans[0];
  ASSERT_EQ(p.peers.size(), 3u);
  EXPECT_EQ(p.peers[2].name, "A2");
  EXPECT_EQ(p.peers[2].forked_by, 0);
  EXPECT_EQ(p.peers[2].holds, std::vector<int>{0});
  EXPECT_EQ(p.ops[1].new_peer, 2);
}

TEST(Validate, PutsTheFdsAWakesNamesOnTheBlockingCall) {
  LoadedCase c = kCases.Load(
      "peer S\npeer C\nS: socket(AF_UNIX, SOCK_STREAM) = l\n"
      "S: bind(l, abstract(\"x\")) = 0\nS: listen(l, 1) = 0\n"
      "S: accept(l) blocks\nC: socket(AF_UNIX, SOCK_STREAM) = c\n"
      "C: connect(c, abstract(\"x\")) = 0\nS: wakes = n\nS: close(n) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const Plan& p = c.plans[0];
  ASSERT_EQ(p.ops.size(), 8u);
  EXPECT_EQ(p.ops[3].call, Call::kAccept);
  EXPECT_EQ(p.ops[3].results, std::vector<int>{2});
  EXPECT_EQ(p.ops[6].results, std::vector<int>{2});
  EXPECT_EQ(p.fd_names[2], "n");
}

TEST(Validate, RejectsAPeerUsedBeforeItIsForked) {
  EXPECT_EQ(
      kCases.FirstError(std::string(kPair) + "A2: write(a, \"x\") = 1\nA: fork A2\n"),
      "peer A2 does not exist yet: it is forked at 8:9");
}

TEST(Validate, ExcludeDropsMatchingRows) {
  LoadedCase c = kCases.Load(
      "matrix TYPE = SOCK_STREAM, SOCK_DGRAM\nmatrix KIND = socketpair, "
      "abstract\n"
      "exclude TYPE=SOCK_DGRAM, KIND=abstract\npair($KIND, $TYPE) = a, b\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  ASSERT_EQ(c.plans.size(), 3u);
  EXPECT_EQ(c.plans[2].bindings[1].second, "socketpair");
  EXPECT_EQ(c.plans[2].ops[0].ints,
            (std::vector<int64_t>{static_cast<int>(PairKind::kSocketpair),
                                  SOCK_DGRAM}));
}

TEST(Validate, RejectsAnExcludeOfEveryRow) {
  EXPECT_EQ(kCases.FirstError("matrix T = 1\nexclude T=1\n"),
            "'exclude' removes every matrix row");
}

TEST(Validate, RejectsAMatrixOfTooManyRows) {
  EXPECT_EQ(kCases.FirstError("matrix A = 1,2,3,4,5,6,7,8,9,10,11\n"
                       "matrix B = 1,2,3,4,5,6,7,8,9,10,11\n"
                       "matrix C = 1,2,3,4,5,6,7,8,9,10,11\n"),
            "the matrix has more than 1024 rows");
}

TEST(Validate, RejectsAWrongArgumentCountAtTheExtraArgument) {
  LoadedCase c = kCases.Load(std::string(kPair) + "A: close(a, b) = 0\n");
  ASSERT_FALSE(c.errors.empty());
  EXPECT_EQ(ShortDiagnostic(c.errors[0]),
            "7:13: 'close' takes 1 argument (fd), got 2");
}

TEST(Validate, RejectsASetupStepThatBlocks) {
  EXPECT_EQ(
      kCases.FirstError("socket(AF_UNIX, SOCK_STREAM) blocks\n"),
      "a setup step cannot block: the harness runs it before any peer exists");
}

TEST(Validate, RejectsAnFdOnlyTheOtherPeerHolds) {
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "B: read(a, 1) = 0\n"),
            "fd 'a' is not held by peer B");
}

TEST(Validate, RejectsAnIllegalPathName) {
  EXPECT_EQ(kCases.FirstError("peer A\nA: socket(AF_UNIX, SOCK_STREAM) = s\n"
                       "A: bind(s, path(\"../x\")) = 0\n"),
            "a path(...) name is one relative file name: not empty, no '/', no "
            "NUL, not '.' or '..'");
}

TEST(Validate, RejectsAFdNameResultOnAPollStep) {
  EXPECT_EQ(kCases.FirstError(std::string(kPair) + "A: poll(a, POLLIN) = MSG_PEEK\n"),
            "'revents' takes a poll event, not 'MSG_PEEK' (a message flag)");
}

TEST(Validate, RejectsAnUnknownPlatformArgument) {
  LoadedCase c = kCases.Load(kPair, "plan9");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].message,
            "unknown platform 'plan9' (known: linux, gvisor, freebsd, darwin, "
            "netbsd, openbsd)");
}

TEST(Validate, RejectsAPayloadAboveTheSizeLimit) {
  EXPECT_EQ(kCases.FirstError("payload big = 16777217\n"),
            "payload size must be between 0 and 16777216 bytes");
}

TEST(Validate, ExpandsRepeatCountsFromTheMatrix) {
  LoadedCase c = kCases.Load(
      "matrix N = 2, 4\npeer A\n"
      "A: repeat $N socket(AF_UNIX, SOCK_STREAM) = c[]\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  EXPECT_EQ(c.plans[0].ops.size(), 2u);
  EXPECT_EQ(c.plans[1].ops.size(), 4u);
}

TEST(Validate, ReadsSignalsAndCountRanges) {
  LoadedCase c =
      kCases.Load(std::string(kPair) +
           "A: close(a) = 0\nB: write(b, \"x\") = EPIPE signal SIGPIPE\n"
           "B: getsockopt(b, SOL_SOCKET, SO_TYPE) = SOCK_STREAM\n"
           "B: getsockopt(b, SOL_SOCKET, SO_SNDBUF) = 1..1000000\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  EXPECT_EQ(ops[2].expect.any_of[0].signals, std::vector<int>{SIGPIPE});
  EXPECT_EQ(ops[3].expect.any_of[0].value->min, SOCK_STREAM);
  EXPECT_EQ(ops[4].expect.any_of[0].value->max, 1000000);
}

TEST(Validate, PipeBindsItsReadAndWriteEnds) {
  LoadedCase c = kCases.Load(
      "pipe() = r, w\npeer A holds r, w\n"
      "A: pipe(O_NONBLOCK) = r2, w2\nA: shutdown(r, SHUT_RD) = ENOTSOCK\n"
      "A: write(w2, \"x\") = 1\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  const std::vector<Op>& ops = c.plans[0].ops;
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[0].call, Call::kPipe);
  EXPECT_EQ(ops[0].ints, std::vector<int64_t>{0});
  EXPECT_EQ(ops[0].results.size(), 2u);
  EXPECT_EQ(ops[1].ints, std::vector<int64_t>{O_NONBLOCK});
  EXPECT_EQ(ops[2].expect.any_of[0].err, ENOTSOCK);
}

TEST(Validate, RejectsAPipeWithOneResultName) {
  EXPECT_EQ(kCases.FirstError("pipe() = r\n"),
            "'pipe' returns two new fds: name them (= a, b)");
}

TEST(Validate, DropPrivilegesRunsInAPeerAndTakesNoArgument) {
  LoadedCase c = kCases.Load("peer A\nA: drop_privileges() = 0\n");
  ASSERT_TRUE(c.errors.empty()) << FormatErrors(c);
  EXPECT_EQ(c.plans[0].ops[0].call, Call::kDropPrivileges);
  EXPECT_EQ(kCases.FirstError("drop_privileges() = 0\n"),
            "'drop_privileges' runs in a peer, not in the harness");
  EXPECT_EQ(kCases.FirstError("peer A\nA: drop_privileges(1) = 0\n"),
            "'drop_privileges' takes 0 arguments (), got 1");
}

TEST(Payload, BytesDependOnTheNameAndThePosition) {
  std::string m1 = PayloadBytes("m1", 0, 64);
  EXPECT_EQ(PayloadBytes("m1", 10, 5), m1.substr(10, 5));
  EXPECT_NE(PayloadBytes("m2", 0, 64), m1);
  EXPECT_NE(m1.substr(0, 32), m1.substr(32, 32));
  for (char c : m1) EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)));
}

TEST(Validate, RequiresLowerOntoTheRowsTheyApplyTo) {
  LoadedCase c = kCases.Load(
      "matrix KIND = socketpair, inet6\n"
      "requires nofile 100\n"
      "requires ipv6 when KIND=inet6\n"
      "pair($KIND, SOCK_STREAM) = a, b\n"
      "   requires kernel >= 5.4 when KIND=socketpair\n"
      "peer A holds a\npeer B holds b\nA: close(a) = 0\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  ASSERT_EQ(c.plans.size(), 2u);
  ASSERT_EQ(c.plans[0].requirements.size(), 2u);
  EXPECT_EQ(c.plans[0].requirements[0].kind, Requirement::Kind::kNofile);
  EXPECT_EQ(c.plans[0].requirements[0].value, 100);
  EXPECT_EQ(c.plans[0].requirements[1].kind, Requirement::Kind::kKernel);
  EXPECT_EQ(c.plans[0].requirements[1].text, "kernel >= 5.4");
  EXPECT_EQ(c.plans[0].requirements[1].loc.line, 8);
  ASSERT_EQ(c.plans[1].requirements.size(), 2u);
  EXPECT_EQ(c.plans[1].requirements[1].kind, Requirement::Kind::kIpv6);
  EXPECT_EQ(c.plans[1].requirements[1].loc.line, 6);
}

TEST(Validate, RequiresCapabilitiesByNameAndNofileInRange) {
  LoadedCase c = kCases.Load(std::string("requires CAP_SYS_ADMIN\n") + kPair);
  ASSERT_TRUE(c.errors.empty());
  ASSERT_EQ(c.plans[0].requirements.size(), 1u);
  EXPECT_EQ(c.plans[0].requirements[0].kind, Requirement::Kind::kCapability);
  EXPECT_EQ(c.plans[0].requirements[0].value, 21);  // CAP_SYS_ADMIN
  EXPECT_EQ(kCases.FirstError(std::string("requires nofile 0\n") + kPair),
            "nofile must be between 1 and 1048576");
  EXPECT_EQ(kCases.FirstError(std::string("requires kernel >= 5\n") + kPair),
            "malformed kernel version '5' (write 5.4 or 6.1.119)");
}

}  // namespace
}  // namespace sockspec
