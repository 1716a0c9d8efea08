// Signals, limits and namespaces of one peer: the signal recorder
// (signal_record.h) and the calls kill, sigaction, alarm, setrlimit and
// unshare.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "harness/exec/signal_record.h"
#include "harness/exec/syscalls.h"
#include "harness/os/symbols.h"

namespace sockspec {
namespace {

// Signals delivered since the last ClearCaughtSignals, by number. The
// handler only sets a flag: async-signal-safe.
volatile sig_atomic_t g_caught_signals[NSIG];

void RecordCaughtSignal(int sig) {
  if (sig > 0 && sig < NSIG) g_caught_signals[sig] = 1;
}

}  // namespace

bool IsRecordedSignal(int sig) {
  switch (sig) {
    case SIGPIPE: case SIGURG: case SIGIO: case SIGUSR1: case SIGUSR2:
    case SIGALRM: case SIGVTALRM: case SIGPROF: case SIGWINCH:
      return true;
    default:
      return sig >= SIGRTMIN && sig <= SIGRTMAX;
  }
}

int SetSignalAction(int sig, int64_t action) {
  struct sigaction sa = {};
  sigemptyset(&sa.sa_mask);
  if (action == kSigDispositionIgnore) {
    sa.sa_handler = SIG_IGN;
  } else if (action == kSigDispositionDefault) {
    sa.sa_handler = SIG_DFL;
  } else {
    sa.sa_handler = RecordCaughtSignal;
    sa.sa_flags = static_cast<int>(action);
  }
  return sigaction(sig, &sa, nullptr) == 0 ? 0 : errno;
}

void InstallSignalRecorders() {
  for (int sig = 1; sig < NSIG; ++sig) {
    // A recorded signal must not turn the call into EINTR unless the case
    // says so (`sigaction(SIG, 0)`): the case states what the call
    // returns, and the signal separately.
    if (IsRecordedSignal(sig)) SetSignalAction(sig, SA_RESTART);
  }
}

void ClearCaughtSignals() {
  for (int sig = 0; sig < NSIG; ++sig) g_caught_signals[sig] = 0;
}

std::vector<int> CaughtSignals() {
  std::vector<int> out;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (g_caught_signals[sig]) out.push_back(sig);
  }
  return out;
}

namespace internal {
namespace {

bool InHarness(const SyscallEnv& env) { return env.harness_pid == getpid(); }

Observation Kill(const Op& op, SyscallEnv& env) {
  if (InHarness(env)) return HarnessError("kill() is for peers");
  const int64_t peer = IntArg(op, 0, -1);
  if (peer < 0 || static_cast<size_t>(peer) >= env.peer_pids.size() ||
      env.peer_pids[peer] <= 0) {
    // Never kill(0, ...) or kill(-1, ...): that signals a whole group.
    return HarnessError(absl::StrCat("kill: peer ", peer, " has no process"));
  }
  if (kill(static_cast<pid_t>(env.peer_pids[peer]),
           static_cast<int>(IntArg(op, 1))) != 0) {
    return Errno(errno);
  }
  return Observation();
}

Observation Sigaction(const Op& op, SyscallEnv& env) {
  if (InHarness(env)) return HarnessError("sigaction() is for peers");
  int err = SetSignalAction(static_cast<int>(IntArg(op, 0)), IntArg(op, 1));
  return err == 0 ? Observation() : Errno(err);
}

Observation Alarm(const Op& op, SyscallEnv& env) {
  if (InHarness(env)) return HarnessError("alarm() is for peers");
  Observation o;
  o.ret = alarm(static_cast<unsigned>(IntArg(op, 0)));
  return o;
}

// The soft limit only: a later setrlimit may raise it again (to the hard
// limit), and the soft limit is what EMFILE and ETOOMANYREFS compare with.
Observation Setrlimit(const Op& op, SyscallEnv& env) {
  if (InHarness(env)) return HarnessError("setrlimit() is for peers");
  rlimit rl;
  const int resource = static_cast<int>(IntArg(op, 0));
  if (getrlimit(resource, &rl) != 0) return Errno(errno);
  rl.rlim_cur = static_cast<rlim_t>(IntArg(op, 1));
  if (setrlimit(resource, &rl) != 0) return Errno(errno);
  return Observation();
}

Observation Unshare(const Op& op, SyscallEnv& env) {
  if (InHarness(env)) return HarnessError("unshare() is for peers");
  if (unshare(static_cast<int>(IntArg(op, 0))) != 0) return Errno(errno);
  return Observation();
}

}  // namespace

void RegisterSignalCalls(Handler* t) {
  t[static_cast<int>(Call::kKill)] = Kill;
  t[static_cast<int>(Call::kSigaction)] = Sigaction;
  t[static_cast<int>(Call::kAlarm)] = Alarm;
  t[static_cast<int>(Call::kSetrlimit)] = Setrlimit;
  t[static_cast<int>(Call::kUnshare)] = Unshare;
}

}  // namespace internal
}  // namespace sockspec
