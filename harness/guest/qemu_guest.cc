#include "harness/guest/qemu_guest.h"

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "harness/guest/qemu_boot.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/os/scratch_dir.h"

namespace sockspec {
namespace {

using Clock = std::chrono::steady_clock;

bool KvmOpens() {
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  close(fd);
  return true;
}

// One boot: how it ended and what it reported.
struct Boot {
  ResultStream stream;
  std::string console, qemu_log, failure;  // failure: "" when it finished
  double boot_seconds = 0;  // qemu's start to init's first line
};

class QemuGuest : public Guest {
 public:
  QemuGuest(std::string kernel, GuestOptions options)
      : kernel_(std::move(kernel)), options_(std::move(options)) {}
  ~QemuGuest() override {
    if (!workdir_.empty()) RemoveScratchDir(workdir_);
  }

  std::string System() const override {
    return release_.empty() ? "linux" : QemuSystemName(release_);
  }
  std::string Platform() const override { return "linux"; }

  absl::Status CheckPrerequisites() override {
    if (kernel_.empty()) {
      return absl::InvalidArgumentError(
          "qemu needs a kernel: --under=qemu:PATH (a bzImage/vmlinuz or a "
          "linux-image-*.deb; bash ci/kernel.sh 6.1 fetches one)");
    }
    qemu_ = FindQemu(options_.qemu);
    if (qemu_.empty() || access(qemu_.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(
          "qemu-system-x86_64 not found (install Debian's qemu-system-x86, or "
          "pass --qemu=PATH)");
    }
    absl::StatusOr<std::string> init = StaticSockspec();
    if (!init.ok()) return init.status();
    init_ = *init;
    if (workdir_.empty()) {
      absl::StatusOr<std::string> dir = MakeScratchDir("sockspec-qemu");
      if (!dir.ok()) return dir.status();
      workdir_ = *dir;
    }
    absl::StatusOr<std::string> image = KernelImage(kernel_, workdir_);
    if (!image.ok()) return image.status();
    image_ = *image;
    absl::StatusOr<std::string> release = BzImageRelease(image_);
    if (!release.ok()) return release.status();
    release_ = *release;
    return absl::OkStatus();
  }

  static constexpr double kDeadlineScale = 10;

  absl::StatusOr<GuestRun> Run(const std::vector<std::string>& files,
                               const RunConfig& config) override {
    if (image_.empty()) {
      if (absl::Status s = CheckPrerequisites(); !s.ok()) return s;
    }
    const auto start = Clock::now();
    // Emulated (TCG) guests run calls about ten times slower than the host
    // (TOOLCHAIN.md). Certain hangs are still seen at once inside the guest
    // (it has /proc/PID/syscall); the deadlines are backstops: scaled, never
    // tight. The scale is fixed before the accelerator is known.
    RunConfig inner = config;
    inner.exec.deadline_scale = std::max(inner.exec.deadline_scale, kDeadlineScale);
    absl::StatusOr<std::string> initramfs =
        BuildInitramfs(init_, files, InnerRunArguments("qemu", files, inner));
    if (!initramfs.ok()) return initramfs.status();
    const std::string initrd = workdir_ + "/initramfs.cpio";
    if (!(std::ofstream(initrd, std::ios::binary) << *initramfs)) {
      return ErrnoStatus(("write(" + initrd + ")").c_str(), errno);
    }
    const int instances =
        static_cast<int>(ListCases(files, config).size());  // repeats included
    const int run_s = options_.run_timeout_s > 0 ? options_.run_timeout_s
                                                 : 120 + 2 * instances;
    std::vector<std::string> accels;
    if (options_.accel == "kvm" || options_.accel == "tcg") {
      accels = {options_.accel};
    } else if (KvmOpens()) {
      accels = {"kvm", "tcg"};  // KVM can stall here after SeaBIOS: fall back
    } else {
      accels = {"tcg"};
    }
    Boot boot;
    for (size_t i = 0; i < accels.size(); ++i) {
      const bool last = i + 1 == accels.size();
      int boot_s = options_.boot_timeout_s > 0 ? options_.boot_timeout_s
                   : last                      ? 60
                                               : 20;
      absl::StatusOr<Boot> b = BootOnce(initrd, accels[i], boot_s, run_s, instances);
      if (!b.ok()) return b.status();
      boot = std::move(*b);
      accel_ = accels[i];
      if (boot.stream.started || last) break;
      fprintf(stderr, "sockspec: %s: %s; trying %s\n", System().c_str(),
              boot.failure.c_str(), accels[i + 1].c_str());
    }
    GuestRun run;
    run.version = absl::StrCat(
        "Linux ", release_, " under qemu (", accel_, ", ", options_.cpus > 0 ? options_.cpus : 1,
        " vCPU",
        boot.stream.started ? absl::StrFormat(", init after %.1f s", boot.boot_seconds) : "",
        ")");
    run.outcomes = std::move(boot.stream.outcomes);
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!boot.failure.empty()) {
      run.error = absl::StrCat(System(), ": ", boot.failure, " (", run.outcomes.size(),
                               " of ", instances,
                               " results kept); console tail:\n",
                               ConsoleTail(boot.console, 12));
    }
    return run;
  }

 private:
  absl::StatusOr<Boot> BootOnce(const std::string& initrd, const std::string& accel,
                                int boot_s, int run_s, int instances) {
    QemuSettings s;
    s.qemu = qemu_;
    s.kernel = image_;
    s.initrd = initrd;
    s.console_file = workdir_ + "/console.log";
    s.results_file = workdir_ + "/results.jsonl";
    s.accel = accel;
    s.append = options_.append;
    if (options_.memory_mb > 0) s.memory_mb = options_.memory_mb;
    if (options_.cpus > 0) s.cpus = options_.cpus;
    std::vector<std::string> argv = QemuCommand(s);
    const std::string log = workdir_ + "/qemu.log";
    for (const std::string& f : {s.console_file, s.results_file, log}) unlink(f.c_str());
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    absl::StatusOr<Child> qemu = Child::Spawn([&] {
      int in = open("/dev/null", O_RDONLY);
      int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0) return 127;
      dup2(in, STDIN_FILENO);
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
      execv(args[0], args.data());
      return 127;
    });
    if (!qemu.ok()) return qemu.status();
    qemu->ForwardInterrupts();
    Boot b;
    std::string results;
    size_t consumed = 0;
    const auto begin = Clock::now();
    auto started_at = begin;
    std::optional<ExitStatus> ended;
    std::optional<Clock::time_point> done_at;
    while (true) {
      ReadMore(s.results_file, results);
      const bool was_started = b.stream.started;
      ReadResultLines(results, consumed, b.stream);
      if (!was_started && b.stream.started) {
        started_at = Clock::now();
        b.boot_seconds = std::chrono::duration<double>(started_at - begin).count();
      }
      absl::StatusOr<std::optional<ExitStatus>> polled = qemu->Poll();
      if (!polled.ok()) return polled.status();
      if (polled->has_value()) {
        ended = **polled;
        break;
      }
      const auto now = Clock::now();
      if (b.stream.done) {
        // init is powering off and qemu about to exit; a few seconds of grace.
        if (!done_at) done_at = now;
        if (now - *done_at > std::chrono::seconds(5)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      if (!b.stream.started && now - begin > std::chrono::seconds(boot_s)) {
        b.failure = absl::StrCat("the kernel did not start init within ", boot_s,
                                 " s under ", accel);
        break;
      }
      if (b.stream.started && !b.stream.done &&
          now - started_at > std::chrono::seconds(run_s)) {
        b.failure = absl::StrCat("the guest did not finish within ", run_s, " s (",
                                 b.stream.outcomes.size(), " of ", instances,
                                 " instances reported)");
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ReadMore(s.results_file, results);
    ReadResultLines(results, consumed, b.stream);
    ReadMore(s.console_file, b.console);
    ReadMore(log, b.qemu_log);
    if (b.stream.done) {
      b.failure.clear();
      if (static_cast<int>(b.stream.outcomes.size()) < instances) {
        // The inner run itself gave up (a bad argument, a crash): its
        // messages are on the console.
        b.failure = absl::StrCat("the run inside the guest ended with exit code ",
                                 b.stream.exit_code, " after ", b.stream.outcomes.size(),
                                 " of ", instances, " instances");
      }
      return b;
    }
    const std::string crash = ConsoleFailure(b.console);
    if (!crash.empty()) {
      b.failure = absl::StrCat(b.stream.started ? "kernel failure while running: "
                                                : "kernel failure while booting: ",
                               crash);
    } else if (b.failure.empty()) {
      b.failure = absl::StrCat(
          "qemu ", ended ? ended->ToString() : "stopped",
          b.stream.started ? " before the guest reported its end"
                           : " before the guest's init started",
          b.qemu_log.empty() ? "" : absl::StrCat(" (qemu: ", ConsoleTail(b.qemu_log, 3), ")"));
    }
    return b;
  }

  std::string kernel_;
  GuestOptions options_;
  std::string qemu_, init_, workdir_, image_, release_, accel_ = "tcg";
};

}  // namespace

std::unique_ptr<Guest> MakeQemuGuest(const std::string& kernel,
                                     const GuestOptions& options) {
  return std::make_unique<QemuGuest>(kernel, options);
}

}  // namespace sockspec
