// The private directory and abstract names a case instance runs with
// (README, "Security").
#include "harness/exec/rundir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

std::string TmpRoot() {
  const char* t = getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

TEST(RunDir, IsAPrivateDirectoryOfMode0700EvenUnderAPermissiveUmask) {
  const mode_t old = umask(0);
  absl::StatusOr<RunDir> dir = RunDir::Enter(TmpRoot());
  umask(old);
  ASSERT_TRUE(dir.ok()) << dir.status();
  struct stat st;
  ASSERT_EQ(stat(dir->path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, getuid());
  EXPECT_TRUE(dir->Leave().ok());
}

TEST(RunDir, IsTheWorkingDirectoryUntilLeaveRemovesItAndItsFiles) {
  char before[4096];
  ASSERT_NE(getcwd(before, sizeof before), nullptr);
  absl::StatusOr<RunDir> dir = RunDir::Enter(TmpRoot());
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string path = dir->path();
  char now[4096];
  ASSERT_NE(getcwd(now, sizeof now), nullptr);
  EXPECT_EQ(std::string(now), path);
  // A socket file a case bound, by its relative name.
  ASSERT_EQ(mknod("srv", S_IFSOCK | 0600, 0), 0);
  ASSERT_TRUE(dir->Leave().ok());
  ASSERT_NE(getcwd(now, sizeof now), nullptr);
  EXPECT_EQ(std::string(now), std::string(before));
  struct stat st;
  EXPECT_NE(stat(path.c_str(), &st), 0);
}

TEST(RunDir, TwoRunsGetDifferentDirectories) {
  absl::StatusOr<RunDir> a = RunDir::Enter(TmpRoot());
  ASSERT_TRUE(a.ok());
  const std::string first = a->path();
  ASSERT_TRUE(a->Leave().ok());
  absl::StatusOr<RunDir> b = RunDir::Enter(TmpRoot());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->path(), first);
  ASSERT_TRUE(b->Leave().ok());
}

TEST(RandomAbstractPrefix, DiffersBetweenRunsAndHas64RandomBits) {
  const std::string a = RandomAbstractPrefix();
  const std::string b = RandomAbstractPrefix();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), std::string("sockspec-0123456789abcdef-").size());
  EXPECT_EQ(a.substr(0, 9), "sockspec-");
  EXPECT_EQ(a.back(), '-');
}

}  // namespace
}  // namespace sockspec
