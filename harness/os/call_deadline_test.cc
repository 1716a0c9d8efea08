#include "harness/os/call_deadline.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(CallDeadline, InterruptsACallThatSleepsForEver) {
  // A read on a socket whose peer never writes, and keeps its end open.
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  char c;
  ssize_t r;
  int err;
  {
    CallDeadline d(absl::Milliseconds(20));
    ASSERT_TRUE(d.armed());
    r = read(sv[0], &c, 1);
    err = errno;
    EXPECT_TRUE(d.Expired());
  }
  EXPECT_EQ(r, -1);
  EXPECT_EQ(err, EINTR);
  close(sv[0]);
  close(sv[1]);
}

TEST(CallDeadline, ACallThatFinishesIsNotTouched) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  char c = 0;
  {
    // A deadline no run of this test reaches: the read has its byte.
    CallDeadline d(absl::Hours(1));
    EXPECT_EQ(read(sv[0], &c, 1), 1);
    EXPECT_FALSE(d.Expired());
  }
  EXPECT_EQ(c, 'x');
  close(sv[0]);
  close(sv[1]);
}

TEST(CallDeadline, GivesTheSignalBackItsAction) {
  struct sigaction before = {};
  ASSERT_EQ(sigaction(CallDeadline::Signal(), nullptr, &before), 0);
  { CallDeadline d(absl::Hours(1)); }
  struct sigaction after = {};
  ASSERT_EQ(sigaction(CallDeadline::Signal(), nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

}  // namespace
}  // namespace sockspec
