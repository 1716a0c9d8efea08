// A system under test: this machine's kernel (the host) or a guest such as
// gVisor. Each runs a list of case files and returns structured results.
//
//   absl::StatusOr<std::unique_ptr<Guest>> g = MakeGuest("gvisor");
//   if (g.ok() && (*g)->CheckPrerequisites().ok()) (*g)->Run(files, config);
#ifndef SOCKSPEC_HARNESS_GUEST_GUEST_H_
#define SOCKSPEC_HARNESS_GUEST_GUEST_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "harness/report/report.h"
#include "harness/guest/runner.h"

namespace sockspec {

// What one system gave for a run.
struct GuestRun {
  std::vector<CaseOutcome> outcomes;
  std::string version;  // "runsc version 0.0~20221219.0", "Linux 6.18.0 #1 ..."
  double seconds = 0;   // wall time, start of the system included
  // Non-empty when the system failed part way (a kernel panic, a guest that
  // stopped reporting): names the cause; `outcomes` holds what finished.
  std::string error;
};

// Settings of the guests that boot or wrap something (--qemu, --append,
// --memory, --cpus, --accel, --boot-timeout, --run-timeout); each guest
// reads the ones it knows. 0 and "" mean the guest's default.
struct GuestOptions {
  std::string kernel;  // --kernel: qemu's kernel when the spec names none
  std::string qemu;    // qemu-system-x86_64 executable
  std::string append;  // extra kernel command line
  int memory_mb = 0;   // default 512
  int cpus = 0;        // default 1
  std::string accel;   // "auto" (default: KVM when it works, else TCG), "kvm", "tcg"
  int boot_timeout_s = 0;
  int run_timeout_s = 0;
};

// A system ("gvisor-20221219", "linux-6.18.0") is one build of something
// that runs sockets; its platform ("gvisor", "linux") names whose recorded
// answers (`on PLATFORM = ...` in a case) judge it.
class Guest {
 public:
  virtual ~Guest() = default;

  // "gvisor-20221219"; before CheckPrerequisites succeeds it may be only the
  // platform ("gvisor") where the version is not known yet.
  virtual std::string System() const = 0;

  // "gvisor", "linux": the platform whose recorded answers apply.
  virtual std::string Platform() const = 0;

  // OK when the system can run here (found its tools, has the rights it
  // needs); else FailedPrecondition naming what is missing and how to get
  // it ("runsc not found on PATH (install Debian's runsc ...)").
  virtual absl::Status CheckPrerequisites() = 0;

  // Runs every instance of `files` with `config` (jobs, repeat, filter,
  // step timeout; the platform is the system's own) and returns one outcome
  // per instance and repeat. An error means the system itself failed (it
  // did not start, or its results could not be read), naming what failed.
  virtual absl::StatusOr<GuestRun> Run(const std::vector<std::string>& files,
                                       const RunConfig& config) = 0;

  // Runs this sockspec binary with `args` (after the program name) inside
  // the system and returns what it printed on stdout, for commands that
  // bring back more than outcomes (`sockspec record --under`). An error when
  // it could not start or ended other than exit 0 or 1; Unimplemented for a
  // system that cannot run the binary by itself.
  virtual absl::StatusOr<std::string> RunSockspec(const std::vector<std::string>& args) {
    (void)args;
    return absl::UnimplementedError(System() + " cannot run sockspec commands");
  }
};

// This machine's kernel, run in this process. Never fails.
std::unique_ptr<Guest> MakeHostGuest();

// The guests `--under=NAME` knows, sorted: {"command:CMD", "gvisor",
// "qemu:KERNEL"}.
std::vector<std::string> GuestNames();

// The guest `spec` names: "gvisor", "qemu:KERNEL" (a bzImage/vmlinuz or a
// linux-image-*.deb), "command:CMD"; InvalidArgument "unknown guest 'NAME'
// (known: ...)" for any other. Cheap: nothing is started or checked.
absl::StatusOr<std::unique_ptr<Guest>> MakeGuest(absl::string_view spec,
                                                 const GuestOptions& options = {});

// Where the run inside guest NAME sends each outcome as it finishes (the
// qemu guest: one JSON line on its second serial port), so a guest that
// dies part way still leaves what finished; null when the guest reads only
// the final JSON report on stdout.
std::function<void(const CaseOutcome&)> InnerRunSink(absl::string_view name);

// For the run a guest starts inside itself (hidden option `--inner-run=NAME`
// of `sockspec run`): OK when the platform detected here is guest NAME's, so
// the cases' recorded answers for it apply; else FailedPrecondition saying
// what was detected, or InvalidArgument for an unknown NAME.
absl::Status CheckInnerRun(absl::string_view name);

// When this process is the /init a guest booted (the qemu guest's
// initramfs, qemu_init.h): sets the machine up, runs `run` with the inner
// run's arguments and powers off, returning only if that fails; nullopt when
// this is an ordinary command, to be run as usual.
std::optional<int> RunAsGuestInit(
    const std::function<int(const std::vector<std::string>&)>& run);

// The hidden option the outer run passes to the inner one; the inner run
// prints JsonReport on stdout.
inline constexpr char kInnerRunOption[] = "--inner-run";

// The arguments of the sockspec run a guest starts inside itself, after the
// program name: {"run", "--inner-run=NAME", "--jobs=N", "--repeat=N",
// ["--step-timeout=MS",] ["--filter=RE",] "--", FILE...}.
std::vector<std::string> InnerRunArguments(absl::string_view name,
                                           const std::vector<std::string>& files,
                                           const RunConfig& config);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_GUEST_H_
