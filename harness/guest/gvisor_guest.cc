#include "harness/guest/gvisor_guest.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/os/scratch_dir.h"
#include "harness/result/outcome_json.h"

namespace sockspec {
namespace {

bool Executable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

// Runs `argv` with stdin from /dev/null and returns its stdout. Its stderr
// is a pipe too (merged into the result when `merge_stderr`, else copied to
// our stderr as it arrives): a guest never writes to the user's terminal or
// files itself (runsc writes an inherited regular file from offset 0, which
// corrupts a redirected log). Its $TMPDIR is `tmpdir` when not empty.
// `status` receives how it ended.
absl::StatusOr<std::string> Capture(const std::vector<std::string>& argv,
                                    bool merge_stderr, ExitStatus& status,
                                    const std::string& tmpdir = "") {
  int out_fds[2], err_fds[2];
  if (pipe2(out_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
  UniqueFd out_rd(out_fds[0]), out_wr(out_fds[1]);
  if (pipe2(err_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
  UniqueFd err_rd(err_fds[0]), err_wr(err_fds[1]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  absl::StatusOr<Child> child = Child::Spawn([&] {
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, STDIN_FILENO);
    dup2(out_wr.get(), STDOUT_FILENO);
    dup2(merge_stderr ? out_wr.get() : err_wr.get(), STDERR_FILENO);
    if (!tmpdir.empty()) setenv("TMPDIR", tmpdir.c_str(), 1);
    execv(args[0], args.data());
    return 127;
  });
  if (!child.ok()) return child.status();
  child->ForwardInterrupts();
  out_wr.reset();
  err_wr.reset();
  std::string out;
  char buf[65536];
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd pfds[2] = {{out_open ? out_rd.get() : -1, POLLIN, 0},
                      {err_open ? err_rd.get() : -1, POLLIN, 0}};
    if (poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (pfds[i].revents == 0) continue;
      ssize_t n = read(pfds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
      } else if (i == 0) {
        out.append(buf, n);
      } else {
        for (ssize_t off = 0; off < n;) {
          ssize_t w = write(STDERR_FILENO, buf + off, n - off);
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) break;
          off += w;
        }
      }
    }
  }
  absl::StatusOr<ExitStatus> s = child->Wait();
  if (!s.ok()) return s.status();
  status = *s;
  return out;
}

// `runsc ... do ...` (GvisorCommand) through Capture. runsc keeps the
// sandbox's state in a runsc-do* directory under $TMPDIR and removes it when
// the sandbox ends, but not when runsc is killed by a signal (a deadline, an
// interrupt, PR_SET_PDEATHSIG): so $TMPDIR is a scratch directory of ours.
absl::StatusOr<std::string> CaptureRunscDo(const std::vector<std::string>& argv,
                                           ExitStatus& status) {
  absl::StatusOr<std::string> scratch =
      MakeScratchDir("sockspec-gvisor", /*reachable_by_others=*/true);
  if (!scratch.ok()) return scratch.status();
  absl::StatusOr<std::string> out = Capture(argv, false, status, *scratch);
  RemoveScratchDir(*scratch);
  return out;
}

}  // namespace

absl::StatusOr<std::string> FindRunsc() {
  std::string found;
  if (const char* env = getenv("SOCKSPEC_RUNSC"); env && *env) {
    if (!Executable(env)) {
      return absl::FailedPreconditionError(
          absl::StrCat("SOCKSPEC_RUNSC=", env, " is not an executable file"));
    }
    found = env;
  } else {
    const char* path = getenv("PATH");
    for (absl::string_view dir :
         absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
      std::string candidate = absl::StrCat(dir, "/runsc");
      if (Executable(candidate)) {
        found = candidate;
        break;
      }
    }
    if (found.empty() && Executable("/usr/bin/runsc")) found = "/usr/bin/runsc";
  }
  if (found.empty()) {
    return absl::FailedPreconditionError(
        "runsc not found on PATH (install Debian's runsc package, or set "
        "SOCKSPEC_RUNSC)");
  }
  if (geteuid() != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "`runsc do` needs root here (uid ", geteuid(), ")"));
  }
  return found;
}

std::vector<std::string> GvisorCommand(
    const std::string& runsc, const std::string& self,
    const std::vector<std::string>& inner_args) {
  // ptrace works without KVM; --network=none keeps gVisor's own netstack
  // with only loopback; --ignore-cgroups lets it start where /sys/fs/cgroup
  // is read-only (Bazel's sandbox, containers); `do` overlays the read-only
  // host filesystem with a tmpfs, so the run's private directories live
  // inside the sandbox.
  std::vector<std::string> argv = {runsc, "--network=none", "--platform=ptrace",
                                   "--ignore-cgroups", "do", "-quiet", self};
  argv.insert(argv.end(), inner_args.begin(), inner_args.end());
  return argv;
}

bool IsGvisorKernelBanner(absl::string_view proc_version) {
  return absl::StrContains(proc_version, "gVisor") ||
         absl::StartsWith(proc_version,
                          "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016");
}

std::string GvisorSystemName(absl::string_view runsc_version) {
  // Releases are dated: "0.0~20221219.0", "release-20221219.0".
  for (size_t i = 0; i + 8 <= runsc_version.size(); ++i) {
    size_t n = 0;
    while (i + n < runsc_version.size() && absl::ascii_isdigit(runsc_version[i + n])) ++n;
    if (n == 8) return absl::StrCat("gvisor-", runsc_version.substr(i, 8));
    i += n;
  }
  return "gvisor";
}

namespace {

class GvisorGuest : public Guest {
 public:
  std::string System() const override { return GvisorSystemName(version_); }
  std::string Platform() const override { return "gvisor"; }

  absl::Status CheckPrerequisites() override {
    absl::StatusOr<std::string> runsc = FindRunsc();
    if (!runsc.ok()) return runsc.status();
    runsc_ = *runsc;
    ExitStatus status;
    absl::StatusOr<std::string> version = Capture({runsc_, "--version"}, true, status);
    if (version.ok()) {
      version_ = std::string(absl::StripAsciiWhitespace(
          version->substr(0, version->find('\n'))));
    }
    return absl::OkStatus();
  }

  static constexpr double kDeadlineScale = 3;

  absl::StatusOr<GuestRun> Run(const std::vector<std::string>& files,
                               const RunConfig& config) override {
    if (runsc_.empty()) {
      if (absl::Status s = CheckPrerequisites(); !s.ok()) return s;
    }
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return ErrnoStatus("readlink(/proc/self/exe)", errno);
    self[len] = '\0';
    GuestRun run;
    run.version = version_;
    ExitStatus status;
    auto start = std::chrono::steady_clock::now();
    // Inside gVisor there is no /proc/PID/syscall, so no hang is certain and
    // every hang costs its deadline; calls are also slower there. The
    // deadlines stay backstops: scaled, never tight.
    RunConfig inner = config;
    inner.exec.deadline_scale = std::max(inner.exec.deadline_scale, kDeadlineScale);
    absl::StatusOr<std::string> out = CaptureRunscDo(
        GvisorCommand(runsc_, self, InnerRunArguments("gvisor", files, inner)), status);
    run.seconds = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - start).count();
    if (!out.ok()) return out.status();
    // Exit 1 (a case failed) still carries results; 2 may (a case error) or
    // may not (the sandbox or the run did not start).
    if (status.signaled || status.code > 2 || out->empty()) {
      return absl::InternalError(absl::StrCat(
          "the run inside gVisor (", runsc_, " ... do ", self, ") ",
          status.ToString(), out->empty() ? " with no results" : "",
          "; see its messages above"));
    }
    absl::StatusOr<std::vector<CaseOutcome>> outcomes = ParseJsonOutcomes(*out);
    if (!outcomes.ok()) {
      return absl::InternalError(absl::StrCat(
          "the run inside gVisor printed unreadable results: ",
          outcomes.status().message()));
    }
    run.outcomes = std::move(*outcomes);
    return run;
  }

  absl::StatusOr<std::string> RunSockspec(const std::vector<std::string>& args) override {
    if (runsc_.empty()) {
      if (absl::Status s = CheckPrerequisites(); !s.ok()) return s;
    }
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return ErrnoStatus("readlink(/proc/self/exe)", errno);
    self[len] = '\0';
    ExitStatus status;
    absl::StatusOr<std::string> out = CaptureRunscDo(GvisorCommand(runsc_, self, args), status);
    if (!out.ok()) return out.status();
    if (status.signaled || status.code > 1) {
      return absl::InternalError(absl::StrCat("sockspec inside gVisor (", runsc_, " ... do ",
                                              self, ") ", status.ToString(),
                                              "; see its messages above"));
    }
    return out;
  }

 private:
  std::string runsc_, version_;
};

}  // namespace

std::unique_ptr<Guest> MakeGvisorGuest() { return std::make_unique<GvisorGuest>(); }

}  // namespace sockspec
