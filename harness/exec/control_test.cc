#include "harness/exec/control.h"

#include <signal.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(Control, CommandSurvivesEncodeAndDecode) {
  PeerCommand c;
  c.op_index = 7;
  c.bound = {{2, std::string("\x01\x00srv\0", 6)}};
  c.peer_pids = {100, 0, 102};
  c.captures = {{0, 212992}, {3, -1}};  // `$sndbuf`, and a negative value
  absl::StatusOr<PeerCommand> d = DecodeCommand(EncodeCommand(c));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, PeerCommand::Kind::kRun);
  EXPECT_EQ(d->op_index, 7);
  EXPECT_EQ(d->bound, c.bound);
  EXPECT_EQ(d->peer_pids, c.peer_pids);
  EXPECT_EQ(d->captures, c.captures);
}

TEST(Control, ObservationSurvivesEncodeAndDecode) {
  PeerMessage m;
  m.obs.ret = 10;
  m.obs.data = std::string("a\0b", 3);
  m.obs.msg_flags = 0x20;
  m.obs.value = -3;
  m.obs.addr = std::string("\x01\x00", 2);
  m.obs.cred = Cred{1, 2, 3};
  m.obs.rights = {{5, 6}};
  m.obs.signals = {13};
  m.obs.bound = {{1, "x"}};
  m.obs.ids = {{4, {7, 8}}};
  m.obs.leaked = {{9, "socket"}};
  absl::StatusOr<PeerMessage> d = DecodeMessage(EncodeMessage(m));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->kind, PeerMessage::Kind::kResult);
  EXPECT_EQ(d->obs.ret, 10);
  EXPECT_EQ(d->obs.data, m.obs.data);
  EXPECT_EQ(d->obs.msg_flags, 0x20);
  EXPECT_EQ(d->obs.value, -3);
  EXPECT_EQ(d->obs.addr, m.obs.addr);
  ASSERT_TRUE(d->obs.cred.has_value());
  EXPECT_EQ(d->obs.cred->gid, 3);
  ASSERT_EQ(d->obs.rights.size(), 1u);
  EXPECT_EQ(d->obs.rights[0].ino, 6u);
  EXPECT_EQ(d->obs.signals, std::vector<int>{13});
  EXPECT_EQ(d->obs.bound, m.obs.bound);
  ASSERT_EQ(d->obs.ids.size(), 1u);
  EXPECT_EQ(d->obs.ids[0].second.dev, 7u);
  EXPECT_EQ(d->obs.leaked, m.obs.leaked);
}

TEST(Control, UnsetOptionalsStayUnset) {
  absl::StatusOr<PeerMessage> d = DecodeMessage(EncodeMessage(PeerMessage{}));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->obs.msg_flags.has_value());
  EXPECT_FALSE(d->obs.addr.has_value());
  EXPECT_FALSE(d->obs.cred.has_value());
}

TEST(Control, TruncatedMessageIsRejected) {
  std::string bytes = EncodeMessage(PeerMessage{});
  bytes.pop_back();
  EXPECT_EQ(DecodeMessage(bytes).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeCommand("xyz").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Control, FrameCrossesAPipeWhole) {
  absl::StatusOr<ControlPipes> p = ControlPipes::Make();
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(WriteFrame(p->cmd_write.get(), "hello").ok());
  absl::StatusOr<std::string> f = ReadFrame(p->cmd_read.get());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(*f, "hello");
}

TEST(Control, ReadFrameUntilAPassedDeadlineGivesNothing) {
  absl::StatusOr<ControlPipes> p = ControlPipes::Make();
  ASSERT_TRUE(p.ok());
  absl::StatusOr<std::optional<std::string>> f =
      ReadFrameUntil(p->result_read.get(), absl::Now());
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_value());
}

TEST(Control, ClosedWriterIsUnavailable) {
  absl::StatusOr<ControlPipes> p = ControlPipes::Make();
  ASSERT_TRUE(p.ok());
  p->result_write.reset();
  absl::StatusOr<std::optional<std::string>> f =
      ReadFrameUntil(p->result_read.get(), absl::InfiniteFuture());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sockspec
