// Which signals a peer receives during a call. A peer records every
// signal a case can name as an observable (SIGPIPE, SIGURG, SIGIO, SIGUSR1,
// SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGWINCH, SIGRTMIN..SIGRTMAX) with a
// handler that only sets a flag; by default it is installed with SA_RESTART
// so a signal does not turn the call into EINTR, and `sigaction` steps
// change that per signal (no SA_RESTART: EINTR; SIG_IGN; SIG_DFL).
//
//   InstallSignalRecorders();            // once, in the peer
//   ClearCaughtSignals(); RunCall(...); std::vector<int> got = CaughtSignals();
#ifndef SOCKSPEC_HARNESS_EXEC_SIGNAL_RECORD_H_
#define SOCKSPEC_HARNESS_EXEC_SIGNAL_RECORD_H_

#include <cstdint>
#include <vector>

namespace sockspec {

// Installs the recording handler (SA_RESTART) for every recorded signal.
void InstallSignalRecorders();

// Whether `sig` is recorded by default (a signal outside the list keeps its
// default action: SIGSEGV still crashes a peer).
bool IsRecordedSignal(int sig);

// sigaction(2) for `sig`: `action` is kSigDispositionIgnore or
// kSigDispositionDefault (symbols.h), or SA_ flags for the recording
// handler. Returns 0, or the errno sigaction failed with (EINVAL for
// SIGKILL and SIGSTOP).
int SetSignalAction(int sig, int64_t action);

// Forget the signals caught so far; the signals caught since, ascending.
void ClearCaughtSignals();
std::vector<int> CaughtSignals();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_SIGNAL_RECORD_H_
