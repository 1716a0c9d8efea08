// An owned file descriptor: move-only, closed exactly once.
//
//   absl::StatusOr<UniqueFd> fd = UniqueFd::Socket(AF_UNIX, SOCK_STREAM, 0);
//   if (!fd.ok()) return fd.status();
//   write(fd->get(), "x", 1);  // closed when *fd goes out of scope
#ifndef SOCKSPEC_HARNESS_OS_FD_H_
#define SOCKSPEC_HARNESS_OS_FD_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sockspec {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives up ownership without closing; returns the fd (or -1).
  int release() { return std::exchange(fd_, -1); }

  // Closes the owned fd (if any) and takes ownership of `fd`. A close error is
  // ignored: on Linux the fd is gone whatever close(2) returns.
  void reset(int fd = -1);

  // socket(2); the error names the call and errno.
  static absl::StatusOr<UniqueFd> Socket(int domain, int type, int protocol);

  // socketpair(2) as two owned ends.
  static absl::StatusOr<std::pair<UniqueFd, UniqueFd>> SocketPair(int domain,
                                                                  int type);

 private:
  int fd_ = -1;
};

// An error status for a failed system call: "socket(): EAFNOSUPPORT (Address
// family not supported by protocol)". `err` is the errno value.
absl::Status ErrnoStatus(const char* call, int err);

// "EAGAIN" for EAGAIN; "E?123" for a number glibc has no name for.
const char* ErrnoName(int err);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_FD_H_
