// The system calls a Plan's operations make, through libc, on the real
// kernel. One handler per Call, registered by the family file its calls.h
// entry names (syscalls_*.cc) into one table; RunCall looks it up.
//
//   SyscallEnv env;  // fd slots -> fds of this process
//   Observation obs = RunCall(plan.ops[i], env);
#ifndef SOCKSPEC_HARNESS_EXEC_SYSCALLS_H_
#define SOCKSPEC_HARNESS_EXEC_SYSCALLS_H_

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/exec/control.h"
#include "harness/plan/plan.h"

namespace sockspec {

// The state of the process that runs calls: the harness for setup steps, a
// peer for its own.
struct SyscallEnv {
  std::map<int, int> fds;            // fd slot -> fd number (owned)
  std::map<int, std::string> bound;  // fd slot -> sockaddr after bind/listen
  std::string abstract_prefix;       // per run, so parallel runs never clash
  std::vector<int64_t> peer_pids;    // by peer index, for creds(A)
  int64_t harness_pid = 0;
  int pair_counter = 0;  // names the sockets kPair binds
};

// Runs `op` (not kFork, kWakes or kBlocked, which are coordination) and
// returns what it did. A failing call is an Observation with ret -1 and err;
// a call the process cannot make sets harness_error. Signals are recorded by
// the caller (peer.cc), not here.
Observation RunCall(const Op& op, SyscallEnv& env);

// Whether a handler is registered for `call` (every call whose CallFamily is
// not kCoordination has one; syscalls_test checks it).
bool HasHandler(Call call);

// The fd number of the call's first argument when it is an fd the kernel will
// see as such (poll's is not), else -1: what /proc/PID/syscall shows.
int FirstFdArg(const Op& op, const SyscallEnv& env);

// A resolved socket address.
struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
  std::string Bytes() const {
    return std::string(reinterpret_cast<const char*>(&ss), len);
  }
};

// The sockaddr `spec` names, for a socket of `family` where the spec leaves
// it open (kUnnamed). kBoundOf looks in `bound`. InvalidArgument for a spec
// that names no address (kNone, kAutobind, an unknown slot).
absl::StatusOr<SockAddr> ResolveAddress(const AddressSpec& spec,
                                        const std::map<int, std::string>& bound,
                                        const std::string& abstract_prefix,
                                        int family = AF_UNIX);

// The pointer a call passes for `a`: an unmapped address for
// AddressSpec::kBadPointer (EFAULT), else the address itself.
const sockaddr* AddrPtr(const AddressSpec& spec, const SockAddr& a);

// Closes every fd in env.fds and empties it.
void CloseAll(SyscallEnv& env);

namespace internal {

using Handler = Observation (*)(const Op& op, SyscallEnv& env);

// Registration hooks, one per family file.
void RegisterSocketCalls(Handler* table);  // syscalls_socket.cc
void RegisterIoCalls(Handler* table);      // syscalls_io.cc
void RegisterMsgCalls(Handler* table);     // syscalls_msg.cc
void RegisterVectorCalls(Handler* table);  // syscalls_vec.cc (from Msg)
void RegisterCtlCalls(Handler* table);     // syscalls_ctl.cc
void RegisterProcCalls(Handler* table);    // syscalls_proc.cc
void RegisterEpollCalls(Handler* table);   // syscalls_epoll.cc
void RegisterSignalCalls(Handler* table);  // syscalls_signal.cc

// Shared by the families.
Observation Errno(int err);           // ret -1, err
// A call whose result is its return value: ret, or Errno(errno) when ret
// is negative. Call it straight after the call, before errno can change.
Observation Returned(ssize_t ret);
// Receive buffers of the given sizes, each clamped to 0..max so a typo
// cannot exhaust memory, with an iovec over each: readv's iovecs,
// recvmmsg's messages, recvmsg's one buffer. Not copied: iov points into
// bufs.
struct RecvIovecs {
  RecvIovecs(const std::vector<int64_t>& sizes, int64_t max);
  RecvIovecs(const RecvIovecs&) = delete;
  RecvIovecs& operator=(const RecvIovecs&) = delete;
  // The first n bytes received, the buffers filled one after the other.
  std::string Gathered(size_t n) const;

  std::vector<std::string> bufs;
  std::vector<iovec> iov;
};
// An address no process can use (`badptr`): any access faults.
void* UnmappedAddress();
// The buffer pointer for op.buffer: `real`, NULL, or UnmappedAddress().
void* BufferPtr(const Op& op, void* real);
// The address buffer and addrlen pointer for op.addr_out (`ss` and `len`
// when real; `len` starts at the given addrlen or sizeof(*ss)).
struct AddrOutArgs {
  sockaddr* addr;
  socklen_t* len;
};
AddrOutArgs AddrOut(const Op& op, sockaddr_storage* ss, socklen_t* len);
// A number no fd of this process has (`badfd`).
int NotOpenFd();
Observation HarnessError(std::string what);
// The fd for op.fds[i], or -1 (the caller returns MissingFd).
int FdArg(const Op& op, const SyscallEnv& env, size_t i);
Observation MissingFd(const Op& op, size_t i);
int64_t IntArg(const Op& op, size_t i, int64_t fallback = 0);
// IntArg, with a `pid(A)` argument (Op::pid_args) replaced by that pid.
int64_t ValueArg(const Op& op, size_t i, const SyscallEnv& env);
// Binds `fd` to slot op.results[i] (closing any fd the slot held) and
// records its identity in obs.ids.
void BindResult(const Op& op, size_t i, int fd, SyscallEnv& env,
                Observation& obs);
FileId IdOf(int fd);
// Records slot's getsockname() in env.bound and obs.bound.
void RecordBound(int slot, SyscallEnv& env, Observation& obs);

}  // namespace internal
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_SYSCALLS_H_
