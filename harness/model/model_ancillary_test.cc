// The model's rules for SCM_RIGHTS, SCM_CREDENTIALS, epoll and options read
// back (model_read.cc, model_query.cc), each against the answer this
// machine's kernel (6.18) gave.
#include <poll.h>
#include <sys/socket.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/model/model.h"
#include "harness/model/model_test_util.h"

namespace sockspec::model {
namespace {

using ::testing::HasSubstr;

Observed Ok() { return Observed(); }

void Send(Model& m, size_t n, int rights = 0) {
  const ModelOp op = rights > 0 ? ModelOp::WriteRights(kA, n, MSG_NOSIGNAL, rights)
                                : ModelOp::Write(kA, n, MSG_NOSIGNAL);
  ASSERT_TRUE(m.Check(op, Ret(static_cast<ssize_t>(n))).ok());
}

TEST(ModelRights, AStreamReadEndsAtTheSkbWithFdsAndGetsThem) {
  // unix_stream_read_generic: data before the fds skb is glued to it; the
  // read stops after it. Tokens are RightsToken(offset of the write, i).
  Model m(SockType::kStream);
  Send(m, 3);
  Send(m, 2, 2);  // offset 3: tokens 3, 4
  Send(m, 4);
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 100, 0, 64), ReadResult(0, 5, {3, 4}).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 100, 0, 64), ReadResult(5, 4).obs).ok());
}

TEST(ModelRights, AStreamReadThatGluesPastTheFdsIsRejected) {
  Model m(SockType::kStream);
  Send(m, 2, 1);
  Send(m, 4);
  const absl::Status s =
      m.Check(ModelOp::ReadControl(kB, 100, 0, 64), ReadResult(0, 6, {0}).obs);
  EXPECT_THAT(s.message(), HasSubstr("the read ends at the skb with fds"));
}

TEST(ModelRights, AStreamPeekWalksOnToTheNextFdsAfterFillingItsSize) {
  // The MSG_PEEK branch follows the queue with nothing left to copy until
  // an skb with fds, whose fds it duplicates.
  Model m(SockType::kStream);
  Send(m, 2);
  Send(m, 2, 1);  // offset 2: token 2
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 1, MSG_PEEK, 64), ReadResult(0, 1, {2}).obs).ok());
  // A plain read of 1 stops inside the first skb: no fds.
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 1, 0, 64), ReadResult(0, 1).obs).ok());
}

TEST(ModelRights, AWrongFdIsRejected) {
  Model m(SockType::kDgram);
  Send(m, 1, 2);
  const absl::Status s =
      m.Check(ModelOp::ReadControl(kB, 10, 0, 64), ReadResult(0, 1, {1, 0}).obs);
  EXPECT_THAT(s.message(), HasSubstr("expected msg_flags 0 rights(0,1)"));
}

TEST(ModelRights, ASmallControlBufferTakesTheFdsThatFitAndSetsCtrunc) {
  // scm_detach_fds: (controllen - 16) / 4 fds; 20 bytes hold one of two.
  Model m(SockType::kSeqpacket);
  Send(m, 1, 2);
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, MSG_PEEK, 20),
                      ReadResult(0, 1, {0}, Creds::kNone, MSG_CTRUNC).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, 0, 16),
                      ReadResult(0, 1, {}, Creds::kNone, MSG_CTRUNC).obs).ok());
}

TEST(ModelRights, AZeroLengthStreamWriteSendsNoFds) {
  Model m(SockType::kStream);
  Send(m, 0, 1);
  Observed eagain;
  eagain.ret = -1;
  eagain.err = EAGAIN;
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, 0, 64), eagain).ok());
}

TEST(ModelRights, AZeroLengthDatagramCarriesItsFds) {
  Model m(SockType::kDgram);
  Send(m, 0, 1);
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, 0, 64), ReadResult(0, 0, {0}).obs).ok());
}

TEST(ModelCreds, WithSoPassCredAStreamReadDoesNotGlueDifferentCredentials) {
  // Sent before anyone set SO_PASSCRED: pid 0 and the overflow ids.
  Model m(SockType::kStream);
  Send(m, 2);
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kB, 1), Ok()).ok());
  Send(m, 3);
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 100, 0, 64),
                      ReadResult(0, 2, {}, Creds::kNobody).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 100, 0, 64),
                      ReadResult(2, 3, {}, Creds::kSelf).obs).ok());
}

TEST(ModelCreds, WithoutSoPassCredAtReadTimeTheReadGlues) {
  Model m(SockType::kStream);
  Send(m, 2);
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kB, 1), Ok()).ok());
  Send(m, 3);
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kB, 0), Ok()).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 100, 0, 64), ReadResult(0, 5).obs).ok());
}

TEST(ModelCreds, AStreamEofReadCarriesEmptyCredentials) {
  Model m(SockType::kStream);
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kB, 1), Ok()).ok());
  ASSERT_TRUE(m.Check(ModelOp::Shutdown(kA, SHUT_WR), Ok()).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, 0, 64),
                      ReadResult(0, 0, {}, Creds::kZero).obs).ok());
  // With no buffer at all the credentials are cut: MSG_CTRUNC.
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, 0, 0),
                      ReadResult(0, 0, {}, Creds::kNone, MSG_CTRUNC).obs).ok());
}

TEST(ModelCreds, CredentialsCutByTheBufferAreShortAndSetCtrunc) {
  Model m(SockType::kDgram);
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kB, 1), Ok()).ok());
  Send(m, 1);
  ReadResult r(0, 1, {}, Creds::kCut, MSG_CTRUNC);
  r.obs.creds_len = 4;  // control=20: 16 of header, 4 of the 12
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, 0, 20), r.obs).ok());
}

TEST(ModelPeekOff, AStreamPeekStartsAtTheOffsetAndMovesIt) {
  Model m(SockType::kStream);
  Send(m, 3);
  Send(m, 4);
  ASSERT_TRUE(m.Check(ModelOp::SetPeekOff(kB, 2), Ok()).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 2, MSG_PEEK, 64), ReadResult(2, 2).obs).ok());
  Observed off;
  off.value = 4;
  EXPECT_TRUE(m.Check(ModelOp::GetOpt(kB, SockOpt::kPeekOff), off).ok());
  // A read of 3 moves it back by 3, to 1.
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 3, 0, 64), ReadResult(0, 3).obs).ok());
  off.value = 1;
  EXPECT_TRUE(m.Check(ModelOp::GetOpt(kB, SockOpt::kPeekOff), off).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, MSG_PEEK, 64), ReadResult(4, 3).obs).ok());
}

TEST(ModelPeekOff, APeekPastTheQueuedBytesIsEagain) {
  Model m(SockType::kStream);
  Send(m, 3);
  ASSERT_TRUE(m.Check(ModelOp::SetPeekOff(kB, 3), Ok()).ok());
  Observed eagain;
  eagain.ret = -1;
  eagain.err = EAGAIN;
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 10, MSG_PEEK, 64), eagain).ok());
}

TEST(ModelPeekOff, ADatagramPeekSkipsWholeMessagesAndAPeekedEmptyOne) {
  // __skb_try_recv_from_queue: a zero-length datagram peeked before is
  // skipped once SO_PEEK_OFF is set, even at offset 0.
  Model m(SockType::kDgram);
  Send(m, 0);
  Send(m, 2);
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 5, MSG_PEEK, 64), ReadResult(0, 0).obs).ok());
  ASSERT_TRUE(m.Check(ModelOp::SetPeekOff(kB, 0), Ok()).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 1, MSG_PEEK, 64),
                      ReadResult(0, 1, {}, Creds::kNone, MSG_TRUNC).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 5, MSG_PEEK, 64), ReadResult(1, 1).obs).ok());
}

TEST(ModelPeekOff, ANegativeOffsetIsNoOffsetAndReadsBackAsSet) {
  Model m(SockType::kSeqpacket);
  Send(m, 3);
  ASSERT_TRUE(m.Check(ModelOp::SetPeekOff(kB, -7), Ok()).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 5, MSG_PEEK, 64), ReadResult(0, 3).obs).ok());
  EXPECT_TRUE(m.Check(ModelOp::ReadControl(kB, 5, MSG_PEEK, 64), ReadResult(0, 3).obs).ok());
  Observed off;
  off.value = -7;
  EXPECT_TRUE(m.Check(ModelOp::GetOpt(kB, SockOpt::kPeekOff), off).ok());
}

TEST(ModelEpoll, ReportsWhatPollReports) {
  Model m(SockType::kStream);
  Observed o;
  o.ret = 1;
  o.revents = POLLOUT;
  EXPECT_TRUE(m.Check(ModelOp::Epoll(kB), o).ok());
  o.revents = POLLIN | POLLOUT;
  EXPECT_FALSE(m.Check(ModelOp::Epoll(kB), o).ok());
}

TEST(ModelGetOpt, OptionsReadBackAsSet) {
  Model m(SockType::kSeqpacket);
  Observed o;
  o.value = SOCK_SEQPACKET;
  EXPECT_TRUE(m.Check(ModelOp::GetOpt(kA, SockOpt::kType), o).ok());
  o.value = -1;
  EXPECT_TRUE(m.Check(ModelOp::GetOpt(kA, SockOpt::kPeekOff), o).ok());
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kA, 1), Ok()).ok());
  o.value = 0;
  EXPECT_THAT(m.Check(ModelOp::GetOpt(kA, SockOpt::kPasscred), o).message(),
              HasSubstr("expected SO_PASSCRED 1, got 0"));
}

TEST(ModelAllowedResults, AReadListsItsFdsAndCredentials) {
  Model m(SockType::kDgram);
  ASSERT_TRUE(m.Check(ModelOp::SetPasscred(kB, 1), Ok()).ok());
  Send(m, 3, 1);
  const std::vector<AllowedResult> allowed =
      m.AllowedResults(ModelOp::ReadControl(kB, 10, 0, 64));
  ASSERT_EQ(allowed.size(), 1u);
  EXPECT_EQ(allowed[0].result.ret, 3);
  EXPECT_EQ(allowed[0].result.nfds, 1);
  EXPECT_EQ(allowed[0].result.creds, Creds::kSelf);
}

}  // namespace
}  // namespace sockspec::model
