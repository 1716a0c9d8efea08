// Calls about the process rather than one socket: pipe (a non-socket fd, for
// ENOTSOCK) and drop_privileges (an unprivileged peer, for the EPERM of a
// forged SCM_CREDENTIALS).
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "harness/os/fd.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace internal {
namespace {

// nobody / nogroup: the ids every Linux distribution leaves unprivileged.
constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

Observation Pipe(const Op& op, SyscallEnv& env) {
  int ends[2];
  if (pipe2(ends, static_cast<int>(IntArg(op, 0))) != 0) return Errno(errno);
  Observation o;
  BindResult(op, 0, ends[0], env, o);
  BindResult(op, 1, ends[1], env, o);
  return o;
}

// All three capability sets of this process, or an error. glibc has no
// wrapper; the raw call takes version 3's two 32-bit halves.
bool CapGet(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &header, data) == 0;
}

Observation Failed(const char* call, int err) {
  return HarnessError(
      absl::StrCat("drop_privileges: ", call, ": ", ErrnoName(err)));
}

// sysctl("net/core/somaxconn") or ("net.core.somaxconn"): the integer in
// /proc/sys/<name>, read by the process that runs the step (inside a guest,
// the guest's value).
Observation Sysctl(const Op& op, SyscallEnv&) {
  std::string path = "/proc/sys/" + op.data;
  for (size_t i = 10; i < path.size(); ++i) {
    if (path[i] == '.') path[i] = '/';
  }
  FILE* f = fopen(path.c_str(), "re");
  if (f == nullptr) return Errno(errno);
  long long v = 0;
  const bool ok = fscanf(f, "%lld", &v) == 1;
  fclose(f);
  if (!ok) return HarnessError(absl::StrCat(path, " does not start with a number"));
  Observation o;
  o.ret = 0;
  o.value = v;
  return o;
}

// creat(path("f")): a regular file in the case's private directory, the fd
// open for writing; a non-socket fd whose path a socket call may also name.
Observation Creat(const Op& op, SyscallEnv& env) {
  absl::StatusOr<SockAddr> a = ResolveAddress(op.addr, env.bound, env.abstract_prefix);
  if (!a.ok() || op.addr.kind != AddressSpec::Kind::kPath) {
    return HarnessError("creat takes path(\"name\")");
  }
  const int fd = open(op.addr.name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(errno);
  Observation o;
  BindResult(op, 0, fd, env, o);
  return o;
}

// Whether `id` has a mapping in this process's user namespace: the first
// column of /proc/self/uid_map or gid_map, "inside first, outside first,
// count" per line. Bazel's sandbox maps only 0.
bool Mapped(const char* map_path, uint32_t id) {
  FILE* f = fopen(map_path, "re");
  if (f == nullptr) return false;
  bool found = false;
  unsigned long inside, outside, count;
  while (!found && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
    found = id >= inside && id - inside < count;
  }
  fclose(f);
  return found;
}

Observation DropPrivileges(const Op& op, SyscallEnv& env) {
  (void)op;
  if (env.harness_pid == getpid()) {
    // The harness must stay able to clean up the private directory.
    return HarnessError("drop_privileges() is for peers, not the harness");
  }
  uid_t ruid, euid, suid;
  getresuid(&ruid, &euid, &suid);
  if ((ruid == 0 || euid == 0 || suid == 0) &&
      Mapped("/proc/self/uid_map", kNobody) &&
      Mapped("/proc/self/gid_map", kNogroup)) {
    // Groups first: after setresuid the process may no longer change them.
    // A user namespace may deny setgroups (/proc/self/setgroups); groups
    // carry no capability, so the drop goes on without it.
    if (setgroups(0, nullptr) != 0 && errno != EPERM) {
      return Failed("setgroups(0)", errno);
    }
    if (setresgid(kNogroup, kNogroup, kNogroup) != 0) {
      return Failed("setresgid(65534)", errno);
    }
    // From root to non-root with every uid changed, the kernel clears the
    // permitted and effective capabilities (capabilities(7)).
    if (setresuid(kNobody, kNobody, kNobody) != 0) {
      return Failed("setresuid(65534)", errno);
    }
  }
  // A process that never was root may still hold capabilities (file or
  // ambient ones): clear them all. Dropping is always allowed.
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2] = {};
  if (syscall(SYS_capset, &header, none) != 0) return Failed("capset", errno);
  // Changing credentials made the process non-dumpable, which gives its
  // /proc/self to root; make it its own again (the leak check reads it).
  prctl(PR_SET_DUMPABLE, 1);
  __user_cap_data_struct now[2] = {};
  if (!CapGet(now)) return Failed("capget", errno);
  if (now[0].effective || now[1].effective || now[0].permitted ||
      now[1].permitted) {
    return HarnessError("drop_privileges: capabilities remain after capset");
  }
  Observation o;
  // The coordinator learns the peer's new uid and gid from this: `cred(A)`
  // expectations after the drop name them.
  o.cred = Cred{getpid(), getuid(), getgid()};
  return o;
}

}  // namespace

void RegisterProcCalls(Handler* t) {
  t[static_cast<int>(Call::kPipe)] = Pipe;
  t[static_cast<int>(Call::kDropPrivileges)] = DropPrivileges;
  t[static_cast<int>(Call::kSysctl)] = Sysctl;
  t[static_cast<int>(Call::kCreat)] = Creat;
}

}  // namespace internal
}  // namespace sockspec
