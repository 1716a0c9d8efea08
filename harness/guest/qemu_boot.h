// The host side of the qemu guest, the parts that need no qemu running: the
// kernel image (its release from the bzImage header, a Debian .deb unpacked),
// the static sockspec for /init, the initramfs, qemu's command line, and
// reading the serial files back (results, panics and oopses on the console).
#ifndef SOCKSPEC_HARNESS_GUEST_QEMU_BOOT_H_
#define SOCKSPEC_HARNESS_GUEST_QEMU_BOOT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "harness/result/outcome.h"

namespace sockspec {

// The kernel release a bzImage states in its setup header ("6.1.0-28-cloud-
// amd64"); InvalidArgument naming the file when it is not a bzImage.
absl::StatusOr<std::string> BzImageRelease(const std::string& path);

// "6.1.0-28-cloud-amd64" -> "linux-6.1.0-28-qemu"; "6.12.9+deb12-cloud-amd64"
// -> "linux-6.12.9-qemu": the version and Debian's ABI number, if any.
std::string QemuSystemName(absl::string_view release);

// The kernel image to boot for `kernel`: the file itself, or for a
// linux-image-*.deb its boot/vmlinuz-* unpacked (dpkg-deb -x) under `workdir`.
absl::StatusOr<std::string> KernelImage(const std::string& kernel,
                                        const std::string& workdir);

// qemu-system-x86_64: `given`, else $SOCKSPEC_QEMU, else the first on PATH;
// "" when there is none.
std::string FindQemu(const std::string& given);

// Appends the bytes of `path` past text.size() to `text` (a file qemu is
// still writing, read as it grows).
void ReadMore(const std::string& path, std::string& text);

// True when `path` is an ELF executable without a program interpreter.
bool IsStaticExecutable(const std::string& path);

// The sockspec to run as /init: $SOCKSPEC_STATIC when set, else this
// program when it is static; FailedPrecondition saying how to build one.
absl::StatusOr<std::string> StaticSockspec();

// The initramfs (an uncompressed newc cpio): /init = `init_binary`, the case
// files at their paths (relative to /), the inner run's arguments in
// kQemuArgsFile, /dev/console, and the mount points.
absl::StatusOr<std::string> BuildInitramfs(const std::string& init_binary,
                                           const std::vector<std::string>& files,
                                           const std::vector<std::string>& inner_args);

struct QemuSettings {
  std::string qemu, kernel, initrd, console_file, results_file;
  std::string accel = "tcg";  // "kvm" or "tcg"
  std::string append;         // added to the kernel command line
  int memory_mb = 512, cpus = 1;
  // The second serial port on qemu's stdin and stdout instead of
  // results_file: a two-way byte channel (QemuServer).
  bool results_on_stdio = false;
};

// qemu's argv: no display, no reboot (a panic ends qemu), the console on the
// first serial port and the results on the second, each into its file (or
// the second on stdio).
std::vector<std::string> QemuCommand(const QemuSettings& s);

// The first line of `console` that shows the kernel failed ("Kernel panic -
// not syncing: ...", an "Oops:", "BUG:"), without SeaBIOS's escapes; "" when
// there is none.
std::string ConsoleFailure(absl::string_view console);

// The last `lines` lines of `console`, escape sequences and \r removed.
std::string ConsoleTail(absl::string_view console, int lines);

// What the result port carried so far.
struct ResultStream {
  bool started = false, done = false;
  int exit_code = -1;
  std::string release;
  std::vector<CaseOutcome> outcomes;
  std::string error;  // a line that could not be read
};

// Reads the complete lines of `text` (kept from offset `consumed`, which
// advances past them) into `stream`.
void ReadResultLines(const std::string& text, size_t& consumed, ResultStream& stream);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_QEMU_BOOT_H_
