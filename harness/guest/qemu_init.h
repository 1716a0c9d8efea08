// The qemu guest's inside: the static sockspec is the initramfs's /init. As
// pid 1 it mounts proc, sys, dev (devtmpfs) and a tmpfs on /tmp, brings
// loopback up, raises RLIMIT_NOFILE, runs the inner `sockspec run` whose
// arguments the host wrote into the initramfs, reaps orphans and powers off.
// Everything it reports goes to the second serial port as JSON lines:
//   {"sockspec":"started","release":"6.1.0-28-cloud-amd64"}
//   {"path":...,"verdict":...}          one OutcomeJson per finished instance
//   {"sockspec":"done","exit":1}
#ifndef SOCKSPEC_HARNESS_GUEST_QEMU_INIT_H_
#define SOCKSPEC_HARNESS_GUEST_QEMU_INIT_H_

#include <functional>
#include <string>
#include <vector>

#include "harness/result/outcome.h"

namespace sockspec {

// Inside the initramfs: the inner run's arguments, NUL-terminated each.
inline constexpr char kQemuArgsFile[] = "/sockspec/args";
// The serial port the results go to (the console is ttyS0).
inline constexpr char kQemuResultPort[] = "/dev/ttyS1";

// True when this process is the /init of a sockspec initramfs: pid 1 with
// kQemuArgsFile present. Anything else (a container's pid 1) is not.
bool IsQemuInit();

// Runs as /init (see above): `run` gets the inner run's arguments (as after
// the program name) in a child process whose stdout is discarded and whose
// stderr is the console. Powers the machine off when done; returns only if
// that fails (the kernel then panics on init's exit, which ends qemu too).
int RunQemuInit(const std::function<int(const std::vector<std::string>&)>& run);

// Writes `o` as one JSON line to kQemuResultPort (opened once, raw mode).
void SendQemuResult(const CaseOutcome& o);

// The line a server in the guest writes on kQemuResultPort before its own
// protocol starts (after init's "started" line): the host's QemuServer reads
// up to it and hands the channel over from the next byte on.
inline constexpr char kQemuServerBanner[] = "{\"sockspec\":\"serving\"}\n";

// For a server run by RunQemuInit: kQemuResultPort opened for reading and
// writing, raw (cfmakeraw: every byte value passes, no echo, no flow
// control), 115200 baud, the banner written. Returns the fd, or -1 with the
// reason on the console.
int OpenQemuServerPort();

// The test hooks of the kernel command line, after a guest has answered
// `answered` times (results, or a server's replies): sockspec.test_panic_after=N
// crashes the kernel (sysrq c) at the Nth, sockspec.test_hang_after=N goes
// silent for good at the Nth.
void QemuTestHooks(int answered);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_QEMU_INIT_H_
