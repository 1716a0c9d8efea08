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
};

// The peer's main loop; returns its exit code (0 after an "exit" command or
// when the coordinator goes away). Runs in the forked child only, on the
// child's own copy of `setup`, which it changes (it closes ends) and never
// frees: the caller _exits next, and freeing the harness's allocations would
// write to pages the child shares with the harness (a fault and a copy each).
int RunPeer(PeerSetup& setup);

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
