#include "harness/guest/command_guest.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "harness/guest/host_guest.h"
#include "harness/guest/qemu_boot.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/result/outcome_json.h"

namespace sockspec {
namespace {

using Clock = std::chrono::steady_clock;

void WriteLine(const nlohmann::ordered_json& j) {
  std::string line =
      j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  for (size_t off = 0; off < line.size();) {
    ssize_t n = write(STDOUT_FILENO, line.data() + off, line.size() - off);
    if (n > 0) {
      off += n;
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
}

class CommandGuest : public Guest {
 public:
  CommandGuest(std::string command, GuestOptions options)
      : command_(std::move(command)), options_(std::move(options)),
        platform_(DetectHostPlatform()) {}

  std::string System() const override {
    if (release_.empty()) return absl::StrCat("command (", command_, ")");
    return absl::StrCat(HostSystemName(platform_, release_), " (", command_, ")");
  }
  std::string Platform() const override { return platform_; }

  absl::Status CheckPrerequisites() override {
    if (command_.empty()) {
      return absl::InvalidArgumentError(
          "command needs a wrapper: --under=command:'unshare -n'");
    }
    absl::StatusOr<std::string> binary = StaticSockspec();
    if (!binary.ok()) return binary.status();
    binary_ = *binary;
    return absl::OkStatus();
  }

  absl::StatusOr<GuestRun> Run(const std::vector<std::string>& files,
                               const RunConfig& config) override {
    if (binary_.empty()) {
      if (absl::Status s = CheckPrerequisites(); !s.ok()) return s;
    }
    const int instances = static_cast<int>(ListCases(files, config).size());  // repeats included
    const int run_s = options_.run_timeout_s > 0 ? options_.run_timeout_s : 120 + 2 * instances;
    std::vector<std::string> argv =
        WrapperCommand(command_, binary_, InnerRunArguments("command", files, config));
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2()", errno);
    UniqueFd rd(fds[0]), wr(fds[1]);
    const auto start = Clock::now();
    absl::StatusOr<Child> child = Child::Spawn([&] {
      dup2(wr.get(), STDOUT_FILENO);
      execv(args[0], args.data());
      return 127;
    });
    if (!child.ok()) return child.status();
    child->ForwardInterrupts();
    wr.reset();
    ResultStream stream;
    std::string text;
    size_t consumed = 0;
    std::string failure;
    while (true) {
      const auto left = std::chrono::seconds(run_s) - (Clock::now() - start);
      const int ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
      if (ms <= 0) {
        failure = absl::StrCat("the command did not finish within ", run_s, " s (",
                               stream.outcomes.size(), " of ", instances,
                               " instances reported)");
        break;
      }
      struct pollfd p = {rd.get(), POLLIN, 0};
      int n = poll(&p, 1, ms);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) continue;
      char buf[65536];
      ssize_t got = read(rd.get(), buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      text.append(buf, got);
      ReadResultLines(text, consumed, stream);
    }
    if (!failure.empty()) child->Signal(SIGKILL);
    absl::StatusOr<ExitStatus> status = child->Wait();
    release_ = stream.release;
    GuestRun run;
    run.version = absl::StrCat("Linux ", release_, " through `", command_, "`");
    run.outcomes = std::move(stream.outcomes);
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (failure.empty() && status.ok() && (status->signaled || status->code > 2)) {
      failure = absl::StrCat("`", command_, " ", binary_, " ...` ", status->ToString(),
                             "; see its messages above");
    }
    if (failure.empty() && static_cast<int>(run.outcomes.size()) < instances) {
      failure = absl::StrCat("the command ended after ", run.outcomes.size(), " of ",
                             instances, " instances");
    }
    if (!failure.empty()) {
      run.error = absl::StrCat(System(), ": ", failure, " (", run.outcomes.size(),
                               " of ", instances, " results kept)");
    }
    return run;
  }

 private:
  std::string command_;
  GuestOptions options_;
  std::string platform_, binary_, release_;
};

}  // namespace

std::vector<std::string> WrapperCommand(const std::string& command,
                                        const std::string& binary,
                                        const std::vector<std::string>& inner_args) {
  std::vector<std::string> argv = {"/bin/sh", "-c", command + " \"$@\"", "sockspec",
                                   binary};
  argv.insert(argv.end(), inner_args.begin(), inner_args.end());
  return argv;
}

void SendCommandResult(const CaseOutcome& o) {
  static const bool announced = [] {
    struct utsname u;
    uname(&u);
    WriteLine({{"sockspec", "started"}, {"release", u.release}});
    return true;
  }();
  (void)announced;
  WriteLine(OutcomeJson(o));
}

std::unique_ptr<Guest> MakeCommandGuest(const std::string& command,
                                        const GuestOptions& options) {
  return std::make_unique<CommandGuest>(command, options);
}

}  // namespace sockspec
