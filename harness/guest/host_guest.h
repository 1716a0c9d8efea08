// The host as a system under test: this machine's kernel, run in this
// process; and what platform this machine is (inside gVisor, gVisor's).
#ifndef SOCKSPEC_HARNESS_GUEST_HOST_GUEST_H_
#define SOCKSPEC_HARNESS_GUEST_HOST_GUEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sockspec {

// The platform of the machine this process runs on, from /proc/version:
// "gvisor" inside a gVisor sandbox, else "linux".
std::string DetectHostPlatform();

// The system name of a kernel: PLATFORM-RELEASE with the release cut after
// its leading numbers ("linux", "6.18.44-fc-v657" -> "linux-6.18.44").
std::string HostSystemName(absl::string_view platform, absl::string_view release);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_HOST_GUEST_H_
