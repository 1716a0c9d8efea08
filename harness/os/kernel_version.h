// Linux kernel versions as the case language compares them: "6.1", "6.18.44"
// from uname(2)'s release ("6.1.0-28-cloud-amd64" reads as 6.1.0).
//
//   absl::StatusOr<KernelVersion> v = ParseKernelVersion("6.12.9+deb12-amd64");
//   if (*v < KernelVersion{6, 5}) ...
#ifndef SOCKSPEC_HARNESS_OS_KERNEL_VERSION_H_
#define SOCKSPEC_HARNESS_OS_KERNEL_VERSION_H_

#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sockspec {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;

  friend bool operator<(const KernelVersion& a, const KernelVersion& b) {
    return std::tie(a.major, a.minor, a.patch) <
           std::tie(b.major, b.minor, b.patch);
  }
  friend bool operator==(const KernelVersion& a, const KernelVersion& b) {
    return std::tie(a.major, a.minor, a.patch) ==
           std::tie(b.major, b.minor, b.patch);
  }
  friend bool operator!=(const KernelVersion& a, const KernelVersion& b) { return !(a == b); }
  friend bool operator<=(const KernelVersion& a, const KernelVersion& b) { return !(b < a); }
  friend bool operator>(const KernelVersion& a, const KernelVersion& b) { return b < a; }
  friend bool operator>=(const KernelVersion& a, const KernelVersion& b) { return !(a < b); }
};

// "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", optionally followed by anything that
// does not start with a digit or '.' ("-28-cloud-amd64", "+deb12"). Missing
// parts are 0. InvalidArgument naming the text otherwise.
absl::StatusOr<KernelVersion> ParseKernelVersion(absl::string_view text);

// "6.1" when patch is 0, else "6.1.119".
std::string KernelVersionText(const KernelVersion& v);

// The running kernel's version, from uname(2)'s release. Inside gVisor this
// is the version gVisor reports (4.4.0), not the host's.
absl::StatusOr<KernelVersion> RunningKernelVersion();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_KERNEL_VERSION_H_
