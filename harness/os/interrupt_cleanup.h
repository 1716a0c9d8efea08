// A run that is interrupted (SIGINT from the terminal, SIGTERM from Bazel's
// test timeout or `kill`, SIGHUP) still leaves nothing behind: the handler
// passes the signal on to the child processes this process registered (its
// workers, a guest's runsc or qemu) and reaps them (a worker removes what it
// registered), removes the private directory of the instance in flight with
// its socket files and the guests' working directories, then dies of the
// signal by its default action (exit status 128 + N, as without a handler).
// Peers take default actions (ResetInterruptSignals) and die with their
// parent (PR_SET_PDEATHSIG, os/child.h).
//
//   InstallInterruptCleanup();                  // once, in `sockspec run`
//   RemoveOnInterrupt("/tmp/sockspec.abc123");  // RunDir::Enter, scratch_dir.h
//   ForgetRemoveOnInterrupt("/tmp/sockspec.abc123");  // RunDir::Leave
//
// Registrations are per process: one made before a fork is not acted on in
// the child, which registers its own.
#ifndef SOCKSPEC_HARNESS_OS_INTERRUPT_CLEANUP_H_
#define SOCKSPEC_HARNESS_OS_INTERRUPT_CLEANUP_H_

#include <sys/types.h>

#include <string>

namespace sockspec {

// Installs the handler for SIGINT, SIGTERM and SIGHUP (not for one this
// process ignores, as a background job of a shell ignores SIGINT).
void InstallInterruptCleanup();

// Default actions for the three: in a forked peer, where a case's
// `kill(B, SIGTERM)` must act as on any process.
void ResetInterruptSignals();

// A directory to remove, with everything below it (eight levels), on an
// interrupt, once the registered children are reaped: an instance's private
// directory, a guest's working directory; up to 8 at once. A path too long to
// hold is not registered.
void RemoveOnInterrupt(const std::string& dir);
void ForgetRemoveOnInterrupt(const std::string& dir);

// A child to pass the signal to, and reap, on an interrupt; up to 64.
void ForwardInterruptTo(pid_t child);
void ForgetForwardInterrupt(pid_t child);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_OS_INTERRUPT_CLEANUP_H_
