#include "harness/guest/cpio.h"

#include <sys/stat.h>

#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace sockspec {
namespace {

void Pad4(std::string& out) {
  while (out.size() % 4 != 0) out.push_back('\0');
}

absl::string_view Relative(absl::string_view path) {
  while (absl::ConsumePrefix(&path, "/")) {
  }
  return path;
}

}  // namespace

void CpioWriter::Entry(absl::string_view path, uint32_t mode,
                       absl::string_view data, uint32_t rdev_major,
                       uint32_t rdev_minor) {
  // "070701", then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink,
  // mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize
  // (with its NUL), check (0 without a checksum).
  const uint32_t nlink = S_ISDIR(mode) ? 2 : 1;
  absl::StrAppendFormat(&out_, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                        next_ino_++, mode, 0, 0, nlink, 0,
                        static_cast<uint32_t>(data.size()), 0, 0, rdev_major,
                        rdev_minor, static_cast<uint32_t>(path.size() + 1), 0);
  out_.append(path.data(), path.size());
  out_.push_back('\0');
  Pad4(out_);  // the header (110 bytes) and name together
  out_.append(data.data(), data.size());
  Pad4(out_);
}

void CpioWriter::Parents(absl::string_view path) {
  for (size_t slash = path.find('/'); slash != absl::string_view::npos;
       slash = path.find('/', slash + 1)) {
    AddDirectory(path.substr(0, slash), 0755);
  }
}

void CpioWriter::AddDirectory(absl::string_view path, uint32_t mode) {
  path = Relative(path);
  if (path.empty() || dirs_.count(std::string(path)) > 0) return;
  Parents(path);
  dirs_.insert(std::string(path));
  Entry(path, S_IFDIR | (mode & 07777), "", 0, 0);
}

void CpioWriter::AddFile(absl::string_view path, absl::string_view contents,
                         uint32_t mode) {
  path = Relative(path);
  Parents(path);
  Entry(path, S_IFREG | (mode & 07777), contents, 0, 0);
}

void CpioWriter::AddCharDevice(absl::string_view path, uint32_t mode,
                               uint32_t major, uint32_t minor) {
  path = Relative(path);
  Parents(path);
  Entry(path, S_IFCHR | (mode & 07777), "", major, minor);
}

std::string CpioWriter::Finish() {
  Entry("TRAILER!!!", 0, "", 0, 0);
  std::string archive;
  archive.swap(out_);
  dirs_.clear();
  next_ino_ = 1;
  return archive;
}

}  // namespace sockspec
