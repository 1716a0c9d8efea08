// The environment one case instance runs in: a private 0700 directory the
// process works in (relative socket names stay short of sun_path's 108
// bytes), a per-run abstract-name prefix, and the fd table to compare against
// at the end.
//
//   absl::StatusOr<RunDir> dir = RunDir::Enter("");  // chdir()s into it
//   ...
//   absl::Status s = dir->Leave();  // unlinks socket files, chdir back, rmdir
#ifndef SOCKSPEC_HARNESS_EXEC_RUNDIR_H_
#define SOCKSPEC_HARNESS_EXEC_RUNDIR_H_

#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harness/os/fd.h"

namespace sockspec {

class RunDir {
 public:
  // Makes a directory under `root` ("" : $TEST_TMPDIR, else $TMPDIR, else
  // /tmp) with mkdtemp (mode 0700) and chdir()s into it. Returns it, or the
  // failing call's error.
  static absl::StatusOr<RunDir> Enter(const std::string& root);
  // No directory: for a run that names no pathname socket. Leave() is a no-op.
  static absl::StatusOr<RunDir> None() { return RunDir(); }

  RunDir(RunDir&& other) noexcept
      : path_(std::exchange(other.path_, std::string())),
        previous_(std::move(other.previous_)) {}
  RunDir& operator=(RunDir&& other) noexcept {
    Leave().IgnoreError();
    path_ = std::exchange(other.path_, std::string());
    previous_ = std::move(other.previous_);
    return *this;
  }
  // Leaves if Leave() was not called; errors are lost then.
  ~RunDir();

  const std::string& path() const { return path_; }

  // Removes every entry of the directory, returns to the previous working
  // directory and removes the directory. OK, or the first failing call.
  absl::Status Leave();

 private:
  RunDir() = default;
  std::string path_;  // absolute
  UniqueFd previous_;  // the working directory to return to
};

// "sockspec-" + 16 random hex digits + "-": unique to one run.
std::string RandomAbstractPrefix();

// The fd numbers open in this process (from /proc/self/fd).
std::set<int> OpenFds();

// "7 (socket:[1234])" for each fd: what a leak report shows.
std::string DescribeFds(const std::set<int>& fds);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_RUNDIR_H_
