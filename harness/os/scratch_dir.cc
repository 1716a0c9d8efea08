#include "harness/os/scratch_dir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "harness/os/fd.h"
#include "harness/os/interrupt_cleanup.h"

namespace sockspec {
namespace {

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path);
}

// Whether others may search `dir` and every directory above it.
bool SearchableByOthers(std::string dir) {
  while (!dir.empty()) {
    struct stat st;
    if (stat(dir.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return false;
    const size_t slash = dir.rfind('/');
    if (slash == std::string::npos) break;
    dir.resize(slash);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> MakeScratchDir(absl::string_view prefix,
                                           bool reachable_by_others) {
  const char* env = getenv("TMPDIR");
  std::string parent = env && *env ? env : "/tmp";
  if (reachable_by_others && !SearchableByOthers(parent)) parent = "/tmp";
  std::string templ = absl::StrCat(parent, "/", prefix, ".XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return ErrnoStatus(("mkdtemp(" + templ + ")").c_str(), errno);
  }
  RemoveOnInterrupt(templ);
  return templ;
}

void RemoveScratchDir(const std::string& dir) {
  nftw(dir.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
  ForgetRemoveOnInterrupt(dir);
}

}  // namespace sockspec
