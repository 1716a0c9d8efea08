#include "harness/os/child.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "harness/os/fd.h"

namespace sockspec {
namespace {

// True while `pid` exists as a process or an unreaped zombie of ours.
bool Exists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(Child, WaitReturnsTheExitCode) {
  auto child = Child::Spawn([] { return 7; });
  ASSERT_TRUE(child.ok()) << child.status();
  auto status = child->Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_FALSE(status->signaled);
  EXPECT_EQ(status->code, 7);
  EXPECT_EQ(status->ToString(), "exited 7");
}

TEST(Child, WaitReportsTheTerminatingSignal) {
  auto child = Child::Spawn([] {
    raise(SIGUSR1);
    return 0;
  });
  ASSERT_TRUE(child.ok());
  auto status = child->Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGUSR1);
  EXPECT_EQ(status->ToString(), "killed by SIGUSR1");
}

TEST(Child, DestructorKillsAndReapsAHangingChild) {
  pid_t pid;
  {
    auto child = Child::Spawn([] {
      for (;;) pause();
      return 0;
    });
    ASSERT_TRUE(child.ok());
    pid = child->pid();
    ASSERT_TRUE(Exists(pid));
  }
  // Reaped: not even a zombie is left, so the pid no longer exists.
  EXPECT_FALSE(Exists(pid));
}

TEST(Child, DestructorAlsoKillsTheChildsOwnForks) {
  auto ends = UniqueFd::SocketPair(AF_UNIX, SOCK_STREAM);
  ASSERT_TRUE(ends.ok());
  {
    auto child = Child::Spawn([&] {
      ends->first.reset();
      if (fork() == 0) {
        // The grandchild holds the write end until it dies.
        for (;;) pause();
      }
      ends->second.reset();
      for (;;) pause();
      return 0;
    });
    ASSERT_TRUE(child.ok());
  }
  ends->second.reset();
  // EOF only once the grandchild, the last holder of the end, is dead.
  char c;
  EXPECT_EQ(read(ends->first.get(), &c, 1), 0);
}

TEST(Child, PollSaysRunningThenExited) {
  auto ends = UniqueFd::SocketPair(AF_UNIX, SOCK_STREAM);
  ASSERT_TRUE(ends.ok());
  auto child = Child::Spawn([&] {
    char c;
    return read(ends->second.get(), &c, 1) == 1 ? 3 : 4;
  });
  ASSERT_TRUE(child.ok());
  auto running = child->Poll();
  ASSERT_TRUE(running.ok());
  EXPECT_FALSE(running->has_value());
  ASSERT_EQ(write(ends->first.get(), "x", 1), 1);
  auto status = child->Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->code, 3);
  EXPECT_FALSE(child->Poll().ok());  // already reaped
}

TEST(Child, MovedFromChildOwnsNothing) {
  auto child = Child::Spawn([] { return 0; });
  ASSERT_TRUE(child.ok());
  Child moved = std::move(*child);
  EXPECT_EQ(child->pid(), -1);
  EXPECT_FALSE(child->Signal(SIGTERM));
  auto status = moved.Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->Success());
}

TEST(SignalName, NamesSignals) {
  EXPECT_EQ(SignalName(SIGPIPE), "SIGPIPE");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
}

}  // namespace
}  // namespace sockspec
