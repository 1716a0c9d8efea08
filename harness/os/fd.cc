#include "harness/os/fd.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace sockspec {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

absl::StatusOr<UniqueFd> UniqueFd::Socket(int domain, int type, int protocol) {
  int fd = socket(domain, type, protocol);
  if (fd < 0) return ErrnoStatus("socket()", errno);
  return UniqueFd(fd);
}

absl::StatusOr<std::pair<UniqueFd, UniqueFd>> UniqueFd::SocketPair(int domain,
                                                                   int type) {
  int fds[2];
  if (socketpair(domain, type, 0, fds) != 0) {
    return ErrnoStatus("socketpair()", errno);
  }
  return std::make_pair(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

absl::Status ErrnoStatus(const char* call, int err) {
  return absl::Status(absl::ErrnoToStatusCode(err),
                      absl::StrFormat("%s: %s (%s)", call, ErrnoName(err),
                                      strerror(err)));
}

const char* ErrnoName(int err) {
  if (const char* name = strerrorname_np(err)) return name;
  static thread_local char buf[16];
  snprintf(buf, sizeof buf, "E?%d", err);
  return buf;
}

}  // namespace sockspec
