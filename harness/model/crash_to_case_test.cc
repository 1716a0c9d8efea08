#include "harness/model/crash_to_case.h"

#include <sys/socket.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/lang/frontend.h"
#include "harness/model/crash_to_case_text.h"
#include "harness/model/fuzz_diff.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/model.h"

namespace sockspec {
// The reference model's names this file uses.
namespace {
using model::AllowedResult;
using model::Model;
using model::ModelLimits;
using model::ModelOp;
using model::Observed;
using model::SockType;
}  // namespace

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Conversion Convert(std::vector<uint8_t> input, ModelLimits limits = {},
                   std::string title = "") {
  BlockSigpipe();
  CrashToCaseOptions options;
  options.title = title;
  absl::StatusOr<Conversion> c = CrashToCase(input, options, limits);
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return {};
  // Whatever it says, it must be a case the front end accepts.
  LoadedCase loaded = LoadCase("gen.case", c->text, "linux");
  EXPECT_TRUE(loaded.errors.empty()) << FormatErrors(loaded) << c->text;
  return *c;
}

std::string Line(const std::string& text, int n) {
  size_t at = 0;
  for (int i = 1; i < n; ++i) at = text.find('\n', at) + 1;
  return text.substr(at, text.find('\n', at) - at);
}

TEST(Sha1Hex, MatchesTheStandardTestVectors) {
  const std::string abc = "abc";
  EXPECT_EQ(Sha1Hex({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()}),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex({}), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(CrashToCase, DatagramsKeepTheirBoundariesWithoutDivergence) {
  // SOCK_DGRAM: a sends 5 then 7 bytes; b's recvmsg(100) gets the first 5.
  Conversion c = Convert({0x01, 0x00, 0x05, 0x00, 0x00, 0x07, 0x00, 0x05,
                          0x64, 0x20});
  EXPECT_FALSE(c.diverged);
  EXPECT_EQ(c.steps, 3u);
  EXPECT_EQ(c.divergent_line, 0);
  EXPECT_THAT(c.text, HasSubstr("socketpair(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK) = a, b\n"
                                "peer P holds a, b\n"));
  EXPECT_THAT(c.text, HasSubstr("payload from_a = \"\\x00\\xa7\\x4e"));
  EXPECT_THAT(c.text, HasSubstr("P: send(a, from_a[0:5], 0) = 5\n"
                                "P: send(a, from_a[5:12], 0) = 7\n"
                                "P: recvmsg(b, 100, 0) = from_a[0:5] flags 0\n"));
  EXPECT_THAT(c.text, HasSubstr("source \"fuzz/ops_fuzzer input "));
}

TEST(CrashToCase, TheDivergentStepExpectsWhatTheModelAllows) {
  // A model that believes SO_SNDBUF is the minimum wants EMSGSIZE for a
  // 5000-byte datagram that the real kernel (212992 bytes) accepts.
  ModelLimits small;
  small.default_sndbuf = 4608;
  Conversion c = Convert({0x01, 0x00, 0xe0, 0x88, 0x13, 0x00}, small);
  ASSERT_TRUE(c.diverged);
  EXPECT_THAT(c.reason, HasSubstr("send(a, 5000, 0): expected -1 EMSGSIZE"));
  EXPECT_EQ(Line(c.text, c.divergent_line), "P: send(a, from_a[0:5000], 0) = EMSGSIZE");
  EXPECT_EQ(Line(c.text, c.divergent_line - 1),
            "# ops_fuzzer diverged here: " + c.reason);
  EXPECT_THAT(c.text, HasSubstr("title \"Found by ops_fuzzer: send(a, 5000, 0): "));
  EXPECT_THAT(c.text, HasSubstr("covers B10\n"));
}

TEST(CrashToCase, ATitleCanBeGiven) {
  Conversion c = Convert({0x01, 0x0b}, {}, "Poll on a \"fresh\" pair");
  EXPECT_THAT(c.text, HasSubstr("title \"Poll on a \\\"fresh\\\" pair\"\n"));
}

TEST(CrashToCase, AStreamWriteToAClosedPeerExpectsSigpipe) {
  // close(b), then send(a, 3, 0): EPIPE and SIGPIPE (no MSG_NOSIGNAL).
  Conversion c = Convert({0x00, 0x0f, 0x00, 0x03, 0x00, 0x00, 0x03, 0x02});
  EXPECT_FALSE(c.diverged);
  EXPECT_THAT(c.text, HasSubstr("P: close(b) = 0\n"
                                "P: send(a, from_a[0:3], 0) = EPIPE signal SIGPIPE\n"
                                "P: send(a, from_a[0:3], MSG_NOSIGNAL) = EPIPE\n"));
}

TEST(CrashToCase, PollShutdownAndSndbufBecomeTheirCalls) {
  // DGRAM: setsockopt(a, SO_SNDBUF, 4 * 0x1000), shutdown(b, SHUT_RD), poll(b).
  Conversion c = Convert({0x01, 0x0c, 0x00, 0x10, 0x09, 0x00, 0x0b});
  EXPECT_THAT(c.text, HasSubstr("P: setsockopt(a, SOL_SOCKET, SO_SNDBUF, 16384) = 0\n"
                                "P: getsockopt(a, SOL_SOCKET, SO_SNDBUF) = 32768\n"
                                "P: shutdown(b, SHUT_RD) = 0\n"
                                "P: poll(b, POLLIN|POLLOUT|POLLRDHUP) = "
                                "POLLIN|POLLOUT|POLLRDHUP\n"));
}

TEST(CrashToCase, PassedFdsCredentialsEpollAndOptionsBecomeTheirCalls) {
  // Version 3, STREAM: send(a, 3), sendmsg(a, 2, rights=2),
  // setsockopt(b, SO_PASSCRED, 1), recvmsg(b, 100, MSG_PEEK, control=64),
  // epoll_wait(b), getsockopt(b, SO_TYPE).
  Conversion c = Convert({0xf5, 'S', 'X', 3, 0, 0x00, 2, 3, 0x02, 0x10, 3, 2,
                          0x02, 1, 0x15, 1, 1, 0x13, 3, 100, 0x01, 64, 0x17,
                          0, 0x19, 1, 2});
  EXPECT_FALSE(c.diverged) << c.reason;
  EXPECT_THAT(c.text, HasSubstr("P: pipe() = t3, t3w\nP: pipe() = t4, t4w\n"
                                "P: epoll_create1(0) = eb\n"
                                "P: epoll_ctl(eb, EPOLL_CTL_ADD, b, "
                                "EPOLLIN|EPOLLOUT|EPOLLRDHUP) = 0\n"));
  // Sent before SO_PASSCRED: the credentials of no one.
  EXPECT_THAT(c.text,
              HasSubstr("P: sendmsg(a, from_a[3:5], MSG_NOSIGNAL, rights(t3, t4)) = 2\n"
                        "P: setsockopt(b, SOL_SOCKET, SO_PASSCRED, 1) = 0\n"
                        "P: recvmsg(b, 100, MSG_PEEK, control=64) = from_a[0:5] flags 0 "
                        "rights(g1=t3, g2=t4) cred(pid=0, uid=65534, gid=65534)\n"
                        "P: close(g1) = 0\nP: close(g2) = 0\n"
                        "P: epoll_wait(eb, 1, 0) = events(b=EPOLLIN|EPOLLOUT)\n"
                        "P: getsockopt(b, SOL_SOCKET, SO_TYPE) = SOCK_STREAM\n"));
}

TEST(CrashToCase, ATruncatedDatagramShowsItsLengthAndMsgTrunc) {
  // DGRAM: a sends 10; recvmsg(b, 4, 0) then, after another 10,
  // recvmsg(b, 4, MSG_TRUNC) which returns the real length.
  Conversion c = Convert({0x01, 0x00, 0x0a, 0x00, 0x05, 0x04, 0x20, 0x00,
                          0x0a, 0x00, 0x05, 0x04, 0x22});
  EXPECT_THAT(c.text, HasSubstr("P: recvmsg(b, 4, 0) = from_a[0:4] flags MSG_TRUNC\n"));
  EXPECT_THAT(c.text,
              HasSubstr("P: recvmsg(b, 4, MSG_TRUNC) = 10 from_a[10:14] flags MSG_TRUNC\n"));
}

// A version 4 program of `ops` on a `type` pair, as ops_fuzzer decodes it.
std::vector<uint8_t> Named(SockType type, std::vector<ModelOp> ops) {
  OpsProgram p;
  p.type = type;
  p.ops = std::move(ops);
  std::vector<uint8_t> bytes = EncodeOps(p);
  EXPECT_EQ(DecodeOps(bytes).ops.size(), p.ops.size());
  return bytes;
}

TEST(CrashToCase, ListenConnectAcceptOnAPathnameBecomeTheirCalls) {
  // s2 listens on p0 (a pathname in the case's private directory), s3
  // connects, s4 is accepted; data goes s3 -> s4 as on a pair.
  Conversion c = Convert(Named(
      SockType::kStream,
      {ModelOp::Socket(2, SockType::kStream), ModelOp::Bind(2, 0),
       ModelOp::Listen(2, 1), ModelOp::Socket(3, SockType::kStream),
       ModelOp::Connect(3, 0), ModelOp::Accept(2, 4),
       ModelOp::Write(3, 5, MSG_NOSIGNAL), ModelOp::Read(4, 10, 0),
       ModelOp::GetName(4, false), ModelOp::GetName(3, true),
       ModelOp::GetName(3, false), ModelOp::Close(2), ModelOp::Accept(4, 2)}));
  EXPECT_FALSE(c.diverged) << c.reason;
  EXPECT_THAT(c.text,
              HasSubstr("P: socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK) = s2\n"
                        "P: bind(s2, path(\"p0\")) = 0\n"
                        "P: listen(s2, 1) = 0\n"
                        "P: socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK) = s3\n"
                        "P: connect(s3, path(\"p0\")) = 0\n"
                        "P: accept4(s2, SOCK_NONBLOCK) = s4\n"
                        "P: send(s3, from_a[0:5], MSG_NOSIGNAL) = 5\n"
                        "P: recvmsg(s4, 10, 0) = from_a[0:5] flags 0\n"
                        "P: getsockname(s4) = path(\"p0\")\n"
                        "P: getpeername(s3) = path(\"p0\")\n"
                        "P: getsockname(s3) = unnamed\n"
                        "P: close(s2) = 0\n"
                        "P: accept4(s4, SOCK_NONBLOCK) = EINVAL\n"));
}

TEST(CrashToCase, DatagramNamesSendtoRecvfromAndDisconnectBecomeTheirCalls) {
  // s2 is bound to abstract a0; s3 autobinds and sends it a datagram, which
  // arrives from s3's autobound name; s3 connects and disconnects
  // (AF_UNSPEC, the family alone as ops_fuzzer passes it).
  Conversion c = Convert(Named(
      SockType::kDgram,
      {ModelOp::Socket(2, SockType::kDgram), ModelOp::Bind(2, 4),
       ModelOp::Socket(3, SockType::kDgram), ModelOp::Bind(3, model::kAutobind),
       ModelOp::SendTo(3, 4, 0, 4), ModelOp::RecvFrom(2, 10, 0),
       ModelOp::Connect(3, 4), ModelOp::Connect(3, model::kUnspec),
       ModelOp::GetName(3, false), ModelOp::Poll(2)}));
  EXPECT_FALSE(c.diverged) << c.reason;
  // A named datagram socket writes its own pattern: from_s3.
  EXPECT_THAT(c.text, HasSubstr("payload from_s3 = \""));
  EXPECT_THAT(c.text,
              HasSubstr("P: bind(s2, abstract(\"a0\")) = 0\n"
                        "P: socket(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK) = s3\n"
                        "P: bind(s3, unnamed) = 0\n"
                        "P: sendto(s3, from_s3[0:4], 0, abstract(\"a0\")) = 4\n"
                        "P: recvmsg(s2, 10, 0) = from_s3[0:4] flags 0 from autobind\n"
                        "P: connect(s3, abstract(\"a0\")) = 0\n"
                        "P: connect(s3, addrlen(unspec, 2)) = 0\n"
                        "P: getsockname(s3) = autobind\n"
                        "P: poll(s2, POLLIN|POLLOUT|POLLRDHUP) = POLLOUT\n"));
}

TEST(CrashToCase, AGuestAnswerOnANamedSocketIsItsOnLine) {
  // Connecting to an abstract name nobody holds: ECONNREFUSED here; the
  // guest (made up) answers ENOENT, which goes under the last step as its
  // `on` line while the host's answer stays the result.
  BlockSigpipe();
  const std::vector<uint8_t> input = Named(
      SockType::kStream, {ModelOp::Socket(2, SockType::kSeqpacket),
                          ModelOp::Connect(2, 5)});
  CrashToCaseOptions options;
  options.guest_platform = "gvisor";
  options.guest_because = "observed";
  Observed made;
  made.ret = 2;
  Observed absent;
  absent.ret = -1;
  absent.err = ENOENT;
  options.guest_answers = {{made, 0}, {absent, 0}};
  absl::StatusOr<Conversion> c = CrashToCase(input, options, {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Line(c->text, c->divergent_line), "P: connect(s2, abstract(\"a1\")) = ECONNREFUSED");
  EXPECT_EQ(Line(c->text, c->guest_line),
            "   on gvisor = ENOENT because \"observed\"");
  EXPECT_THAT(c->text, HasSubstr("covers B34\n"));
  LoadedCase loaded = LoadCase("gen.case", c->text, "gvisor");
  EXPECT_TRUE(loaded.errors.empty()) << FormatErrors(loaded) << c->text;
}

TEST(CrashToCase, FdsTheGuestDidNotReceiveAreNotClosed) {
  // a passes one fd; the guest's recvmsg gets the byte without it. The
  // host's answer names g1, but closing g1 would fail in the guest: the
  // case leaves it open.
  BlockSigpipe();
  OpsProgram p;
  p.ops = {ModelOp::WriteRights(0, 1, 0, 1), ModelOp::ReadControl(1, 10, 0, 64)};
  CrashToCaseOptions options;
  options.guest_platform = "gvisor";
  options.guest_because = "observed";
  Observed sent;
  sent.ret = 1;
  Observed got;
  got.ret = 1;
  std::vector<uint8_t> byte(1);
  model::FillPattern(0, 0, byte.data(), 1);
  options.guest_answers = {{sent, 0}, {got, DataHash(byte)}};
  absl::StatusOr<Conversion> c = CrashToCase(EncodeOps(p), options, {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Line(c->text, c->divergent_line),
            "P: recvmsg(b, 10, 0, control=64) = from_a[0:1] flags 0 rights(g1=t0)");
  EXPECT_EQ(Line(c->text, c->guest_line),
            "   on gvisor = from_a[0:1] flags 0 because \"observed\"");
  EXPECT_THAT(c->text, Not(HasSubstr("close(g1)")));
  LoadedCase loaded = LoadCase("gen.case", c->text, "gvisor");
  EXPECT_TRUE(loaded.errors.empty()) << FormatErrors(loaded) << c->text;
}

TEST(CrashToCase, AModelDivergenceOnANamedSocketIsAnErrorNamingTheStep) {
  // A model that takes max_dgram_qlen to be -1 wants EAGAIN for the first
  // datagram; it lists no allowed answers for named sockets.
  ModelLimits tiny;
  tiny.max_dgram_qlen = -1;
  BlockSigpipe();
  absl::StatusOr<Conversion> c = CrashToCase(
      Named(SockType::kDgram,
            {ModelOp::Socket(2, SockType::kDgram), ModelOp::Bind(2, 0),
             ModelOp::Socket(3, SockType::kDgram), ModelOp::SendTo(3, 1, 0, 0)}),
      {}, tiny);
  ASSERT_FALSE(c.ok()) << c->text;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(c.status().message(), HasSubstr("step 4, sendto(s3, 1, 0, p0): the model diverges here"));
}

TEST(CrashToCase, OutOfBandSendRecvAtMarkAndOobInlineBecomeTheirCalls) {
  // Version 5, STREAM: send(a, 3, MSG_OOB) queues "xy" and the mark "z";
  // SIOCATMARK is 0 before "xy" is read and 1 after; recv(MSG_OOB) peeks
  // and takes "z", the last byte of the send (msg_flags MSG_OOB).
  Conversion c = Convert(Named(
      SockType::kStream,
      {ModelOp::WriteOob(0, 3, 0), ModelOp::AtMark(1),
       ModelOp::Read(1, 10, 0, model::IoCall::kSend), ModelOp::AtMark(1),
       ModelOp::ReadOob(1, 1, true), ModelOp::ReadOob(1, 1, false),
       ModelOp::ReadOob(1, 1, false), ModelOp::SetOobInline(1, 1)}));
  EXPECT_FALSE(c.diverged) << c.reason;
  EXPECT_THAT(c.text, HasSubstr("covers B13\n"));
  EXPECT_THAT(c.text,
              HasSubstr("P: send(a, from_a[0:3], MSG_OOB) = 3\n"
                        "P: ioctl(b, SIOCATMARK) = 0\n"
                        "P: recv(b, 10, 0) = from_a[0:2]\n"
                        "P: ioctl(b, SIOCATMARK) = 1\n"
                        "P: recvmsg(b, 1, MSG_OOB|MSG_PEEK) = from_a[2:3] flags MSG_OOB\n"
                        "P: recvmsg(b, 1, MSG_OOB) = from_a[2:3] flags MSG_OOB\n"
                        "P: recvmsg(b, 1, MSG_OOB) = EINVAL\n"
                        "P: setsockopt(b, SOL_SOCKET, SO_OOBINLINE, 1) = 0\n"));
}

TEST(CrashToCase, AnEdgeTriggeredSetIsMadeAtItsFirstWaitAndClosedWithItsEnd) {
  // Version 5, STREAM: b's EPOLLET set reports a's send once; a second
  // wait without a new wakeup reports nothing; a new send reports again.
  Conversion c = Convert(Named(
      SockType::kStream,
      {ModelOp::Write(0, 2, 0, model::IoCall::kSend), ModelOp::EpollEt(1),
       ModelOp::EpollEt(1), ModelOp::Write(0, 1, 0, model::IoCall::kSend),
       ModelOp::EpollEt(1), ModelOp::Close(1)}));
  EXPECT_FALSE(c.diverged) << c.reason;
  EXPECT_THAT(c.text,
              HasSubstr("P: send(a, from_a[0:2], 0) = 2\n"
                        "P: epoll_create1(0) = etb\n"
                        "P: epoll_ctl(etb, EPOLL_CTL_ADD, b, "
                        "EPOLLIN|EPOLLPRI|EPOLLOUT|EPOLLRDHUP|EPOLLET) = 0\n"
                        "P: epoll_wait(etb, 1, 0) = events(b=EPOLLIN|EPOLLOUT)\n"
                        "P: epoll_wait(etb, 1, 0) = 0\n"
                        "P: send(a, from_a[2:3], 0) = 1\n"
                        "P: epoll_wait(etb, 1, 0) = events(b=EPOLLIN|EPOLLOUT)\n"
                        "P: close(b) = 0\n"
                        "P: close(etb) = 0\n"));
}

TEST(CrashToCase, OutOfBandOnADatagramSocketIsEopnotsupp) {
  Conversion c = Convert(Named(
      SockType::kDgram, {ModelOp::WriteOob(0, 1, 0), ModelOp::AtMark(1)}));
  EXPECT_FALSE(c.diverged) << c.reason;
  EXPECT_THAT(c.text, HasSubstr("P: send(a, from_a[0:1], MSG_OOB) = EOPNOTSUPP\n"
                                "P: ioctl(b, SIOCATMARK) = EOPNOTSUPP\n"));
}

TEST(CrashToCase, OutOfBandStepsCoverB48AndEdgeTriggeredWaitsB101) {
  // The behaviour a finding at a version-5 step is filed under.
  Observed o;
  o.ret = 0;
  o.value = 1;
  EXPECT_EQ(internal::Covers(SockType::kStream, ModelOp::AtMark(1), o, {}), "B48");
  EXPECT_EQ(internal::Covers(SockType::kStream, ModelOp::ReadOob(1, 1, false), o, {}),
            "B48");
  EXPECT_EQ(internal::Covers(SockType::kStream, ModelOp::EpollEt(1), o, {}), "B101");
}

TEST(ModelAllowedResults, APartialStreamWriteIsARange) {
  // A full buffer's last write may be cut anywhere from one skb up.
  Model model(SockType::kStream);
  const std::vector<AllowedResult> fresh =
      model.AllowedResults(ModelOp::Write(0, 100));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].result.ret, 100);
  EXPECT_EQ(fresh[0].max_ret, 100);
  Observed took;
  took.ret = 200000;
  ASSERT_TRUE(model.Check(ModelOp::Write(0, 200000), took).ok());
  bool range = false;
  for (const AllowedResult& a : model.AllowedResults(ModelOp::Write(0, 60000))) {
    if (a.result.ret >= 0 && a.max_ret == 60000 && a.result.ret < 60000) range = true;
  }
  EXPECT_TRUE(range);
}

TEST(ModelAllowedResults, AfterPeerCloseAWriteIsEpipeWithSigpipe) {
  Model model(SockType::kStream);
  ASSERT_TRUE(model.Check(ModelOp::Close(1), Observed{}).ok());
  const std::vector<AllowedResult> a = model.AllowedResults(ModelOp::Write(0, 5));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].result.err, EPIPE);
  EXPECT_TRUE(a[0].result.sigpipe);
  EXPECT_TRUE(model.AllowedResults(ModelOp::Poll(1)).empty());  // closed end
}

TEST(ModelAllowedResults, ReadsPointAtTheNextDatagram) {
  Model model(SockType::kSeqpacket);
  Observed sent;
  sent.ret = 5;
  ASSERT_TRUE(model.Check(ModelOp::Write(0, 5), sent).ok());
  sent.ret = 7;
  ASSERT_TRUE(model.Check(ModelOp::Write(0, 7), sent).ok());
  EXPECT_EQ(model.NextReadOffset(1), 0u);
  const std::vector<AllowedResult> a = model.AllowedResults(ModelOp::Read(1, 3));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].result.ret, 3);
  EXPECT_EQ(a[0].result.msg_flags, MSG_TRUNC);
}

}  // namespace
}  // namespace sockspec
