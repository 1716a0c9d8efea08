#include "harness/os/kernel_version.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(KernelVersion, ReadsDebianAndPlainReleases) {
  EXPECT_EQ(*ParseKernelVersion("6.1.0-28-cloud-amd64"), (KernelVersion{6, 1, 0}));
  EXPECT_EQ(*ParseKernelVersion("6.12.9+deb12-cloud-amd64"), (KernelVersion{6, 12, 9}));
  EXPECT_EQ(*ParseKernelVersion("6.5"), (KernelVersion{6, 5, 0}));
  EXPECT_EQ(*ParseKernelVersion("4.4.0"), (KernelVersion{4, 4, 0}));
}

TEST(KernelVersion, RejectsWhatIsNotAVersion) {
  EXPECT_THAT(ParseKernelVersion("6").status().message(),
              testing::HasSubstr("'6' is not a kernel version"));
  EXPECT_FALSE(ParseKernelVersion("six.one").ok());
  EXPECT_FALSE(ParseKernelVersion("6.1.2.3").ok());
  EXPECT_FALSE(ParseKernelVersion("").ok());
}

TEST(KernelVersion, OrdersNumericallyNotAsText) {
  EXPECT_LT((KernelVersion{6, 9}), (KernelVersion{6, 12}));
  EXPECT_LT((KernelVersion{6, 1, 119}), (KernelVersion{6, 5}));
  EXPECT_GE((KernelVersion{6, 18, 44}), (KernelVersion{6, 5}));
  EXPECT_EQ(KernelVersionText({6, 1, 0}), "6.1");
  EXPECT_EQ(KernelVersionText({6, 18, 44}), "6.18.44");
}

TEST(KernelVersion, TheRunningKernelHasOne) {
  absl::StatusOr<KernelVersion> v = RunningKernelVersion();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_GE(v->major, 2);
}

}  // namespace
}  // namespace sockspec
