// Judging what recvmsg, recvmmsg and sendmmsg bring back: every fd, every
// credential and every control message must be stated; messages one by one.
#include <sys/socket.h>

#include <cstring>

#include "gtest/gtest.h"
#include "harness/exec/judge.h"

namespace sockspec {
namespace {

Op Recvmsg(std::vector<int> results = {}) {
  Op op;
  op.call = Call::kRecvmsg;
  op.results = std::move(results);
  return op;
}

Expected AnyOf(Outcome o) {
  Expected e;
  e.any_of = {std::move(o)};
  return e;
}

Outcome Data(std::string d) {
  Outcome o;
  o.data = std::move(d);
  return o;
}

Observation Got(std::string d) {
  Observation o;
  o.ret = static_cast<int64_t>(d.size());
  o.data = std::move(d);
  return o;
}

Observation::ControlMessage IntCmsg(int type, int v) {
  Observation::ControlMessage c;
  c.level = SOL_SOCKET;
  c.type = type;
  c.data.assign(reinterpret_cast<const char*>(&v), sizeof v);
  return c;
}

JudgeContext Names() {
  JudgeContext ctx;
  ctx.fd_names = {"a", "b", "x", "y", "g"};
  ctx.ids[2] = FileId{1, 100};  // x
  ctx.ids[3] = FileId{1, 200};  // y
  ctx.ids[4] = FileId{1, 200};  // g, as received
  return ctx;
}

TEST(JudgeMessages, AWrongFdIdentitySaysWhichFdItIs) {
  // rights(g=x) received y's open file: both sides name the files.
  Outcome want = Data("f");
  want.rights_same_as = std::vector<int>{2};
  Observation got = Got("f");
  got.rights = {FileId{1, 200}};
  Judgement j = Judge(Recvmsg({4}), AnyOf(want), got, Names());
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "\"f\" rights(g=x)");
  EXPECT_EQ(j.observed, "1 \"f\" rights(g=y)");
}

TEST(JudgeMessages, AnFdTheCaseDoesNotNameFailsTheStep) {
  // The step used to pass: the harness closed the fd quietly.
  Observation got = Got("f");
  got.rights = {FileId{1, 100}};
  Judgement j = Judge(Recvmsg(), AnyOf(Data("f")), got, Names());
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.observed,
            "1 \"f\" rights((unnamed)=x); 1 fd arrived that the case does not "
            "name (closed)");
}

TEST(JudgeMessages, LongRightsListsAreFolded) {
  Outcome want = Data("f");
  want.rights_same_as = std::vector<int>(253, 2);
  Observation got = Got("f");
  got.rights = std::vector<FileId>(253, FileId{1, 100});
  got.rights.back() = FileId{1, 200};
  std::vector<int> results(253, 4);
  Judgement j = Judge(Recvmsg(results), AnyOf(want), got, Names());
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected, "\"f\" rights(g=x \u00d7 253)");
  EXPECT_EQ(j.observed, "1 \"f\" rights(g=x \u00d7 252, g=y)");
}

TEST(JudgeMessages, CredentialsOrControlMessagesNotStatedFailTheStep) {
  Observation got = Got("f");
  got.cred = Cred{10, 0, 0};
  EXPECT_FALSE(Judge(Recvmsg(), AnyOf(Data("f")), got, {}).ok);
  // An SCM_INQ (Linux 6.18) must be named, and its value matches.
  Observation inq = Got("f");
  inq.cmsgs = {IntCmsg(84, 3)};
  Judgement j = Judge(Recvmsg(), AnyOf(Data("f")), inq, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.observed, "1 \"f\" cmsg(SOL_SOCKET, SCM_INQ, 3)");
  Outcome want = Data("f");
  want.cmsgs.push_back({SOL_SOCKET, 84, 3, std::nullopt});
  EXPECT_TRUE(Judge(Recvmsg(), AnyOf(want), inq, {}).ok);
  want.cmsgs[0].value = 4;
  EXPECT_FALSE(Judge(Recvmsg(), AnyOf(want), inq, {}).ok);
}

TEST(JudgeMessages, AnUnknownControlMessageIsReportedNotDropped) {
  Observation got = Got("f");
  Observation::ControlMessage odd;
  odd.level = SOL_SOCKET;
  odd.type = 77;
  odd.data = "abcdef";
  got.cmsgs = {odd};
  Judgement j = Judge(Recvmsg(), AnyOf(Data("f")), got, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.observed, "1 \"f\" cmsg(SOL_SOCKET, 77, bytes=6) (unknown type)");
}

TEST(JudgeMessages, RecvmmsgJudgesEachMessage) {
  Op op;
  op.call = Call::kRecvmmsg;
  Outcome want;
  want.ret = Range::Exactly(2);
  want.messages = std::vector<Outcome::Message>(2);
  (*want.messages)[0].data = "ab";
  (*want.messages)[1].data = "cd";
  (*want.messages)[1].flags = MSG_TRUNC;
  (*want.messages)[1].len = Range::Exactly(4);
  Observation got;
  got.ret = 2;
  got.messages = {{2, "ab", 0}, {4, "cd", MSG_TRUNC}};
  EXPECT_TRUE(Judge(op, AnyOf(want), got, {}).ok);
  got.messages[1].flags = 0;
  Judgement j = Judge(op, AnyOf(want), got, {});
  EXPECT_FALSE(j.ok);
  EXPECT_EQ(j.expected,
            "2 msg(\"ab\"), msg(\"cd\", len=4, flags=MSG_TRUNC)");
  EXPECT_EQ(j.observed, "2 msg(\"ab\"), msg(\"cd\", len=4)");
}

}  // namespace
}  // namespace sockspec
