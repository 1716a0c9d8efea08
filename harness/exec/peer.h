// A peer process: holds its fd slots, and runs the Plan's operations the
// coordinator names by index, one at a time, from its own (forked) copy of
// the Plan. Around each call it sends "starting" and then the Observation,
// and records the signals delivered during the call (signal_record.h).
//
//   Child::Spawn([&] { UsePeerHeap(); setup.self = p; return RunPeer(setup); });
#ifndef SOCKSPEC_HARNESS_EXEC_PEER_H_
#define SOCKSPEC_HARNESS_EXEC_PEER_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "harness/plan/plan.h"
#include "harness/exec/syscalls.h"

namespace sockspec {

// One peer's ends of its control pipes.
struct PeerEnds {
  int cmd_read = -1;
  int result_write = -1;
};

struct PeerSetup {
  const Plan* plan = nullptr;
  int self = -1;  // index into plan->peers
  // Every peer's ends, by peer index: the coordinator makes them all before
  // forking, so a peer can hand its forks theirs. Each process keeps only
  // its own and those of the peers it will fork (its descendants).
  std::vector<PeerEnds> ends;
  // The coordinator's ends of every pipe: closed at once.
  std::vector<int> coordinator_ends;
  // The harness's setup fds (slot -> fd), inherited through fork; the peer
  // keeps those its PeerDecl holds and closes the rest.
  std::map<int, int> setup_fds;
  std::string abstract_prefix;
  int64_t harness_pid = 0;
  // After each call, wait until what it sent over loopback has arrived
  // (AwaitLoopbackDelivery), before reading the signals it caused.
  bool await_loopback = false;
  // fds a fork of this peer closes at once (a pooled peer's own channel to
  // the harness).
  std::vector<int> close_in_forks;
};

// The peer's main loop; returns its exit code (0 after an "exit" command or
// when the coordinator goes away). Runs in the forked child only, on the
// child's own copy of `setup`, which it changes (it closes ends) and never
// frees: the caller _exits next, and freeing the harness's allocations would
// write to pages the child shares with the harness (a fault and a copy each).
int RunPeer(PeerSetup& setup);

// A pooled peer: a process the coordinator keeps across instances, so an
// instance forks fewer processes. It is given each instance's setup fds, its
// descendants' control ends and the working directory over `sock`
// (SCM_RIGHTS), answers with its descendants' command-end numbers, runs the
// steps as RunPeer does, and after "exit" reaps its forks, closes every fd
// but its channel and answers kPooledClean, or kPooledChanged and exits when
// the instance changed the process (a signal caught, a disposition, limit,
// credential or timer set): then it is not what a fresh fork would be.
int ServePooled(int sock, int cmd_read, int result_write);

inline constexpr int kMaxPooledFds = 200;     // below SCM_MAX_FD (253)
inline constexpr int kMaxPooledWords = 1024;  // of a begin message

// Whether every begin message of `plan` fits those bounds (a plan with more
// setup fds than that runs with fresh forks).
bool FitsPooledBegin(const Plan& plan);
inline constexpr char kPooledClean[] = "pooled peer: clean";
inline constexpr char kPooledChanged[] = "pooled peer: changed";

struct PooledBegin {
  const Plan* plan = nullptr;
  int self = -1;
  bool await_loopback = false;
  int64_t harness_pid = 0;
  std::string abstract_prefix;
  int cwd = -1;                                   // fd, or -1
  std::map<int, int> setup_fds;                   // slot -> fd
  std::vector<std::pair<int, PeerEnds>> descendant_ends;  // peer -> ends
};

// The begin message's words and the fds to send with it, in order.
std::vector<int64_t> EncodePooledBegin(const PooledBegin& b, std::vector<int>* fds);
// Sends `b` to a pooled peer's channel `sock`: its words, with its fds as
// SCM_RIGHTS, by a raw sendmsg (a fault-injection preload stays out of it).
absl::Status SendPooledBegin(int sock, const PooledBegin& b);
// The message from its words and the fds received (setup fds get back their
// close-on-exec flag, which SCM_RIGHTS does not carry).
absl::StatusOr<PooledBegin> DecodePooledBegin(absl::Span<const int64_t> words,
                                              const std::vector<int>& fds);
std::string EncodeInts(const std::vector<int64_t>& v);
std::vector<int64_t> DecodeInts(absl::string_view bytes);

// Whether the peer compares its open fds (/proc/self/fd) before and after
// `op`: recvmsg, the call where the kernel installs fds of its own accord.
// Other calls make only the fds they return, and a listing costs a few
// system calls, so they are not checked.
bool ChecksFdLeaks(const Op& op);

// Whether the peer says "starting" before running `op`: only for a call that
// can block (or is expected to), where the coordinator needs to know the
// call has begun and on which fd. Any other step answers with its result
// alone: one message, and one wake-up of the coordinator, fewer per step.
bool SendsStarting(const Op& op);

// The fds open in `after` but not in `before` that `env` does not hold (not
// bound to a name by the call), each with what it is: "socket", "pipe", or
// the path it names. Empty when the call left nothing unnamed open.
std::vector<std::pair<int, std::string>> UnheldNewFds(
    const std::set<int>& before, const std::set<int>& after,
    const SyscallEnv& env);

// Whether peer `p` is `ancestor` or was forked (transitively) by it.
bool IsSelfOrDescendant(const Plan& plan, int p, int ancestor);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_PEER_H_
