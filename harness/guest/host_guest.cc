#include "harness/guest/host_guest.h"

#include <sys/utsname.h>

#include <chrono>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "harness/guest/guest.h"
#include "harness/guest/gvisor_guest.h"

namespace sockspec {
namespace {

class HostGuest : public Guest {
 public:
  HostGuest() : platform_(DetectHostPlatform()) {
    struct utsname u;
    if (uname(&u) == 0) {
      release_ = u.release;
      version_ = absl::StrCat(u.sysname, " ", u.release, " ", u.version);
    }
  }

  std::string System() const override {
    return HostSystemName(platform_, release_);
  }
  std::string Platform() const override { return platform_; }
  absl::Status CheckPrerequisites() override { return absl::OkStatus(); }

  absl::StatusOr<GuestRun> Run(const std::vector<std::string>& files,
                               const RunConfig& config) override {
    GuestRun run;
    run.version = version_;
    auto start = std::chrono::steady_clock::now();
    run.outcomes = RunCases(files, config);
    run.seconds = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - start).count();
    return run;
  }

 private:
  std::string platform_, release_, version_;
};

}  // namespace

std::string DetectHostPlatform() {
  std::ifstream version("/proc/version");
  std::string line;
  std::getline(version, line);
  return IsGvisorKernelBanner(line) ? "gvisor" : "linux";
}

std::string HostSystemName(absl::string_view platform, absl::string_view release) {
  size_t n = 0;
  while (n < release.size() &&
         ((release[n] >= '0' && release[n] <= '9') || release[n] == '.')) {
    ++n;
  }
  while (n > 0 && release[n - 1] == '.') --n;
  if (n == 0) return std::string(platform);
  return absl::StrCat(platform, "-", release.substr(0, n));
}

std::unique_ptr<Guest> MakeHostGuest() { return std::make_unique<HostGuest>(); }

}  // namespace sockspec
