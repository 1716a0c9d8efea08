#include "harness/model/model.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/model/model_test_util.h"

namespace sockspec::model {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// What writer `w` wrote at offsets [from, from + n).
std::vector<uint8_t> Bytes(int w, uint64_t from, size_t n) {
  std::vector<uint8_t> v(n);
  FillPattern(w, from, v.data(), n);
  return v;
}

Observed Data(const std::vector<uint8_t>& bytes, int msg_flags = 0) {
  Observed o;
  o.ret = static_cast<ssize_t>(bytes.size());
  o.data = absl::MakeConstSpan(bytes);
  o.msg_flags = msg_flags;
  return o;
}

// Writes of `sizes` from `end`, each accepted whole.
void WriteAll(Model& m, int end, std::initializer_list<size_t> sizes) {
  for (size_t n : sizes) {
    ASSERT_TRUE(m.Check(ModelOp::Write(end, n, MSG_NOSIGNAL), Ret(n)).ok());
  }
}

TEST(Pattern, FillPatternMatchesPatternByteAcrossBlocks) {
  for (int w : {kA, kB}) {
    std::vector<uint8_t> bytes = Bytes(w, 65000, 70000);
    for (size_t i = 0; i < bytes.size(); ++i) {
      ASSERT_EQ(bytes[i], PatternByte(w, 65000 + i)) << i;
    }
  }
}

TEST(Model, StreamReadReturnsWhatIsQueuedUpToTheSize) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {60, 40});
  // Two writes gather into one read: STREAM keeps no boundaries.
  std::vector<uint8_t> first = Bytes(kA, 0, 70);
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 70), Data(first)).ok());
  std::vector<uint8_t> rest = Bytes(kA, 70, 30);
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 1000), Data(rest)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Err(EAGAIN)).ok());
}

TEST(Model, StreamReadShorterThanAvailableIsRejected) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {100});
  std::vector<uint8_t> short_read = Bytes(kA, 0, 40);
  EXPECT_EQ(m.Check(ModelOp::Read(kB, 50), Data(short_read)).message(),
            "recvmsg(b, 50, 0): expected 50 (100 bytes are queued from a), "
            "got 40");
}

TEST(Model, StreamDroppedByteIsRejectedWithItsOffset) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {101});
  std::vector<uint8_t> got = Bytes(kA, 0, 101);
  got.erase(got.begin() + 50);  // one byte lost in the middle
  got.push_back(0);             // and the count still right
  absl::Status s = m.Check(ModelOp::Read(kB, 101), Data(got));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(),
              AllOf(HasSubstr("byte 50 of 101"),
                    HasSubstr("a's data at offset 50"),
                    HasSubstr("from there on it is a's data at offset 51: 1 "
                              "byte lost or skipped")));
}

TEST(Model, StreamDuplicatedBytesAreRejected) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {20});
  std::vector<uint8_t> got = Bytes(kA, 0, 10);
  std::vector<uint8_t> again = Bytes(kA, 6, 10);  // bytes 6..9 twice
  got.insert(got.end(), again.begin(), again.end());
  got.resize(20);
  EXPECT_THAT(m.Check(ModelOp::Read(kB, 20), Data(got)).message(),
              AllOf(HasSubstr("byte 10 of 20"),
                    HasSubstr("4 bytes back: data duplicated or reordered")));
}

TEST(Model, StreamSwappedBytesAreRejected) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {8});
  std::vector<uint8_t> got = Bytes(kA, 0, 8);
  std::swap(got[3], got[4]);
  EXPECT_THAT(m.Check(ModelOp::Read(kB, 8), Data(got)).message(),
              HasSubstr("byte 3 of 8 is"));
}

TEST(Model, BytesFromTheWrongDirectionAreNamed) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {16});
  WriteAll(m, kB, {16});
  EXPECT_THAT(m.Check(ModelOp::Read(kB, 16), Data(Bytes(kB, 0, 16))).message(),
              HasSubstr("b's own data at offset 0: wrong direction"));
}

TEST(Model, StreamPeekDoesNotConsume) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {5});
  std::vector<uint8_t> all = Bytes(kA, 0, 5);
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10, MSG_PEEK), Data(all)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Data(all)).ok());
}

TEST(Model, DatagramShortReadTruncatesAndSetsMsgTrunc) {
  Model m(SockType::kDgram);
  WriteAll(m, kA, {3, 4});
  std::vector<uint8_t> part = Bytes(kA, 0, 2);
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 2), Data(part, MSG_TRUNC)).ok());
  // The rest of the first datagram is gone: the next read is the second.
  std::vector<uint8_t> second = Bytes(kA, 3, 4);
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 100), Data(second)).ok());
}

TEST(Model, DatagramShortReadWithoutMsgTruncIsRejected) {
  Model m(SockType::kSeqpacket);
  WriteAll(m, kA, {3});
  std::vector<uint8_t> part = Bytes(kA, 0, 2);
  EXPECT_EQ(m.Check(ModelOp::Read(kB, 2), Data(part)).message(),
            "recvmsg(b, 2, 0): expected msg_flags MSG_TRUNC (a 3-byte "
            "datagram into 2 bytes), got 0");
}

TEST(Model, MergedDatagramsAreRejected) {
  Model m(SockType::kDgram);
  WriteAll(m, kA, {3, 4});
  std::vector<uint8_t> merged = Bytes(kA, 0, 7);
  EXPECT_EQ(m.Check(ModelOp::Read(kB, 100), Data(merged)).message(),
            "recvmsg(b, 100, 0): expected 3 (the next datagram from a has 3 "
            "bytes), got 7");
}

TEST(Model, RecvWithMsgTruncReturnsTheRealDatagramLength) {
  for (SockType type : {SockType::kDgram, SockType::kSeqpacket}) {
    Model m(type);
    WriteAll(m, kA, {9});
    std::vector<uint8_t> head = Bytes(kA, 0, 4);
    Observed o = Data(head, MSG_TRUNC);
    o.ret = 9;
    EXPECT_TRUE(m.Check(ModelOp::Read(kB, 4, MSG_TRUNC), o).ok());
  }
}

TEST(Model, ZeroLengthDatagramIsAMessageNotEof) {
  Model m(SockType::kDgram);
  WriteAll(m, kA, {0});
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Ret(0)).ok());
  EXPECT_EQ(m.Check(ModelOp::Read(kB, 10), Ret(0)).message(),
            "recvmsg(b, 10, 0): expected -1 EAGAIN (nothing queued (DGRAM has "
            "no EOF)), got 0");
}

TEST(Model, EmptyNonBlockingReadIsEagainNotAnotherErrno) {
  Model m(SockType::kStream);
  EXPECT_EQ(m.Check(ModelOp::Read(kA, 10), Err(ECONNRESET)).message(),
            "recvmsg(a, 10, 0): expected -1 EAGAIN (nothing queued), got -1 "
            "ECONNRESET");
}

TEST(Model, StreamEofAfterPeerShutWrOnceDrained) {
  Model m(SockType::kStream);
  WriteAll(m, kA, {4});
  ASSERT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_WR), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Data(Bytes(kA, 0, 4))).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Ret(0)).ok());
  EXPECT_FALSE(m.Check(ModelOp::Read(kB, 10), Err(EAGAIN)).ok());
}

TEST(Model, StreamCloseWithUnreadDataResetsThePeerAfterItsData) {
  Model m(SockType::kStream);
  WriteAll(m, kB, {5});  // left unread in a's queue
  WriteAll(m, kA, {3});
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Data(Bytes(kA, 0, 3))).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Err(ECONNRESET)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Ret(0)).ok());  // reported once
}

TEST(Model, StreamWaitallShortReadSwallowsThePendingReset) {
  // unix_stream_read_generic checks sk_err once the queue runs dry short of
  // the MSG_WAITALL target, clears it, and returns the data it has.
  Model m(SockType::kStream);
  WriteAll(m, kB, {6});
  WriteAll(m, kA, {3});
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  std::vector<uint8_t> data = Bytes(kA, 0, 3);
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10, MSG_WAITALL), Data(data)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Ret(0)).ok());
}

TEST(Model, SeqpacketReportsEconnresetBeforeQueuedData) {
  Model m(SockType::kSeqpacket);
  WriteAll(m, kB, {5});
  WriteAll(m, kA, {3});
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Poll(kB), Events(1, POLLIN | POLLOUT | POLLERR |
                                           POLLHUP | POLLRDHUP))
                  .ok());
  EXPECT_THAT(m.Check(ModelOp::Read(kB, 10), Data(Bytes(kA, 0, 3))).message(),
              HasSubstr("expected -1 ECONNRESET"));
}

TEST(Model, SeqpacketLoneZeroLengthMessageLeavesNoReset) {
  // Linux >= 6.15 skips a zero-length skb at the head of the closing end's
  // queue (meant for consumed MSG_OOB skbs).
  Model m(SockType::kSeqpacket);
  WriteAll(m, kB, {0});
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Ret(0)).ok());

  Model two(SockType::kSeqpacket);
  WriteAll(two, kB, {0, 0});
  ASSERT_TRUE(two.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_TRUE(two.Check(ModelOp::Read(kB, 10), Err(ECONNRESET)).ok());
}

TEST(Model, StreamWriteAfterPeerCloseIsEpipeWithSigpipe) {
  Model m(SockType::kStream);
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  Observed with_signal = Err(EPIPE);
  with_signal.sigpipe = true;
  EXPECT_TRUE(m.Check(ModelOp::Write(kB, 1), with_signal).ok());
  EXPECT_EQ(m.Check(ModelOp::Write(kB, 1), Err(EPIPE)).message(),
            "send(b, 1, 0): expected a SIGPIPE, got -1 EPIPE");
  EXPECT_TRUE(m.Check(ModelOp::Write(kB, 1, MSG_NOSIGNAL), Err(EPIPE)).ok());
  EXPECT_FALSE(m.Check(ModelOp::Write(kB, 1, MSG_NOSIGNAL), with_signal).ok());
}

TEST(Model, AStreamWriteAsleepWhenThePeerClosesTakesTheReset) {
  // b's data is unread when a closes. A write of b's that was asleep on its
  // full buffer wakes in sock_alloc_send_pskb, which reports sk_err first
  // and clears it: ECONNRESET, then b reads EOF. A write made after the
  // close meets SEND_SHUTDOWN first: EPIPE with SIGPIPE, the reset kept for
  // the next read.
  Model woken(SockType::kStream);
  WriteAll(woken, kB, {5});
  ASSERT_TRUE(woken.Check(ModelOp::Close(kA), Ret(0)).ok());
  ModelOp asleep = ModelOp::Write(kB, 1);
  asleep.blocking = true;
  Model fresh = woken;
  EXPECT_THAT(Model(woken).Check(asleep, Err(EPIPE)).message(),
              HasSubstr("expected -1 ECONNRESET"));
  EXPECT_TRUE(woken.Check(asleep, Err(ECONNRESET)).ok());
  EXPECT_TRUE(woken.Check(ModelOp::Read(kB, 10), Ret(0)).ok());
  Observed with_signal = Err(EPIPE);
  with_signal.sigpipe = true;
  EXPECT_TRUE(fresh.Check(ModelOp::Write(kB, 1), with_signal).ok());
  EXPECT_TRUE(fresh.Check(ModelOp::Read(kB, 10), Err(ECONNRESET)).ok());
}

TEST(Model, AStreamWriteAsleepWhenShutDownFailsEpipeWithoutSigpipe) {
  // B311: the EPIPE of a woken write comes from sock_alloc_send_pskb.
  Model m(SockType::kStream);
  ASSERT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_RD), Ret(0)).ok());
  ModelOp asleep = ModelOp::Write(kB, 1);
  asleep.blocking = true;
  Observed with_signal = Err(EPIPE);
  with_signal.sigpipe = true;
  EXPECT_FALSE(Model(m).Check(asleep, with_signal).ok());
  EXPECT_TRUE(m.Check(asleep, Err(EPIPE)).ok());
}

TEST(Model, SeqpacketEpipeRaisesNoSigpipe) {
  Model m(SockType::kSeqpacket);
  ASSERT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_WR), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kA, 1), Err(EPIPE)).ok());
}

TEST(Model, ShutRdMakesThePeersWritesFailEpipe) {
  Model m(SockType::kStream);
  ASSERT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_RD), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kB, 1, MSG_NOSIGNAL), Err(EPIPE)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kA, 1, MSG_NOSIGNAL), Ret(1)).ok());
}

TEST(Model, DatagramWriteAfterPeerCloseIsEconnrefusedThenEnotconn) {
  Model m(SockType::kDgram);
  WriteAll(m, kA, {7});  // queued for b, readable after a closes
  WriteAll(m, kB, {2});  // queued for a, lost when a closes
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kB, 1), Err(ECONNREFUSED)).ok());
  // The failed send disconnected b and purged its receive queue.
  EXPECT_TRUE(m.Check(ModelOp::Read(kB, 10), Err(EAGAIN)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kB, 1), Err(ENOTCONN)).ok());
}

TEST(Model, DatagramBiggerThanTheSendBufferIsEmsgsize) {
  Model m(SockType::kDgram);
  Observed set = Ret(0);
  set.sndbuf = 4608;  // SO_SNDBUF 0 reads back as SOCK_MIN_SNDBUF
  ASSERT_TRUE(m.Check(ModelOp::SetSndbuf(kA, 0), set).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kA, 4577), Err(EMSGSIZE)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Write(kA, 4576), Ret(4576)).ok());
}

TEST(Model, SndbufReadsBackDoubledAndClamped) {
  Model m(SockType::kStream);
  Observed set = Ret(0);
  set.sndbuf = 8000;
  EXPECT_TRUE(m.Check(ModelOp::SetSndbuf(kA, 4000), set).ok());
  set.sndbuf = 4000;
  EXPECT_EQ(m.Check(ModelOp::SetSndbuf(kA, 4000), set).message(),
            "setsockopt(a, SO_SNDBUF, 4000): expected SO_SNDBUF to read back "
            "8000, got 4000");
}

TEST(Model, StreamWriteNearAFullBufferMayBeShortAndIsAdopted) {
  Model m(SockType::kStream);
  Observed set = Ret(0);
  set.sndbuf = 4608;
  ASSERT_TRUE(m.Check(ModelOp::SetSndbuf(kA, 0), set).ok());
  // Less than one skb (SO_SNDBUF / 2 - 64 = 2240 bytes) is never accepted.
  EXPECT_THAT(m.Check(ModelOp::Write(kA, 10000), Ret(100)).message(),
              HasSubstr("expected 2240..10000"));
  // The kernel's choice of two skbs is adopted...
  EXPECT_TRUE(m.Check(ModelOp::Write(kA, 10000), Ret(4480)).ok());
  // ...so the buffer is now full.
  EXPECT_THAT(m.Check(ModelOp::Write(kA, 1), Ret(1)).message(),
              HasSubstr("expected -1 EAGAIN"));
  EXPECT_TRUE(m.Check(ModelOp::Write(kA, 1), Err(EAGAIN)).ok());
  EXPECT_TRUE(m.Check(ModelOp::Poll(kA), Events(1, 0)).ok());
  EXPECT_TRUE(
      m.Check(ModelOp::Read(kB, 10000), Data(Bytes(kA, 0, 4480))).ok());
  EXPECT_TRUE(m.Check(ModelOp::Poll(kA), Events(1, POLLOUT)).ok());
}

TEST(Model, PollReportsHupAndRdhupAfterPeerClose) {
  Model m(SockType::kStream);
  ASSERT_TRUE(m.Check(ModelOp::Close(kB), Ret(0)).ok());
  EXPECT_TRUE(
      m.Check(ModelOp::Poll(kA), Events(1, POLLIN | POLLOUT | POLLHUP | POLLRDHUP))
          .ok());
  EXPECT_THAT(m.Check(ModelOp::Poll(kA), Events(1, POLLOUT)).message(),
              HasSubstr("expected POLLIN|POLLOUT|POLLHUP|POLLRDHUP"));
}

TEST(Model, OperationOnAClosedEndIsACallerError) {
  Model m(SockType::kStream);
  ASSERT_TRUE(m.Check(ModelOp::Close(kA), Ret(0)).ok());
  EXPECT_EQ(m.Check(ModelOp::Read(kA, 1), Ret(0)).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sockspec::model
