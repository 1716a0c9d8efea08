#include "harness/os/fd.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

bool IsOpen(int fd) { return fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

TEST(UniqueFd, ClosesOnDestruction) {
  int raw;
  {
    UniqueFd fd(dup(0));
    raw = fd.get();
    ASSERT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UniqueFd, MoveTransfersOwnershipAndClosesOnce) {
  UniqueFd a(dup(0));
  const int raw = a.get();
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());
  EXPECT_EQ(b.get(), raw);
  UniqueFd c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
  c.reset();
  EXPECT_FALSE(IsOpen(raw));
}

TEST(UniqueFd, MoveAssignmentClosesThePreviousFd) {
  UniqueFd a(dup(0));
  UniqueFd b(dup(0));
  const int old = a.get();
  a = std::move(b);
  EXPECT_FALSE(IsOpen(old));
  EXPECT_TRUE(IsOpen(a.get()));
}

TEST(UniqueFd, ReleaseLeavesTheFdOpen) {
  UniqueFd a(dup(0));
  int raw = a.release();
  EXPECT_FALSE(a.valid());
  EXPECT_TRUE(IsOpen(raw));
  close(raw);
}

TEST(UniqueFd, SocketPairGivesTwoConnectedEnds) {
  auto pair = UniqueFd::SocketPair(AF_UNIX, SOCK_STREAM);
  ASSERT_TRUE(pair.ok()) << pair.status();
  ASSERT_EQ(write(pair->first.get(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(read(pair->second.get(), &c, 1), 1);
  EXPECT_EQ(c, 'x');
}

TEST(UniqueFd, FailedSocketNamesTheCallAndErrno) {
  // socketpair(2): AF_INET does not support socketpair.
  auto pair = UniqueFd::SocketPair(AF_INET, SOCK_STREAM);
  ASSERT_FALSE(pair.ok());
  EXPECT_THAT(std::string(pair.status().message()),
              ::testing::StartsWith("socketpair(): EOPNOTSUPP"));
}

TEST(ErrnoName, NamesKnownAndUnknownErrnos) {
  EXPECT_STREQ(ErrnoName(EAGAIN), "EAGAIN");
  EXPECT_STREQ(ErrnoName(ECONNRESET), "ECONNRESET");
  EXPECT_STREQ(ErrnoName(9999), "E?9999");
}

}  // namespace
}  // namespace sockspec
