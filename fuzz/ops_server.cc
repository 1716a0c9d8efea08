// The replay server of ops_fuzzer's differential mode (harness/model/
// fuzz_diff.h) on its own, without libFuzzer or sanitizers, so it links
// fully static: a kernel under qemu boots it as /init (ops_fuzzer
// --under=qemu:KERNEL finds it in $SOCKSPEC_OPS_SERVER; ci/fuzz.sh builds it
// with `bazel build --config=static //fuzz:ops_server`). As /init it sets the
// machine up (qemu_init.h) and serves on the second serial port, raw;
// anywhere else it serves on stdin and stdout, as `ops_fuzzer
// --sockspec-ops-server` does.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "harness/guest/qemu_init.h"
#include "harness/model/fuzz_diff.h"

int main() {
  if (sockspec::IsQemuInit()) {
    return sockspec::RunQemuInit([](const std::vector<std::string>&) {
      const int port = sockspec::OpenQemuServerPort();
      if (port < 0) return 2;
      // Each answer leaves the port before the next step (the test hooks
      // crash or silence the guest between answers, not inside one).
      return sockspec::ServeOps(port, port, [port](int answered) {
        tcdrain(port);
        sockspec::QemuTestHooks(answered);
      });
    });
  }
  // Keep the protocol's stdout clean of anything else that prints.
  const int out = dup(1);
  dup2(2, 1);
  return sockspec::ServeOps(0, out);
}
