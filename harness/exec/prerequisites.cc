#include "harness/exec/prerequisites.h"

#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "harness/os/fd.h"
#include "harness/os/kernel_version.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace {

std::string ErrnoText(int err) {
  std::string_view name = SymbolName(SymbolKind::kErrno, err);
  return name.empty() ? absl::StrCat("errno ", err) : std::string(name);
}

std::optional<std::string> NoIpv6() {
  UniqueFd fd(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return absl::StrCat("socket(AF_INET6, SOCK_STREAM) failed ",
                        ErrnoText(errno));
  }
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return absl::StrCat("bind(::1) failed ", ErrnoText(errno));
  }
  return std::nullopt;
}

std::optional<std::string> NoCapability(int cap) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) {
    return absl::StrCat("capget() failed ", ErrnoText(errno));
  }
  if (cap < 0 || cap >= 64 ||
      (data[cap / 32].effective & (1u << (cap % 32))) == 0) {
    return std::string("not in the effective capability set");
  }
  return std::nullopt;
}

bool Compare(const KernelVersion& running, const std::string& op,
             const KernelVersion& want) {
  if (op == "<") return running < want;
  if (op == "<=") return running <= want;
  if (op == ">") return running > want;
  if (op == "=") return running == want;
  return running >= want;
}

}  // namespace

std::optional<std::string> Unmet(const Requirement& r) {
  switch (r.kind) {
    case Requirement::Kind::kIpv6:
      return NoIpv6();
    case Requirement::Kind::kRoot:
      if (geteuid() == 0) return std::nullopt;
      return absl::StrCat("running as uid ", geteuid());
    case Requirement::Kind::kCapability:
      return NoCapability(static_cast<int>(r.value));
    case Requirement::Kind::kNofile: {
      rlimit lim{};
      if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        return absl::StrCat("getrlimit(RLIMIT_NOFILE) failed ", ErrnoText(errno));
      }
      if (lim.rlim_cur != RLIM_INFINITY &&
          lim.rlim_cur < static_cast<rlim_t>(r.value)) {
        return absl::StrCat("the open-file limit is ", lim.rlim_cur,
                            " (hard ", lim.rlim_max == RLIM_INFINITY
                                           ? std::string("unlimited")
                                           : absl::StrCat(lim.rlim_max),
                            ")");
      }
      return std::nullopt;
    }
    case Requirement::Kind::kKernel: {
      absl::StatusOr<KernelVersion> running = RunningKernelVersion();
      absl::StatusOr<KernelVersion> want = ParseKernelVersion(r.version);
      if (!running.ok()) return std::string(running.status().message());
      if (!want.ok()) return std::string(want.status().message());
      if (Compare(*running, r.op, *want)) return std::nullopt;
      return absl::StrCat("running ", KernelVersionText(*running));
    }
  }
  return std::string("unknown requirement");
}

std::optional<std::string> UnmetPrerequisite(const Plan& plan) {
  for (const Requirement& r : plan.requirements) {
    if (std::optional<std::string> why = Unmet(r)) {
      return absl::StrCat(r.loc.path, ":", r.loc.line, ": requires ", r.text,
                          ": ", *why);
    }
  }
  return std::nullopt;
}

long RaiseNofileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
  if (lim.rlim_cur != lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return static_cast<long>(lim.rlim_cur);
}

}  // namespace sockspec
