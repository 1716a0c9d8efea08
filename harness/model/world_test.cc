#include "harness/model/world.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/model/model_test_util.h"

namespace sockspec::model {
namespace {

using ::testing::HasSubstr;

// getsockname or recvfrom's name.
Observed Name(int name) { return Value(name); }

// s2 listens on pathname p0 with `backlog`; s3 is an unbound stream socket.
World Listening(int backlog) {
  World w(SockType::kStream);
  EXPECT_TRUE(w.Check(ModelOp::Socket(2, SockType::kStream), Ret(2)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Bind(2, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Listen(2, backlog), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Socket(3, SockType::kStream), Ret(3)).ok());
  return w;
}

TEST(World, ABacklogOfZeroTakesOneConnection) {
  // unix_recvq_full_lockless: full once the queue is longer than the backlog.
  World w = Listening(0);
  EXPECT_TRUE(w.Check(ModelOp::Socket(4, SockType::kStream), Ret(4)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(4, 0), Err(EAGAIN)).ok());
  absl::Status s = w.Check(ModelOp::Connect(4, 0), Ret(0));
  EXPECT_THAT(s.message(), HasSubstr("expected -1 EAGAIN"));
}

TEST(World, ConnectFindsTheListenerBeforeItsOwnState) {
  // unix_stream_connect: unix_find_other comes first, so a connected socket
  // connecting to a missing name gets ENOENT, not EISCONN.
  World w = Listening(1);
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 1), Err(ENOENT)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 4), Err(ECONNREFUSED)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Err(EISCONN)).ok());
}

TEST(World, APathnameStaysTakenAfterItsSocketCloses) {
  World w = Listening(1);
  EXPECT_TRUE(w.Check(ModelOp::Close(2), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Err(ECONNREFUSED)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Bind(3, 0), Err(EADDRINUSE)).ok());
}

TEST(World, BindingTwiceIsEinvalButAutobindKeepsTheName) {
  World w = Listening(1);
  EXPECT_TRUE(w.Check(ModelOp::Bind(2, 4), Err(EINVAL)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Bind(2, kAutobind), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(2, false), Name(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Bind(3, kAutobind), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(3, false), Name(kAutobindOf + 3)).ok());
}

TEST(World, DataWrittenBeforeAcceptIsReadByTheAcceptedSocket) {
  World w = Listening(1);
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Ret(0)).ok());
  int writer = -1;
  uint64_t offset = 1;
  w.NextWrite(3, writer, offset);
  EXPECT_EQ(writer, 0);
  EXPECT_EQ(offset, 0u);
  EXPECT_TRUE(w.Check(ModelOp::Write(3, 3), Ret(3)).ok());
  Observed poll;
  poll.revents = POLLIN;
  EXPECT_TRUE(w.Check(ModelOp::Poll(2), poll).ok());
  EXPECT_TRUE(w.Check(ModelOp::Accept(2, 4), Ret(4)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Accept(2, 5), Err(EAGAIN)).ok());
  uint8_t data[3];
  FillPattern(0, 0, data, 3);
  Observed got = Ret(3);
  got.data = data;
  EXPECT_TRUE(w.Check(ModelOp::Read(4, 10), got).ok());
  // The accepted socket has the listener's name; its peer is unnamed.
  EXPECT_TRUE(w.Check(ModelOp::GetName(4, false), Name(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(4, true), Name(kUnnamed)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(3, true), Name(0)).ok());
}

TEST(World, ClosingAListenerResetsItsUnacceptedConnections) {
  // unix_release_sock(embryo, embrion = 1): ECONNRESET with no data left.
  World w = Listening(1);
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Close(2), Ret(0)).ok());
  Observed e = Name(ECONNRESET);
  EXPECT_TRUE(w.Check(ModelOp::GetError(3), e).ok());
  EXPECT_FALSE(w.Check(ModelOp::GetError(3), e).ok());  // cleared by the read
}

TEST(World, UnconnectedSocketsFailByType) {
  World w(SockType::kDgram);
  EXPECT_TRUE(w.Check(ModelOp::Socket(2, SockType::kStream), Ret(2)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Socket(3, SockType::kSeqpacket), Ret(3)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Read(2, 5), Err(EINVAL)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Read(3, 5), Err(ENOTCONN)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Write(2, 5), Err(ENOTCONN)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Listen(3, 0), Err(EINVAL)).ok());  // unbound
  EXPECT_TRUE(w.Check(ModelOp::GetName(3, true), Err(ENOTCONN)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Close(3), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Close(3), Err(EBADF)).ok());
}


// Datagram sockets s2 (bound to p0), s3 and s4.
World Datagrams() {
  World w(SockType::kStream);
  for (int s : {2, 3, 4}) {
    EXPECT_TRUE(w.Check(ModelOp::Socket(s, SockType::kDgram), Ret(s)).ok());
  }
  EXPECT_TRUE(w.Check(ModelOp::Bind(2, 0), Ret(0)).ok());
  return w;
}

TEST(World, ADatagramSaysWhoSentIt) {
  World w = Datagrams();
  EXPECT_TRUE(w.Check(ModelOp::Bind(4, 5), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(3, 2, 0, 0), Ret(2)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(4, 2, 0, 0), Ret(2)).ok());
  uint8_t data[2];
  FillPattern(3, 0, data, 2);
  Observed got = Ret(2);
  got.data = data;
  got.value = kUnnamed;
  EXPECT_TRUE(w.Check(ModelOp::RecvFrom(2, 10, 0), got).ok());
  // s4's datagram comes next, from a1: s3's bytes or name are wrong there.
  absl::Status s = w.Check(ModelOp::RecvFrom(2, 10, MSG_PEEK), got);
  EXPECT_THAT(s.message(), HasSubstr("expected it from a1 (s4), got unnamed"));
  FillPattern(4, 0, data, 2);
  got.value = 5;
  EXPECT_TRUE(w.Check(ModelOp::RecvFrom(2, 10, 0), got).ok());
}

TEST(World, AFullReceiverRefusesOthersButNotItsPeer) {
  // unix_dgram_sendmsg: the queue limit skips a sender the receiver is
  // connected to.
  ModelLimits limits;
  limits.max_dgram_qlen = 1;
  World w(SockType::kStream, limits);
  for (int s : {2, 3}) {
    EXPECT_TRUE(w.Check(ModelOp::Socket(s, SockType::kDgram), Ret(s)).ok());
  }
  EXPECT_TRUE(w.Check(ModelOp::Bind(2, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Bind(3, 1), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(3, 1, 0, 0), Ret(1)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(3, 1, 0, 0), Ret(1)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(3, 1, 0, 0), Err(EAGAIN)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(2, 1), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(3, 1, 0, 0), Ret(1)).ok());
}

TEST(World, DisconnectingWithDatagramsQueuedResetsThePeer) {
  World w = Datagrams();
  EXPECT_TRUE(w.Check(ModelOp::Bind(3, 1), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(2, 1), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::SendTo(4, 1, 0, 0), Err(EPERM)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Write(3, 4), Ret(4)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Connect(2, kUnspec), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Inq(2), Name(0)).ok());  // purged
  EXPECT_TRUE(w.Check(ModelOp::GetError(3), Name(ECONNRESET)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(2, true), Err(ENOTCONN)).ok());
}

TEST(World, ASendToAClosedPeerDropsIt) {
  World w = Datagrams();
  EXPECT_TRUE(w.Check(ModelOp::Connect(3, 0), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Close(2), Ret(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(3, true), Name(0)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Write(3, 1), Err(ECONNREFUSED)).ok());
  EXPECT_TRUE(w.Check(ModelOp::GetName(3, true), Err(ENOTCONN)).ok());
  EXPECT_TRUE(w.Check(ModelOp::Write(3, 1), Err(ENOTCONN)).ok());
}

// ScopeOf (model_types.h) says which operations World judges on a named
// socket by its own rules: every kAnySocket one has a rule on an unconnected
// stream socket and on a named datagram socket, and each other one of the
// pair is refused there as not modelled (fuzz_ops.h decodes none of them on
// a named socket).
TEST(World, ItsOwnSocketRulesCoverExactlyTheAnySocketScope) {
  for (SockType type : {SockType::kStream, SockType::kDgram}) {
    for (int k = 0; k <= static_cast<int>(kLastOpKind); ++k) {
      const OpKind kind = static_cast<OpKind>(k);
      if (ScopeOf(kind) == OpScope::kWorld) continue;
      World w(SockType::kStream);
      ASSERT_TRUE(w.Check(ModelOp::Socket(2, type), Ret(2)).ok());
      ModelOp op;
      op.kind = kind;
      op.end = 2;
      // A result no rule allows: a rule reports a divergence.
      const absl::Status s = w.Check(op, Err(EHOSTDOWN));
      if (ScopeOf(kind) == OpScope::kAnySocket) {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition)
            << SockTypeName(type) << " " << op.ToString() << ": " << s;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
            << SockTypeName(type) << " " << op.ToString() << ": " << s;
        EXPECT_THAT(s.message(), HasSubstr("not modelled on"));
      }
    }
  }
}

}  // namespace
}  // namespace sockspec::model
