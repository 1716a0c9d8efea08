// The model's rules for MSG_OOB, SIOCATMARK, SO_OOBINLINE and EPOLLET
// (model_oob.cc), each against the answer this machine's kernel (6.18) gave
// to the same calls on a non-blocking socketpair.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/model/model.h"
#include "harness/model/model_test_util.h"

namespace sockspec::model {
namespace {

using ::testing::HasSubstr;

void Send(Model& m, size_t n, bool oob) {
  const ModelOp op = oob ? ModelOp::WriteOob(kA, n, MSG_NOSIGNAL)
                         : ModelOp::Write(kA, n, MSG_NOSIGNAL);
  ASSERT_TRUE(m.Check(op, Ret(static_cast<ssize_t>(n))).ok());
}

ModelOp Recv(size_t n, int flags = 0) { return ModelOp::Read(kB, n, flags); }
ModelOp RecvOob(size_t n, bool peek = false) { return ModelOp::ReadOob(kB, n, peek); }

TEST(ModelOob, OnlyTheLastByteIsOutOfBandAndAReadStopsBeforeIt) {
  // send(a, "abcX", MSG_OOB); send(a, "def"): read gets "abc", SIOCATMARK
  // is then 1, the next read skips X and gets "def".
  Model m(SockType::kStream);
  Send(m, 4, true);
  Send(m, 3, false);
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(7)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 3}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{4, 3}}).obs).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), Ret(-1, EINVAL)).ok());
}

TEST(ModelOob, AReadThatGluesPastTheMarkIsRejected) {
  Model m(SockType::kStream);
  Send(m, 4, true);
  Send(m, 3, false);
  const absl::Status s = m.Check(Recv(10), ReadResult({{0, 7}}).obs);
  EXPECT_THAT(s.message(), HasSubstr("expected 3"));
}

TEST(ModelOob, RecvOobTakesTheByteOnceWithMsgOob) {
  // The byte, with msg_flags MSG_OOB; then EINVAL. Its empty skb stays:
  // POLLIN and SIOCATMARK 1 until a read drops it (EAGAIN).
  Model m(SockType::kStream);
  Send(m, 1, true);
  EXPECT_TRUE(m.Check(RecvOob(10, true), ReadResult({{0, 1}}, MSG_OOB).obs).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), ReadResult({{0, 1}}, MSG_OOB).obs).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), Ret(-1, EINVAL)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  Observed poll;
  poll.revents = POLLIN | POLLOUT;
  EXPECT_TRUE(m.Check(ModelOp::Poll(kB), poll).ok());
  EXPECT_TRUE(m.Check(Recv(10), Ret(-1, EAGAIN)).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(0)).ok());
  poll.revents = POLLOUT;
  EXPECT_TRUE(m.Check(ModelOp::Poll(kB), poll).ok());
}

TEST(ModelOob, RecvOobIntoZeroBytesStillReturnsOne) {
  Model m(SockType::kStream);
  Send(m, 1, true);
  ReadResult got({{0, 0}}, MSG_OOB);
  got.obs.ret = 1;
  EXPECT_TRUE(m.Check(RecvOob(0), got.obs).ok());
  EXPECT_TRUE(m.Check(RecvOob(0), Ret(-1, EINVAL)).ok());
}

TEST(ModelOob, AReadStopsAtATakenMarkButNotAtOneBeforeANewerMark) {
  // "abX" (OOB), "cd": recv(MSG_OOB) takes X; reads give "ab", then "cd".
  Model m(SockType::kStream);
  Send(m, 3, true);
  Send(m, 2, false);
  EXPECT_TRUE(m.Check(RecvOob(10), ReadResult({{2, 1}}, MSG_OOB).obs).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 2}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{3, 2}}).obs).ok());
  // With a newer mark behind it, the taken skb is stepped over: "ab" and
  // "cd" come in one read, which stops before Y.
  Model n(SockType::kStream);
  Send(n, 3, true);
  EXPECT_TRUE(n.Check(RecvOob(10), ReadResult({{2, 1}}, MSG_OOB).obs).ok());
  Send(n, 3, true);
  EXPECT_TRUE(n.Check(Recv(10), ReadResult({{0, 2}, {3, 2}}).obs).ok());
}

TEST(ModelOob, AReadDropsARunOfTakenSkbs) {
  // X, Y, Z each sent with MSG_OOB and taken by recv(MSG_OOB), then "ab":
  // a read gets "ab" and leaves nothing queued (no POLLIN).
  Model m(SockType::kStream);
  for (uint64_t off : {0, 1, 2}) {
    Send(m, 1, true);
    EXPECT_TRUE(m.Check(RecvOob(1), ReadResult({{off, 1}}, MSG_OOB).obs).ok());
  }
  Send(m, 2, false);
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{3, 2}}).obs).ok());
  Observed poll;
  poll.revents = POLLOUT;
  EXPECT_TRUE(m.Check(ModelOp::Poll(kB), poll).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(0)).ok());
}

TEST(ModelOob, ASecondOutOfBandByteTurnsTheFirstIntoData) {
  // "abX", "cdY" both OOB: recv(MSG_OOB) is Y; a read gives "abXcd".
  Model m(SockType::kStream);
  Send(m, 3, true);
  Send(m, 3, true);
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(6)).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), ReadResult({{5, 1}}, MSG_OOB).obs).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 5}}).obs).ok());
  EXPECT_TRUE(m.Check(Recv(10), Ret(-1, EAGAIN)).ok());
}

TEST(ModelOob, AReadAtTheMarkDropsTheByteEvenWhenNothingFollows) {
  // "abXcd" read first, then the read at Y drops it and fails EAGAIN; Y is
  // lost to recv(MSG_OOB) too.
  Model m(SockType::kStream);
  Send(m, 3, true);
  Send(m, 3, true);
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 5}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(Recv(10), Ret(-1, EAGAIN)).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), Ret(-1, EINVAL)).ok());
}

TEST(ModelOob, AByteAPlainReadDroppedStaysCountedInSiocinq) {
  // 6.18: manage_oob frees the out-of-band skb without lowering inq_len, so
  // SIOCINQ says 1 with nothing queued, and counts it on top of later data.
  Model m(SockType::kStream);
  Send(m, 1, true);
  EXPECT_TRUE(m.Check(Recv(10, MSG_PEEK), Ret(-1, EAGAIN)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(Recv(10), Ret(-1, EAGAIN)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(1)).ok());
  Send(m, 2, false);
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(3)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{1, 2}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::Inq(kB), Value(1)).ok());
  Observed poll;
  poll.revents = POLLOUT;
  EXPECT_TRUE(m.Check(ModelOp::Poll(kB), poll).ok());
}

TEST(ModelOob, APeekAtTheMarkSkipsTheByte) {
  Model m(SockType::kStream);
  Send(m, 3, true);
  Send(m, 2, false);
  EXPECT_TRUE(m.Check(Recv(10, MSG_PEEK), ReadResult({{0, 2}}).obs).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 2}}).obs).ok());
  EXPECT_TRUE(m.Check(Recv(10, MSG_PEEK), ReadResult({{3, 2}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), ReadResult({{2, 1}}, MSG_OOB).obs).ok());
}

TEST(ModelOob, OobInlineReadsTheByteAsDataAndRecvOobFails) {
  Model m(SockType::kStream);
  EXPECT_TRUE(m.Check(ModelOp::SetOobInline(kB, 1), Ret(0)).ok());
  Send(m, 3, true);
  Send(m, 2, false);
  EXPECT_TRUE(m.Check(RecvOob(10), Ret(-1, EINVAL)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 2}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(1)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{2, 3}}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Value(0)).ok());
}

TEST(ModelOob, DatagramTypesRefuseOutOfBandData) {
  for (SockType type : {SockType::kDgram, SockType::kSeqpacket}) {
    Model m(type);
    EXPECT_TRUE(m.Check(ModelOp::WriteOob(kA, 3, MSG_NOSIGNAL), Ret(-1, EOPNOTSUPP)).ok());
    EXPECT_TRUE(m.Check(RecvOob(10), Ret(-1, EOPNOTSUPP)).ok());
    EXPECT_TRUE(m.Check(ModelOp::AtMark(kB), Ret(-1, EOPNOTSUPP)).ok());
    EXPECT_TRUE(m.Check(ModelOp::SetOobInline(kB, 1), Ret(0)).ok());
  }
}

TEST(ModelOob, AnEmptyOutOfBandSendFailsBeforeTheShutdownCheck) {
  Model m(SockType::kStream);
  EXPECT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_WR), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::WriteOob(kA, 0, MSG_NOSIGNAL), Ret(-1, EOPNOTSUPP)).ok());
  EXPECT_TRUE(m.Check(ModelOp::WriteOob(kA, 1, MSG_NOSIGNAL), Ret(-1, EPIPE)).ok());
}

TEST(ModelOob, RecvOobStillWorksAfterShutdownAndPeerClose) {
  Model m(SockType::kStream);
  Send(m, 2, true);
  EXPECT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_TRUE(m.Check(Recv(10), ReadResult({{0, 1}}).obs).ok());
  EXPECT_TRUE(m.Check(RecvOob(10), ReadResult({{1, 1}}, MSG_OOB).obs).ok());
  EXPECT_TRUE(m.Check(Recv(10), Ret(0)).ok());
}

TEST(ModelEpollEt, AnEdgeIsReportedOnceUntilNewDataArrives) {
  // The observed sequence: POLLOUT at the first wait, nothing at the
  // second; a send: IN|OUT once; a read by b itself: nothing; an OOB
  // send: IN|PRI|OUT; shutdown(a, SHUT_WR): IN|PRI|OUT|RDHUP, then nothing.
  Model m(SockType::kStream);
  const ModelOp et = ModelOp::EpollEt(kB);
  EXPECT_TRUE(m.Check(et, Events(1, POLLOUT)).ok());
  EXPECT_TRUE(m.Check(et, Events(0, 0)).ok());
  Send(m, 2, false);
  EXPECT_TRUE(m.Check(et, Events(1, POLLIN | POLLOUT)).ok());
  EXPECT_TRUE(m.Check(et, Events(0, 0)).ok());
  EXPECT_TRUE(m.Check(Recv(1), ReadResult({{0, 1}}).obs).ok());
  EXPECT_TRUE(m.Check(et, Events(0, 0)).ok());
  Send(m, 1, true);
  EXPECT_TRUE(m.Check(et, Events(1, POLLIN | POLLPRI | POLLOUT)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_WR), Ret(0)).ok());
  EXPECT_TRUE(m.Check(et, Events(1, POLLIN | POLLPRI | POLLOUT | POLLRDHUP)).ok());
  EXPECT_TRUE(m.Check(et, Events(0, 0)).ok());
}

TEST(ModelEpollEt, ASecondReportWithoutAWakeupIsRejected) {
  Model m(SockType::kStream);
  const ModelOp et = ModelOp::EpollEt(kB);
  EXPECT_TRUE(m.Check(et, Events(1, POLLOUT)).ok());
  const absl::Status s = m.Check(et, Events(1, POLLOUT));
  EXPECT_THAT(s.message(), HasSubstr("no wakeup since the last wait"));
}

TEST(ModelEpollEt, AMissedEdgeAfterASendIsRejected) {
  Model m(SockType::kStream);
  const ModelOp et = ModelOp::EpollEt(kB);
  EXPECT_TRUE(m.Check(et, Events(1, POLLOUT)).ok());
  Send(m, 2, false);
  const absl::Status s = m.Check(et, Events(0, 0));
  EXPECT_THAT(s.message(), HasSubstr("woken since the last wait"));
}

}  // namespace
}  // namespace sockspec::model
