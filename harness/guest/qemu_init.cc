#include "harness/guest/qemu_init.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/result/outcome_json.h"

namespace sockspec {
namespace {

// The result port, opened on first use; -1 when it cannot be opened (the
// host then sees no results and names that).
int ResultPort() {
  static int fd = [] {
    int f = open(kQemuResultPort, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (f >= 0) {
      struct termios t;
      if (tcgetattr(f, &t) == 0) {
        cfmakeraw(&t);  // no "\n" -> "\r\n", no echo
        tcsetattr(f, TCSANOW, &t);
      }
    }
    return f;
  }();
  return fd;
}

void SendLine(const nlohmann::ordered_json& j) {
  std::string line =
      j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  int fd = ResultPort();
  for (size_t off = 0; fd >= 0 && off < line.size();) {
    ssize_t n = write(fd, line.data() + off, line.size() - off);
    if (n > 0) {
      off += n;
    } else if (n < 0 && errno != EINTR) {
      break;
    }
  }
}

void Say(const std::string& text) {
  std::string line = "sockspec-init: " + text + "\n";
  (void)!write(STDERR_FILENO, line.data(), line.size());
}

void Mount(const char* source, const char* target, const char* type,
           const char* data) {
  mkdir(target, 0755);
  if (mount(source, target, type, 0, data) != 0 && errno != EBUSY) {
    Say(std::string("mount ") + type + " on " + target + ": " + strerror(errno));
  }
}

void LoopbackUp() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    Say(std::string("socket(AF_INET): ") + strerror(errno));
    return;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
      Say(std::string("ioctl(SIOCSIFFLAGS, lo): ") + strerror(errno));
    }
  }
  close(s);
}

std::vector<std::string> ReadArgs() {
  std::ifstream in(kQemuArgsFile, std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

}  // namespace

bool IsQemuInit() { return getpid() == 1 && access(kQemuArgsFile, R_OK) == 0; }

// The kernel command line's sockspec.NAME=N, or -1.
int CmdlineNumber(const std::string& name) {
  std::ifstream in("/proc/cmdline");
  std::string word;
  const std::string key = "sockspec." + name + "=";
  while (in >> word) {
    if (word.compare(0, key.size(), key) == 0) return atoi(word.c_str() + key.size());
  }
  return -1;
}

void QemuTestHooks(int answered) {
  static const int panic_after = CmdlineNumber("test_panic_after");
  static const int hang_after = CmdlineNumber("test_hang_after");
  if (answered == panic_after) {
    int fd = open("/proc/sysrq-trigger", O_WRONLY);
    if (fd >= 0) (void)!write(fd, "c", 1);
  }
  if (answered == hang_after) {
    while (true) pause();
  }
}

void SendQemuResult(const CaseOutcome& o) {
  SendLine(OutcomeJson(o));
  // For the tests of the host's error paths (qemu_e2e_test).
  static int sent = 0;
  QemuTestHooks(++sent);
}

int OpenQemuServerPort() {
  int fd = open(kQemuResultPort, O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct termios t;
  if (fd < 0 || tcgetattr(fd, &t) != 0) {
    Say(std::string("open/tcgetattr(") + kQemuResultPort + "): " + strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  cfmakeraw(&t);
  // The UART's receive timeout is four characters long: at 9600 baud (the
  // default) every short frame would wait 4 ms in the guest's FIFO.
  cfsetspeed(&t, B115200);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(fd, TCSANOW, &t) != 0) {
    Say(std::string("tcsetattr(") + kQemuResultPort + "): " + strerror(errno));
    close(fd);
    return -1;
  }
  const std::string banner = kQemuServerBanner;
  for (size_t off = 0; off < banner.size();) {
    const ssize_t n = write(fd, banner.data() + off, banner.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Say(std::string("write(") + kQemuResultPort + "): " + strerror(errno));
      close(fd);
      return -1;
    }
    off += static_cast<size_t>(n);
  }
  return fd;
}

int RunQemuInit(const std::function<int(const std::vector<std::string>&)>& run) {
  Mount("proc", "/proc", "proc", nullptr);
  Mount("sysfs", "/sys", "sysfs", nullptr);
  Mount("devtmpfs", "/dev", "devtmpfs", nullptr);
  Mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
  LoopbackUp();
  // The kernel starts init with 1024 files; the backlog cases need more than
  // somaxconn (4096) at once.
  struct rlimit files = {65536, 65536};
  if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
    Say(std::string("setrlimit(RLIMIT_NOFILE): ") + strerror(errno));
  }
  setenv("TMPDIR", "/tmp", 1);
  setenv("PATH", "/", 1);
  struct utsname u;
  uname(&u);
  SendLine({{"sockspec", "started"}, {"release", u.release}});

  const std::vector<std::string> args = ReadArgs();
  int code = 2;
  pid_t worker = fork();
  if (worker == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDOUT_FILENO);
    if (chdir("/") != 0) _exit(2);
    fflush(stderr);
    _exit(run(args));
  }
  if (worker < 0) {
    Say(std::string("fork: ") + strerror(errno));
  } else {
    // pid 1 reaps every orphan; the worker's end is the run's end.
    while (true) {
      int status;
      pid_t pid = wait(&status);
      if (pid < 0 && errno == EINTR) continue;
      if (pid < 0) break;
      if (pid == worker) {
        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
    }
  }
  kill(-1, SIGKILL);
  while (wait(nullptr) > 0 || errno == EINTR) {
  }
  SendLine({{"sockspec", "done"}, {"exit", code}});
  if (int fd = ResultPort(); fd >= 0) tcdrain(fd);
  sync();
  reboot(RB_POWER_OFF);
  Say(std::string("reboot(RB_POWER_OFF): ") + strerror(errno));
  return code;
}

}  // namespace sockspec
