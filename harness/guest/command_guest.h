// Any wrapper command as a system under test: `--under=command:'unshare -n'`
// runs the static sockspec through the wrapper (`/bin/sh -c 'CMD "$@"'` with
// the binary and the inner run's arguments), and the inner run writes one
// JSON line per finished instance on its stdout, which the host reads back
// as the qemu guest reads its serial port. The wrapper must make the binary
// and the case files reachable at the same paths (a namespace, a chroot or
// container with the tree mounted, a shared filesystem over ssh).
//
//   std::unique_ptr<Guest> g = MakeCommandGuest("unshare -n", {});
#ifndef SOCKSPEC_HARNESS_GUEST_COMMAND_GUEST_H_
#define SOCKSPEC_HARNESS_GUEST_COMMAND_GUEST_H_

#include <memory>
#include <string>
#include <vector>

#include "harness/guest/guest.h"

namespace sockspec {

// System "linux-6.1.0 (unshare -n)" once it has run (the kernel release the
// inner run reports), "command (unshare -n)" before; platform: this
// machine's. Prerequisites: a non-empty command and a static sockspec.
// options.run_timeout_s bounds the run (default 120 s + 2 s per instance).
std::unique_ptr<Guest> MakeCommandGuest(const std::string& command,
                                        const GuestOptions& options);

// The argv that runs `binary inner_args...` through `command` (a shell
// command line): {"/bin/sh", "-c", "COMMAND \"$@\"", "sockspec", binary, ...}.
std::vector<std::string> WrapperCommand(const std::string& command,
                                        const std::string& binary,
                                        const std::vector<std::string>& inner_args);

// The inner run's sink for the command guest: a line announcing the kernel
// release first, then one JSON line per outcome on stdout.
void SendCommandResult(const CaseOutcome& o);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_COMMAND_GUEST_H_
