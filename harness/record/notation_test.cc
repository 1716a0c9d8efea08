// Observed bytes and results in the notation a person writes.
#include "harness/record/notation.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>

#include "gtest/gtest.h"
#include "harness/lang/payload.h"

namespace sockspec {
namespace {

const std::vector<std::pair<std::string, std::string>> kPayloads = {
    {"m", PayloadBytes("m", 0, 100)}, {"w2", PayloadBytes("w2", 0, 20)}, {"hi", "hi"}};

TEST(DataNotation, NamesWholePayloadsSlicesAndSums) {
  const std::string m = kPayloads[0].second, w2 = kPayloads[1].second;
  EXPECT_EQ(DataNotation(m, kPayloads), "m");
  EXPECT_EQ(DataNotation(m.substr(0, 60) + w2, kPayloads), "m[0:60] + w2");
  EXPECT_EQ(DataNotation(m.substr(60), kPayloads), "m[60:]");
  EXPECT_EQ(DataNotation(m.substr(10, 20), kPayloads), "m[10:30]");
  EXPECT_EQ(DataNotation("hi", kPayloads), "hi");
  EXPECT_EQ(DataNotation("", kPayloads), "\"\"");
}

TEST(DataNotation, ShortRunsAreLiteralsNotAccidentalSlices) {
  const std::string m = kPayloads[0].second;
  // Three bytes of m are too few to be told from chance.
  EXPECT_EQ(DataNotation(m.substr(5, 3), kPayloads), "\"" + m.substr(5, 3) + "\"");
  EXPECT_EQ(DataNotation("x\n" + m, kPayloads), "\"x\\n\" + m");
}

Notation Names(const JudgeContext& ctx) {
  Notation n;
  n.payloads = kPayloads;
  n.peer_names = {"A", "B"};
  n.fd_names = {"a", "b"};
  n.context = &ctx;
  return n;
}

TEST(Answer, WritesErrnosSignalsFlagsAndCredentials) {
  JudgeContext ctx;
  ctx.harness_pid = 100;
  ctx.peer_pids = {200, 300};
  ctx.peer_uids = {0, 65534};
  ctx.peer_gids = {0, 65534};
  const Notation n = Names(ctx);
  Op write;
  write.call = Call::kWrite;
  Observation epipe;
  epipe.ret = -1;
  epipe.err = EPIPE;
  epipe.signals = {SIGPIPE};
  EXPECT_EQ(*AnswerNotation(write, epipe, n), "EPIPE signal SIGPIPE");

  Op recvmsg;
  recvmsg.call = Call::kRecvmsg;
  Observation trunc;
  trunc.ret = 10;
  trunc.data = kPayloads[0].second.substr(0, 10);
  trunc.msg_flags = MSG_TRUNC;
  trunc.cred = Cred{300, 65534, 65534};
  EXPECT_EQ(*AnswerNotation(recvmsg, trunc, n), "m[0:10] flags MSG_TRUNC cred(B)");
  trunc.cred = Cred{300, 0, 0};  // B's ids before its drop
  EXPECT_EQ(*AnswerNotation(recvmsg, trunc, n), "m[0:10] flags MSG_TRUNC cred(B, uid=0, gid=0)");
  trunc.cred = Cred{999, 0, 0};
  EXPECT_FALSE(AnswerNotation(recvmsg, trunc, n).ok());

  Op read;
  read.call = Call::kRead;
  Observation eof;
  EXPECT_EQ(*AnswerNotation(read, eof, n), "0");

  Op poll;
  poll.call = Call::kPoll;
  Observation revents;
  revents.ret = 1;
  revents.value = POLLIN;
  EXPECT_EQ(*AnswerNotation(poll, revents, n), "POLLIN");
}

TEST(Answer, AnAbstractNamePaddedWithNulsIsWrittenWithItsLength) {
  JudgeContext ctx;
  ctx.abstract_prefix = "p-";
  Op getsockname;
  getsockname.call = Call::kGetsockname;
  Observation padded;
  // sun_family, then '\0' "p-" "gsn" and NULs up to addrlen 110.
  padded.addr = std::string("\x01\x00", 2) + std::string(1, '\0') + "p-gsn";
  padded.addr->resize(110, '\0');
  EXPECT_EQ(*AnswerNotation(getsockname, padded, Names(ctx)),
            "addrlen(abstract(\"gsn\"), 110)");
}

TEST(Answer, ANewFdNeedsAPersonToNameIt) {
  JudgeContext ctx;
  Op socket;
  socket.call = Call::kSocket;
  Observation made;
  made.ret = 5;
  absl::StatusOr<std::string> a = AnswerNotation(socket, made, Names(ctx));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), "the call made a new fd: write the name it gets");
  made.ret = -1;
  made.err = EAFNOSUPPORT;
  EXPECT_EQ(*AnswerNotation(socket, made, Names(ctx)), "EAFNOSUPPORT");
}

}  // namespace
}  // namespace sockspec

namespace sockspec {
namespace {

TEST(Answer, WritesMessagesAndControlMessages) {
  JudgeContext ctx;
  const Notation n = Names(ctx);
  Op recvmmsg;
  recvmmsg.call = Call::kRecvmmsg;
  Observation got;
  got.ret = 2;
  got.messages = {{2, "hi", 0}, {10, "abcde", MSG_TRUNC}};
  EXPECT_EQ(*AnswerNotation(recvmmsg, got, n),
            "msg(hi), msg(\"abcde\", len=10, flags=MSG_TRUNC)");
  // sendmmsg: the count when every message went whole, else each msg_len.
  Op sendmmsg;
  sendmmsg.call = Call::kSendmmsg;
  sendmmsg.ints = {0, 2, 3, 3, 1, 5};  // iov("one", "two"), "three"
  Observation sent;
  sent.ret = 2;
  sent.messages = {{6, "", 0}, {5, "", 0}};
  EXPECT_EQ(*AnswerNotation(sendmmsg, sent, n), "2");
  sent.messages[1].len = 4;
  EXPECT_EQ(*AnswerNotation(sendmmsg, sent, n), "msg(len=6), msg(len=4)");
  // SCM_INQ is written with its value; an unknown type needs a person.
  Op recvmsg;
  recvmsg.call = Call::kRecvmsg;
  Observation inq;
  inq.ret = 2;
  inq.data = "hi";
  Observation::ControlMessage c;
  c.level = SOL_SOCKET;
  c.type = 84;  // SCM_INQ
  int v = 7;
  c.data.assign(reinterpret_cast<const char*>(&v), sizeof v);
  inq.cmsgs = {c};
  EXPECT_EQ(*AnswerNotation(recvmsg, inq, n), "hi cmsg(SOL_SOCKET, SCM_INQ, 7)");
  inq.cmsgs[0].type = 77;
  EXPECT_FALSE(AnswerNotation(recvmsg, inq, n).ok());
}

}  // namespace
}  // namespace sockspec
