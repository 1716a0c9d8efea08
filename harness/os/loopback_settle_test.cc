#include "harness/os/loopback_settle.h"

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(SoftnetBacklog, SumsTheBacklogColumnOfEveryCpu) {
  // Linux 6.1: 13 columns, the backlog then the CPU's number last.
  EXPECT_EQ(SoftnetBacklog("00027229 00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 00000002 "
                           "00000000\n"
                           "00029eca 00000000 00000001 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 0000000a "
                           "00000001\n"),
            12);
  // Linux 6.18: 15 columns, the input and process queues after the CPU.
  EXPECT_EQ(SoftnetBacklog("00027229 00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000\n"),
            0);
}

TEST(SoftnetBacklog, AKernelWithoutTheColumnCannotTell) {
  // Before 5.10 a line ends at flow_limit_count.
  EXPECT_EQ(SoftnetBacklog("00027229 00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000\n"),
            absl::nullopt);
  EXPECT_EQ(SoftnetBacklog("00027229 00000000 00000000 00000000 00000000 00000000 "
                           "00000000 00000000 00000000 00000000 00000000 zz "
                           "00000000\n"),
            absl::nullopt);
}

}  // namespace
}  // namespace sockspec
