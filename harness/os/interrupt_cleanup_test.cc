#include "harness/os/interrupt_cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/os/scratch_dir.h"

namespace sockspec {
namespace {

std::string Root() {
  const char* t = getenv("TEST_TMPDIR");
  return t != nullptr && *t ? t : "/tmp";
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// In a child: files, a socket file and directories three levels down: what a guest's
// working directory holds (runsc's runsc-do*/ with its lock and state).
bool Populate(const std::string& dir) {
  if (mkdir((dir + "/a").c_str(), 0700) != 0) return false;
  if (mkdir((dir + "/a/b").c_str(), 0700) != 0) return false;
  if (mkdir((dir + "/a/b/c").c_str(), 0700) != 0) return false;
  for (const std::string& f : {dir + "/config.json", dir + "/a/b/c/state"}) {
    const int fd = open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, "x", 1) != 1) return false;
    close(fd);
  }
  // Bound by a relative name: Bazel's temporary root is too long for
  // sun_path. The child's working directory is of no other use.
  if (chdir((dir + "/a").c_str()) != 0) return false;
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, "srv", 3);
  const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool bound = s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (s >= 0) close(s);
  return bound;
}

// A child that has the interrupt cleanup installed and a scratch directory
// (under the test's root), reported on a pipe once `body` returned true; the
// child then waits for a signal. `dir` is "" if the child failed first.
struct Reported {
  std::optional<Child> child;
  std::string dir;
};

Reported StartAndReport(bool (*body)(const std::string& dir)) {
  Reported r;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return r;
  UniqueFd rd(fds[0]), wr(fds[1]);
  const std::string root = Root();
  absl::StatusOr<Child> child = Child::Spawn([&] {
    // A signal this test was started ignoring (a shell's background job
    // ignores SIGINT, nohup SIGHUP) would stay ignored: not here.
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    InstallInterruptCleanup();
    setenv("TMPDIR", root.c_str(), 1);
    absl::StatusOr<std::string> dir = MakeScratchDir("interrupt_cleanup_test");
    if (!dir.ok() || !Populate(*dir) || !body(*dir)) return 3;
    const std::string line = *dir + "\n";
    if (write(wr.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 4;
    for (;;) pause();
  });
  if (!child.ok()) return r;
  wr.reset();
  char c;
  while (read(rd.get(), &c, 1) == 1 && c != '\n') r.dir.push_back(c);
  r.child.emplace(*std::move(child));
  return r;
}

TEST(InterruptCleanup, RemovesARegisteredTreeWithEverythingInIt) {
  Reported r = StartAndReport([](const std::string&) { return true; });
  const std::string& dir = r.dir;
  std::optional<Child>& child = r.child;
  ASSERT_FALSE(dir.empty()) << "the child failed before reporting";
  ASSERT_TRUE(Exists(dir + "/a/b/c/state"));
  ASSERT_TRUE(Exists(dir + "/a/srv"));
  ASSERT_EQ(kill(child->pid(), SIGTERM), 0);
  absl::StatusOr<ExitStatus> status = child->Wait();
  ASSERT_TRUE(status.ok());
  // It died of the signal, as without a handler.
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_FALSE(Exists(dir)) << dir << " is left";
}

TEST(InterruptCleanup, LeavesATreeWhoseRegistrationWasForgotten) {
  Reported r = StartAndReport([](const std::string& d) {
    ForgetRemoveOnInterrupt(d);
    return true;
  });
  const std::string& dir = r.dir;
  std::optional<Child>& child = r.child;
  ASSERT_FALSE(dir.empty()) << "the child failed before reporting";
  ASSERT_EQ(kill(child->pid(), SIGINT), 0);
  absl::StatusOr<ExitStatus> status = child->Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGINT);
  EXPECT_TRUE(Exists(dir + "/a/b/c/state"));
  RemoveScratchDir(dir);
  EXPECT_FALSE(Exists(dir));
}

// A child of the interrupted process that forwards interrupts (a guest: runsc,
// qemu) gets the signal: here it leaves a mark outside the tree as it dies.
TEST(InterruptCleanup, PassesTheSignalToAForwardedChild) {
  const std::string mark = Root() + "/forwarded-child-got-sigterm";
  unlink(mark.c_str());
  setenv("INTERRUPT_CLEANUP_TEST_MARK", mark.c_str(), 1);
  Reported r = StartAndReport([](const std::string&) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return false;
    absl::StatusOr<Child> guest = Child::Spawn([&] {
      struct sigaction sa = {};
      sa.sa_handler = [](int) {
        const int fd = open(getenv("INTERRUPT_CLEANUP_TEST_MARK"),
                            O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) close(fd);
        _exit(0);
      };
      sigaction(SIGTERM, &sa, nullptr);
      if (write(ready[1], "r", 1) != 1) return 5;
      for (;;) pause();
    });
    if (!guest.ok()) return false;
    guest->ForwardInterrupts();
    close(ready[1]);
    char c;
    const bool up = read(ready[0], &c, 1) == 1;
    close(ready[0]);
    // Still running (and registered) when the signal comes.
    static std::optional<Child> kept;
    kept.emplace(*std::move(guest));
    return up;
  });
  const std::string& dir = r.dir;
  std::optional<Child>& child = r.child;
  ASSERT_FALSE(dir.empty()) << "the child failed before reporting";
  ASSERT_EQ(kill(child->pid(), SIGTERM), 0);
  absl::StatusOr<ExitStatus> status = child->Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->signaled);
  EXPECT_TRUE(Exists(mark)) << "the forwarded child did not get SIGTERM";
  EXPECT_FALSE(Exists(dir)) << dir << " is left";
  unlink(mark.c_str());
}

}  // namespace
}  // namespace sockspec
