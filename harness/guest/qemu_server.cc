#include "harness/guest/qemu_server.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harness/guest/qemu_boot.h"
#include "harness/guest/qemu_init.h"
#include "harness/os/scratch_dir.h"

namespace sockspec {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBootSeconds = 120;

}  // namespace

absl::StatusOr<std::unique_ptr<QemuServer>> QemuServer::Start(
    const std::string& kernel, const std::string& server,
    const std::vector<std::string>& args) {
  const std::string qemu = FindQemu("");
  if (qemu.empty() || access(qemu.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        "qemu-system-x86_64 not found (install Debian's qemu-system-x86)");
  }
  if (kernel.empty()) {
    return absl::InvalidArgumentError(
        "qemu needs a kernel: qemu:PATH (bash ci/kernel.sh 6.1 prints one)");
  }
  std::unique_ptr<QemuServer> s(new QemuServer);
  absl::StatusOr<std::string> dir = MakeScratchDir("sockspec-qemu");
  if (!dir.ok()) return dir.status();
  s->workdir_ = *dir;
  absl::StatusOr<std::string> image = KernelImage(kernel, s->workdir_);
  if (!image.ok()) return image.status();
  absl::StatusOr<std::string> release = BzImageRelease(*image);
  if (!release.ok()) return release.status();
  s->release_ = *release;
  absl::StatusOr<std::string> initramfs = BuildInitramfs(server, {}, args);
  if (!initramfs.ok()) return initramfs.status();
  QemuSettings q;
  q.qemu = qemu;
  q.kernel = *image;
  q.initrd = s->workdir_ + "/initramfs.cpio";
  q.console_file = s->console_file_ = s->workdir_ + "/console.log";
  q.results_on_stdio = true;
  if (const char* a = getenv("SOCKSPEC_QEMU_APPEND"); a != nullptr) q.append = a;
  if (!(std::ofstream(q.initrd, std::ios::binary) << *initramfs)) {
    return ErrnoStatus(("write(" + q.initrd + ")").c_str(), errno);
  }
  s->log_file_ = s->workdir_ + "/qemu.log";
  absl::StatusOr<internal::PipedChild> p =
      internal::SpawnOnPipes(QemuCommand(q), s->log_file_);
  if (!p.ok()) return p.status();
  s->qemu_.emplace(std::move(p->child));
  s->to_ = std::move(p->to);
  s->from_ = std::move(p->from);

  // init's "started" line comes first, then the server's banner; the bytes
  // before the banner are text, read one at a time.
  const std::string banner = kQemuServerBanner;
  const auto deadline = Clock::now() + std::chrono::seconds(kBootSeconds);
  std::string seen;
  while (!absl::EndsWith(seen, banner)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    struct pollfd pfd = {s->from_.get(), POLLIN, 0};
    const int r = left.count() > 0 ? poll(&pfd, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      return absl::UnavailableError(absl::StrCat(
          "the guest's server did not start within ", kBootSeconds, " s: ",
          s->Failure()));
    }
    char c;
    const ssize_t n = read(s->from_.get(), &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(absl::StrCat(
          "the guest's server did not start: ", s->Failure()));
    }
    seen.push_back(c);
  }
  return s;
}

QemuServer::~QemuServer() {
  to_.reset();
  from_.reset();
  qemu_.reset();  // kills and reaps qemu
  if (!workdir_.empty()) RemoveScratchDir(workdir_);
}

std::string QemuServer::Failure() {
  std::string console;
  ReadMore(console_file_, console);
  std::string why = ConsoleFailure(console);
  if (!why.empty()) {
    why = "kernel failure: " + why;
  } else {
    absl::StatusOr<std::optional<ExitStatus>> ended =
        qemu_.has_value() ? qemu_->Poll() : std::optional<ExitStatus>();
    std::string log;
    ReadMore(log_file_, log);
    why = ended.ok() && ended->has_value()
              ? absl::StrCat("qemu ", (*ended)->ToString())
              : std::string("the guest stopped answering (qemu still runs)");
    if (!log.empty()) absl::StrAppend(&why, " (qemu: ", ConsoleTail(log, 3), ")");
  }
  return absl::StrCat(QemuSystemName(release_), ": ", why, "; console tail:\n",
                      ConsoleTail(console, 12));
}

}  // namespace sockspec
