#include "harness/os/interrupt_cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace sockspec {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr int kNumSignals = sizeof kSignals / sizeof kSignals[0];

// Written only outside the handler; `*_owner` says which process made the
// registration (0: none), so a forked child ignores its parent's.
constexpr int kMaxChildren = 64;
volatile pid_t g_children[kMaxChildren];
volatile pid_t g_children_owner[kMaxChildren];
bool g_installed[kNumSignals];  // by index into kSignals
constexpr int kMaxDirs = 8;
constexpr int kTreeDepth = 8;
char g_dirs[kMaxDirs][PATH_MAX];
volatile pid_t g_dirs_owner[kMaxDirs];

// Only async-signal-safe calls from here on.

// Removes `name` (relative to `at`) and, for a directory, everything below
// it, to `depth` levels (guests' trees are shallow; 4 KiB of stack a level).
// Entries are read again after each pass that removed some, so none is
// missed where removing shifts a directory's offsets. Returns whether `name`
// is gone.
bool RemoveAt(int at, const char* name, int depth) {
  if (unlinkat(at, name, 0) == 0 || errno == ENOENT) return true;
  if (depth == 0) return false;
  const int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buf[4096];
    for (bool removed = true; removed;) {
      removed = false;
      if (lseek(fd, 0, SEEK_SET) != 0) break;
      long n;
      while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
          struct Entry {
            ino64_t ino;
            off64_t off;
            unsigned short reclen;
            unsigned char type;
            char name[1];
          };
          const Entry* e = reinterpret_cast<const Entry*>(buf + off);
          if (strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0) {
            if (RemoveAt(fd, e->name, depth - 1)) removed = true;
          }
          off += e->reclen;
        }
      }
    }
    close(fd);
  }
  return unlinkat(at, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

void Reap(pid_t pid) {
  // Each worker removes its own directory and dies of the signal; one that
  // has not after two seconds is killed (PR_SET_PDEATHSIG would anyway).
  for (int waited_ms = 0;; waited_ms += 10) {
    const pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    if (waited_ms >= 2000) {
      if (kill(-pid, SIGKILL) != 0) kill(pid, SIGKILL);
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
      return;
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

void OnInterrupt(int sig) {
  const int saved = errno;
  const pid_t self = getpid();
  for (int k = 0; k < kMaxChildren; ++k) {
    // Its process group: a guest's own children (a wrapper's command) too.
    if (g_children_owner[k] == self && g_children[k] > 0 && kill(-g_children[k], sig) != 0) {
      kill(g_children[k], sig);
    }
  }
  for (int k = 0; k < kMaxChildren; ++k) {
    if (g_children_owner[k] == self && g_children[k] > 0) Reap(g_children[k]);
  }
  for (int k = 0; k < kMaxDirs; ++k) {
    if (g_dirs_owner[k] == self) RemoveAt(AT_FDCWD, g_dirs[k], kTreeDepth);
  }
  // Die of `sig` as without the handler: default action, then unblock it
  // (blocked while this handler runs) with it pending.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, nullptr);
  raise(sig);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  errno = saved;  // not reached
}

}  // namespace

void InstallInterruptCleanup() {
  for (int k = 0; k < kNumSignals; ++k) {
    struct sigaction old = {};
    if (sigaction(kSignals[k], nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction sa = {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    for (int other : kSignals) sigaddset(&sa.sa_mask, other);  // one at a time
    g_installed[k] = sigaction(kSignals[k], &sa, nullptr) == 0;
  }
}

void ResetInterruptSignals() {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int k = 0; k < kNumSignals; ++k) {
    if (g_installed[k]) sigaction(kSignals[k], &dfl, nullptr);
  }
}

void RemoveOnInterrupt(const std::string& dir) {
  if (dir.size() >= PATH_MAX) return;
  const pid_t self = getpid();
  for (int k = 0; k < kMaxDirs; ++k) {
    if (g_dirs_owner[k] != self) {
      g_dirs_owner[k] = 0;
      memcpy(g_dirs[k], dir.c_str(), dir.size() + 1);
      g_dirs_owner[k] = self;
      return;
    }
  }
}

void ForgetRemoveOnInterrupt(const std::string& dir) {
  const pid_t self = getpid();
  for (int k = 0; k < kMaxDirs; ++k) {
    if (g_dirs_owner[k] == self && dir == g_dirs[k]) g_dirs_owner[k] = 0;
  }
}

void ForwardInterruptTo(pid_t child) {
  const pid_t self = getpid();
  for (int k = 0; k < kMaxChildren; ++k) {
    if (g_children_owner[k] != self || g_children[k] <= 0) {
      g_children_owner[k] = 0;
      g_children[k] = child;
      g_children_owner[k] = self;
      return;
    }
  }
}

void ForgetForwardInterrupt(pid_t child) {
  const pid_t self = getpid();
  for (int k = 0; k < kMaxChildren; ++k) {
    if (g_children_owner[k] == self && g_children[k] == child) g_children_owner[k] = 0;
  }
}

}  // namespace sockspec
