#include "harness/guest/server_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harness/guest/qemu_boot.h"
#include "harness/guest/qemu_server.h"
#include "harness/os/scratch_dir.h"

namespace sockspec {

absl::StatusOr<std::vector<std::string>> ServerCommand(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (under == "gvisor") {
    if (geteuid() != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "`runsc do` needs root here (uid ", geteuid(), ")"));
    }
    const char* runsc = getenv("SOCKSPEC_RUNSC");
    // The flags of GvisorCommand (gvisor_guest.cc): ptrace needs no KVM,
    // no network but loopback, cgroups ignored where they are read-only.
    argv = {runsc != nullptr && *runsc != '\0' ? runsc : "runsc",
            "--network=none", "--platform=ptrace", "--ignore-cgroups",
            "do", "-quiet", binary};
  } else if (absl::StartsWith(under, "command:") && under.size() > 8) {
    argv = {"/bin/sh", "-c", absl::StrCat(under.substr(8), " \"$@\""), "sh",
            binary};
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown guest '", under,
        "' for a server (known: gvisor, command:CMD, qemu:KERNEL)"));
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

namespace internal {

absl::StatusOr<PipedChild> SpawnOnPipes(std::vector<std::string> argv,
                                        const std::string& stderr_file,
                                        const std::string& tmpdir) {
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
  UniqueFd to_r(to[0]), to_w(to[1]);
  if (pipe2(from, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
  UniqueFd from_r(from[0]), from_w(from[1]);
  std::vector<char*> cargs;
  for (std::string& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  absl::StatusOr<Child> child = Child::Spawn([&] {
    if (!stderr_file.empty()) {
      const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err < 0) return 127;
      dup2(err, STDERR_FILENO);
    }
    if (!tmpdir.empty()) setenv("TMPDIR", tmpdir.c_str(), 1);
    dup2(to_r.get(), STDIN_FILENO);
    dup2(from_w.get(), STDOUT_FILENO);
    execvp(cargs[0], cargs.data());
    fprintf(stderr, "server: cannot run %s: %s\n", cargs[0], strerror(errno));
    return 127;
  });
  if (!child.ok()) return child.status();
  child->ForwardInterrupts();
  return PipedChild{*std::move(child), std::move(to_w), std::move(from_r)};
}

}  // namespace internal

namespace {

// A process of this machine (runsc, a wrapper) on two pipes; `scratch`, when
// not empty, is its $TMPDIR (runsc's sandbox state), removed after it.
class PipeServer : public GuestServer {
 public:
  PipeServer(Child child, UniqueFd to, UniqueFd from, std::string scratch)
      : child_(std::move(child)), to_(std::move(to)), from_(std::move(from)),
        scratch_(std::move(scratch)) {}
  // End of input ends the server; runsc then tears its sandbox down.
  ~PipeServer() override {
    to_.reset();
    (void)child_.Wait();
    if (!scratch_.empty()) RemoveScratchDir(scratch_);
  }
  int to() const override { return to_.get(); }
  int from() const override { return from_.get(); }
  std::string Failure() override { return ""; }

 private:
  Child child_;
  UniqueFd to_, from_;
  std::string scratch_;
};

absl::StatusOr<std::unique_ptr<GuestServer>> StartPipeServer(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args) {
  absl::StatusOr<std::vector<std::string>> argv =
      ServerCommand(under, binary, args);
  if (!argv.ok()) return argv.status();
  // runsc `do` keeps its sandbox's state in a runsc-do* directory under
  // $TMPDIR, which a runsc killed by a signal leaves behind: ours instead.
  std::string scratch;
  if (under == "gvisor") {
    absl::StatusOr<std::string> dir =
        MakeScratchDir("sockspec-gvisor", /*reachable_by_others=*/true);
    if (!dir.ok()) return dir.status();
    scratch = *dir;
  }
  absl::StatusOr<internal::PipedChild> p =
      internal::SpawnOnPipes(*std::move(argv), "", scratch);
  if (!p.ok()) {
    if (!scratch.empty()) RemoveScratchDir(scratch);
    return p.status();
  }
  return std::make_unique<PipeServer>(std::move(p->child), std::move(p->to),
                                      std::move(p->from), std::move(scratch));
}

}  // namespace

absl::StatusOr<std::unique_ptr<GuestServer>> StartGuestServer(
    absl::string_view under, const std::string& binary,
    const std::vector<std::string>& args) {
  if (!absl::StartsWith(under, "qemu:")) {
    return StartPipeServer(under, binary, args);
  }
  std::string server = binary;
  if (const char* env = getenv("SOCKSPEC_OPS_SERVER"); env != nullptr && *env) {
    server = env;
  }
  if (!IsStaticExecutable(server)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a kernel's /init must be a static server and ", server,
        " is not statically linked: build one with `bazel build "
        "--config=static //fuzz:ops_server` and set SOCKSPEC_OPS_SERVER to "
        "it (ci/fuzz.sh does)"));
  }
  absl::StatusOr<std::unique_ptr<QemuServer>> q =
      QemuServer::Start(std::string(under.substr(5)), server, args);
  if (!q.ok()) return q.status();
  return std::unique_ptr<GuestServer>(std::move(*q));
}

}  // namespace sockspec
