// An initramfs as the kernel unpacks it: a "newc" cpio archive (the format of
// the kernel's Documentation/driver-api/early-userspace/buffer-format.rst)
// written in memory, so no root, no cpio tool and no files on disk are needed.
//
//   CpioWriter cpio;
//   cpio.AddDirectory("dev", 0755);
//   cpio.AddCharDevice("dev/console", 0600, 5, 1);
//   cpio.AddFile("init", binary, 0755);
//   std::string archive = cpio.Finish();  // ready for qemu -initrd
#ifndef SOCKSPEC_HARNESS_GUEST_CPIO_H_
#define SOCKSPEC_HARNESS_GUEST_CPIO_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/string_view.h"

namespace sockspec {

class CpioWriter {
 public:
  // Each Add names an entry by its path inside the archive, without a leading
  // "/" ("init", "cases/close/x.case"); a leading "/" is dropped. Files are
  // owned by root; mode holds the permission bits only.
  void AddDirectory(absl::string_view path, uint32_t mode);
  // Adds the missing parent directories of `path` (mode 0755), then the file.
  void AddFile(absl::string_view path, absl::string_view contents, uint32_t mode);
  // A character device node: the kernel creates it while unpacking, which
  // is how an unprivileged user puts /dev/console into an initramfs.
  void AddCharDevice(absl::string_view path, uint32_t mode, uint32_t major,
                     uint32_t minor);

  // The archive: the entries in the order added, then the TRAILER!!! entry.
  // The writer is empty afterwards.
  std::string Finish();

 private:
  void Entry(absl::string_view path, uint32_t mode, absl::string_view data,
             uint32_t rdev_major, uint32_t rdev_minor);
  void Parents(absl::string_view path);

  std::string out_;
  std::set<std::string> dirs_;
  uint32_t next_ino_ = 1;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GUEST_CPIO_H_
