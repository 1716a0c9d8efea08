#include "harness/os/user_path.h"

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

// Each test sets the variable as `bazel run` would and restores it.
class UserPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* old = getenv("BUILD_WORKING_DIRECTORY")) {
      had_ = true;
      old_ = old;
    }
  }
  void TearDown() override {
    if (had_) {
      setenv("BUILD_WORKING_DIRECTORY", old_.c_str(), 1);
    } else {
      unsetenv("BUILD_WORKING_DIRECTORY");
    }
  }

 private:
  bool had_ = false;
  std::string old_;
};

TEST_F(UserPathTest, ARelativePathIsTheDirectoryBazelRanIn) {
  setenv("BUILD_WORKING_DIRECTORY", "/home/me/sockspec", 1);
  EXPECT_EQ(UserPath("cases/new.case"), "/home/me/sockspec/cases/new.case");
}

TEST_F(UserPathTest, AnAbsoluteOrEmptyPathStaysAsItIs) {
  setenv("BUILD_WORKING_DIRECTORY", "/home/me/sockspec", 1);
  EXPECT_EQ(UserPath("/tmp/crash-1"), "/tmp/crash-1");
  EXPECT_EQ(UserPath(""), "");
}

TEST_F(UserPathTest, OutsideBazelRunAPathStaysAsItIs) {
  unsetenv("BUILD_WORKING_DIRECTORY");
  EXPECT_EQ(UserPath("cases/new.case"), "cases/new.case");
  setenv("BUILD_WORKING_DIRECTORY", "", 1);
  EXPECT_EQ(UserPath("cases/new.case"), "cases/new.case");
}

}  // namespace
}  // namespace sockspec
