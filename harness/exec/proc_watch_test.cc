#include "harness/exec/proc_watch.h"

#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"

namespace sockspec {
namespace {

TEST(Observe, ParsesStateAfterACommandNameWithParentheses) {
  absl::StatusOr<ProcState> s =
      ParseProcState("42 (a) b) S 1 42 42 0", "0 0x3 0x7ffd 0xa 0 0 0 0x7ffd 0x7f");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->state, 'S');
  EXPECT_TRUE(s->in_syscall);
  EXPECT_EQ(s->nr, 0);
  EXPECT_EQ(s->arg0, 3u);
  EXPECT_TRUE(AsleepIn(*s, 3));
  EXPECT_FALSE(AsleepIn(*s, 4));
  EXPECT_TRUE(AsleepIn(*s, -1));
}

TEST(Observe, RunningIsNotAsleep) {
  absl::StatusOr<ProcState> s = ParseProcState("42 (x) S 1", "running");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->has_syscall);
  EXPECT_FALSE(s->in_syscall);
  EXPECT_FALSE(AsleepIn(*s, -1));
}

TEST(Observe, WithoutSyscallFileStateAloneDecides) {
  // gVisor has no /proc/PID/syscall.
  absl::StatusOr<ProcState> s = ParseProcState("42 (x) S 1", "");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(AsleepIn(*s, 3));
  s = ParseProcState("42 (x) R 1", "");
  EXPECT_FALSE(AsleepIn(*s, 3));
}

TEST(Observe, MalformedStatIsAnError) {
  EXPECT_EQ(ParseProcState("garbage", "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Observe, ChildBlockedInReadIsSeenAsleepOnThatFd) {
  auto pair = UniqueFd::SocketPair(AF_UNIX, SOCK_STREAM);
  ASSERT_TRUE(pair.ok());
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  const int fd = pair->second.get();
  auto child = Child::Spawn([&] {
    char c;
    return read(fd, &c, 1) == 1 ? 0 : 1;
  });
  ASSERT_TRUE(child.ok());
  absl::StatusOr<WatchResult> w =
      WaitAsleepOrReady(child->pid(), fd, ready_r.get(), absl::InfiniteFuture());
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->what, Watch::kAsleep) << w->last.ToString();
  EXPECT_EQ(w->last.state, 'S');
}

TEST(Observe, ReadableResultFdWinsOverWatching) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  ASSERT_EQ(write(ready_w.get(), "r", 1), 1);
  absl::StatusOr<WatchResult> w =
      WaitAsleepOrReady(getpid(), 0, ready_r.get(), absl::InfiniteFuture());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->what, Watch::kReady);
}

TEST(Observe, RunningProcessTimesOutAtThePassedDeadline) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  // This process is running (state R) while it reads its own stat.
  absl::StatusOr<WatchResult> w =
      WaitAsleepOrReady(getpid(), ready_r.get(), ready_r.get(), absl::Now());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->what, Watch::kTimeout);
  EXPECT_EQ(w->last.state, 'R');
}

}  // namespace
}  // namespace sockspec
