// The real sockets of one ops_fuzzer program: the socketpair a, b and the
// named sockets s2..s7 (world.h), with the names they bind to, private to
// this process: pathnames in a directory made for it and removed with it,
// abstract names carrying its pid. Results that differ between systems only
// by numbering (fds, autobound names) are reported in a stable form, so the
// differential mode compares them bytewise.
//
//   absl::StatusOr<std::unique_ptr<FuzzSockets>> s = FuzzSockets::Create();
//   (*s)->Start(SockType::kStream);             // a fresh pair, no names
//   Observed o = (*s)->Execute(op, wbuf, rbuf);
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_SOCKETS_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_SOCKETS_H_

#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harness/model/model_types.h"
#include "harness/os/fd.h"

namespace sockspec {

class FuzzSockets {
 public:
  // Makes the private directory under $TMPDIR, or /tmp when $TMPDIR is
  // unset or too long for socket paths. Internal error if it cannot.
  static absl::StatusOr<std::unique_ptr<FuzzSockets>> Create();
  ~FuzzSockets();
  FuzzSockets(const FuzzSockets&) = delete;
  FuzzSockets& operator=(const FuzzSockets&) = delete;

  // Closes every socket, removes the socket files and makes a fresh
  // non-blocking socketpair of `type` as a, b. Internal error (naming the
  // call and errno) if the pair cannot be made.
  absl::Status Start(model::SockType type);

  // Runs `op` on its socket (fd -1, so EBADF, if that socket is not open)
  // and returns what the kernel said; a write sends op.size bytes of
  // `wdata` (passing the fds of tokens from `write_offset` on, as ExecuteOp
  // does), a read receives into `rbuf`. socket() and accept() return the
  // new socket's index, getsockname and getpeername the name as
  // model::kUnnamed, a name index, model::kAutobindOf + socket, or
  // model::kUnknownName in Observed::value.
  model::Observed Execute(const model::ModelOp& op, const uint8_t* wdata,
                          uint8_t* rbuf, uint64_t write_offset = 0);

  // The private directory of the socket files (removed with this object).
  const std::string& dir() const { return dir_; }

 private:
  explicit FuzzSockets(std::string dir);
  // The address of name `name` (a kNames index, or kAutobind: the family
  // alone) and its length.
  socklen_t Address(int name, struct sockaddr_un& addr) const;
  // The stable form of an address the kernel reported.
  int NameOf(const struct sockaddr_un& addr, socklen_t len) const;
  void CloseAll();

  std::string dir_;
  std::string abstract_prefix_;
  UniqueFd fds_[model::kMaxSockets];
  // The edge-triggered epoll set of a and b (kEpollEt), made at its first
  // use: it must outlive one call to see edges.
  UniqueFd epoll_et_[2];
  // The name each socket autobound to, with its leading NUL ("" if none).
  std::string autobound_[model::kMaxSockets];
  // The names of autobound sockets that have closed and whose index a new
  // socket took, with that index: their datagrams may still be queued, and
  // the model names their sender autobind(sN) as before.
  std::vector<std::pair<std::string, int>> retired_autobound_;
  // The socket files made since Start: unlinked by the next one (not every
  // name every time, which costs four system calls per input).
  bool path_made_[model::kNames / 2] = {};
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_SOCKETS_H_
