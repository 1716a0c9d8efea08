#include "harness/exec/rundir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/os/interrupt_cleanup.h"

namespace sockspec {
namespace {

std::string Root(const std::string& root) {
  if (!root.empty()) return root;
  for (const char* var : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* v = getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  return "/tmp";
}

}  // namespace

absl::StatusOr<RunDir> RunDir::Enter(const std::string& root) {
  RunDir d;
  d.previous_.reset(open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.previous_.valid()) return ErrnoStatus("open(\".\")", errno);
  std::string tmpl = absl::StrCat(Root(root), "/sockspec.XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return ErrnoStatus(absl::StrCat("mkdtemp(", tmpl, ")").c_str(), errno);
  }
  if (tmpl[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) tmpl = absl::StrCat(cwd, "/", tmpl);
  }
  d.path_ = tmpl;
  if (chmod(d.path_.c_str(), 0700) != 0 || chdir(d.path_.c_str()) != 0) {
    absl::Status s = ErrnoStatus("chdir(private dir)", errno);
    rmdir(d.path_.c_str());
    d.path_.clear();
    return s;
  }
  RemoveOnInterrupt(d.path_);
  return d;
}

RunDir::~RunDir() { Leave().IgnoreError(); }

absl::Status RunDir::Leave() {
  if (path_.empty()) return absl::OkStatus();
  ForgetRemoveOnInterrupt(path_);
  absl::Status first;
  DIR* dir = opendir(path_.c_str());
  if (dir == nullptr) {
    first = ErrnoStatus("opendir(private dir)", errno);
  } else {
    std::vector<std::string> names;
    while (dirent* e = readdir(dir)) {
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
        names.push_back(e->d_name);
      }
    }
    closedir(dir);
    for (const std::string& n : names) {
      if (unlink(absl::StrCat(path_, "/", n).c_str()) != 0 && first.ok()) {
        first = ErrnoStatus(absl::StrCat("unlink(", n, ")").c_str(), errno);
      }
    }
  }
  if (fchdir(previous_.get()) != 0 && first.ok()) {
    first = ErrnoStatus("fchdir(previous working directory)", errno);
  }
  previous_.reset();
  if (rmdir(path_.c_str()) != 0 && first.ok()) {
    first = ErrnoStatus(absl::StrCat("rmdir(", path_, ")").c_str(), errno);
  }
  path_.clear();
  return first;
}

std::string RandomAbstractPrefix() {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, 0) != sizeof r) {
    r = static_cast<uint64_t>(getpid()) << 32 ^ static_cast<uint64_t>(time(nullptr));
  }
  return absl::StrFormat("sockspec-%016x-", r);
}

std::set<int> OpenFds() {
  std::set<int> fds;
  const int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return fds;
  // getdents64 into a buffer on the stack rather than opendir's 32 KiB from
  // malloc: the harness lists its fds around every instance, after forking
  // peers, and each heap page it writes then is a copy-on-write fault.
  alignas(dirent64) char buf[2048];
  for (;;) {
    const ssize_t n = getdents64(dir, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* e = reinterpret_cast<const dirent64*>(buf + off);
      off += e->d_reclen;
      const int fd = atoi(e->d_name);
      if (e->d_name[0] != '.' && fd != dir) fds.insert(fd);
    }
  }
  close(dir);
  return fds;
}

std::string DescribeFds(const std::set<int>& fds) {
  std::vector<std::string> parts;
  for (int fd : fds) {
    char target[256];
    ssize_t n = readlink(absl::StrCat("/proc/self/fd/", fd).c_str(), target,
                         sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    parts.push_back(absl::StrCat(fd, " (", target, ")"));
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace sockspec
