// A long-lived server inside a kernel under qemu, spoken to over the guest's
// second serial port (the transport of ops_fuzzer --under=qemu:KERNEL): the
// kernel boots once with the static server as its /init (qemu_init.h), the
// port is raw on the guest's side and qemu's stdin and stdout on this side,
// so every byte value passes. Only the console goes to a file.
//
//   absl::StatusOr<std::unique_ptr<QemuServer>> s = QemuServer::Start(
//       "vmlinuz-6.1.0-57-cloud-amd64", "ops_server", {"--sockspec-ops-server"});
//   write((*s)->to(), frame, n);  read((*s)->from(), answer, m);
#ifndef SOCKSPEC_HARNESS_GUEST_QEMU_SERVER_H_
#define SOCKSPEC_HARNESS_GUEST_QEMU_SERVER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/guest/server_command.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"

namespace sockspec {

class QemuServer : public GuestServer {
 public:
  // Boots `kernel` (a bzImage or a linux-image-*.deb) under TCG, one vCPU,
  // 512 MiB, with `server` (static) as /init and `args` as its arguments;
  // $SOCKSPEC_QEMU_APPEND is added to the kernel command line (the tests'
  // hooks, qemu_init.h). Returns once the server's banner
  // (kQemuServerBanner) came through, so the next byte is the server's.
  // FailedPrecondition when qemu or the kernel is missing; Unavailable
  // naming the kernel's failure, with the console's tail, when the guest
  // does not get there (within 120 s: a backstop, boots take 3-4 s).
  static absl::StatusOr<std::unique_ptr<QemuServer>> Start(
      const std::string& kernel, const std::string& server,
      const std::vector<std::string>& args);

  // Kills qemu and removes its files.
  ~QemuServer() override;

  int to() const override { return to_.get(); }
  int from() const override { return from_.get(); }
  // "linux-6.1.0-57-qemu: kernel failure: Kernel panic - not syncing: ...;
  // console tail:\n..." or how qemu ended, or that it still runs.
  std::string Failure() override;

 private:
  QemuServer() = default;

  std::string workdir_, release_, console_file_, log_file_;
  std::optional<Child> qemu_;
  UniqueFd to_, from_;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_QEMU_SERVER_H_
