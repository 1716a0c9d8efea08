// A private working directory for a guest's files (qemu's kernel image,
// initramfs and logs; runsc's sandbox state), under $TMPDIR or /tmp. It is
// removed with everything in it by RemoveScratchDir, and by the interrupt
// handler if the run is interrupted first (interrupt_cleanup.h), so neither a
// guest killed at a deadline nor an interrupted run leaves it behind.
//
//   absl::StatusOr<std::string> dir = MakeScratchDir("sockspec-qemu");
//   ...                                   // /tmp/sockspec-qemu.x1y2z3/...
//   RemoveScratchDir(*dir);
#ifndef SOCKSPEC_HARNESS_OS_SCRATCH_DIR_H_
#define SOCKSPEC_HARNESS_OS_SCRATCH_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sockspec {

// A fresh directory PREFIX.XXXXXX (mode 0700) under $TMPDIR, else /tmp,
// registered for removal on an interrupt; the mkdtemp error otherwise.
// `reachable_by_others`: for a directory another identity must open (runsc
// mounts its sandbox's root over its $TMPDIR as an unprivileged user), under
// $TMPDIR only when every directory on the way is searchable by others,
// else under /tmp.
absl::StatusOr<std::string> MakeScratchDir(absl::string_view prefix,
                                           bool reachable_by_others = false);

// Removes `dir` and everything below it, and forgets the registration.
void RemoveScratchDir(const std::string& dir);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_SCRATCH_DIR_H_
