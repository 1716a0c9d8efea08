// A Linux kernel image under qemu as a system under test: boots it with an
// initramfs whose /init is the static sockspec (qemu_init.h), reads the
// results back from the second serial port and names what went wrong (a
// panic, an oops, a kernel that never started init, a guest that stopped
// reporting) with the console's tail, keeping every finished result. The
// only code (with qemu_boot and qemu_init) that knows qemu.
//
//   std::unique_ptr<Guest> g = MakeQemuGuest("vmlinuz-6.1.0-28-cloud-amd64", {});
#ifndef SOCKSPEC_HARNESS_GUEST_QEMU_GUEST_H_
#define SOCKSPEC_HARNESS_GUEST_QEMU_GUEST_H_

#include <memory>
#include <string>

#include "harness/guest/guest.h"

namespace sockspec {

// System "linux-6.1.0-28-qemu" (known after CheckPrerequisites; "linux"
// before), platform "linux". Prerequisites: the kernel (a bzImage, or a
// linux-image-*.deb), qemu-system-x86_64 (options.qemu, $SOCKSPEC_QEMU or
// PATH) and a static sockspec (StaticSockspec()). Defaults: 512 MiB, one
// vCPU, KVM when /dev/kvm opens and boots (else TCG), a 60 s boot deadline
// (20 s under KVM before falling back to TCG) and a run deadline of 120 s
// plus 2 s per instance.
std::unique_ptr<Guest> MakeQemuGuest(const std::string& kernel,
                                     const GuestOptions& options);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_QEMU_GUEST_H_
