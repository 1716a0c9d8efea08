// How to start a long-lived process inside a guest system that talks over a
// two-way byte channel (the fuzzers' differential mode, fuzz/ops_fuzzer
// --under=...): one process per run, fed inputs through the channel, instead
// of one sandbox start or one boot per input. gVisor and wrapper commands get
// the process's stdin and stdout; a kernel under qemu the guest's second
// serial port (qemu_server.h).
//
//   absl::StatusOr<std::unique_ptr<GuestServer>> s = StartGuestServer(
//       "gvisor", "/proc/self/exe", {"--sockspec-ops-server"});
//   write((*s)->to(), ...);  read((*s)->from(), ...);
#ifndef SOCKSPEC_HARNESS_GUEST_SERVER_COMMAND_H_
#define SOCKSPEC_HARNESS_GUEST_SERVER_COMMAND_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"

namespace sockspec {

// The argv (for execvp) that runs `binary args...` in guest `under`:
//   "gvisor"       `runsc do` ($SOCKSPEC_RUNSC, else runsc on PATH), the
//                  flags the gVisor guest uses; needs root (FailedPrecondition
//                  otherwise);
//   "command:CMD"  CMD as a wrapper: /bin/sh -c 'CMD "$@"' sh binary args...
//                  (`command:env` runs on this machine; tests use it).
// InvalidArgument for any other name, saying which are known.
absl::StatusOr<std::vector<std::string>> ServerCommand(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args);

// A server running in a guest. Destroying it ends it (input closed and the
// process waited for; qemu killed) and removes its files.
class GuestServer {
 public:
  virtual ~GuestServer() = default;
  virtual int to() const = 0;    // write requests here
  virtual int from() const = 0;  // read answers here
  // Why the server stopped answering, for an error message: a kernel's
  // failure line and its console's tail; "" when there is nothing to add.
  virtual std::string Failure() = 0;
};

namespace internal {

// `argv` run with its stdin and stdout on pipes (stderr: the file
// `stderr_file`, or ours when empty; $TMPDIR: `tmpdir` when not empty), an
// interrupt passed on to it. PipeServer and QemuServer.
struct PipedChild {
  Child child;
  UniqueFd to, from;
};
absl::StatusOr<PipedChild> SpawnOnPipes(std::vector<std::string> argv,
                                        const std::string& stderr_file,
                                        const std::string& tmpdir = "");

}  // namespace internal

// Starts `binary args...` in guest `under`: "gvisor" and "command:CMD" as
// ServerCommand, over pipes; "qemu:KERNEL" boots KERNEL with
// $SOCKSPEC_OPS_SERVER (a static build of the server, e.g.
// //fuzz:ops_server) as its /init, or `binary` itself when that is static,
// and returns once the guest's server is up (QemuServer). The errors of
// ServerCommand and QemuServer::Start.
absl::StatusOr<std::unique_ptr<GuestServer>> StartGuestServer(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_SERVER_COMMAND_H_
