// The environment a plan needs (its `requires` lines), checked in the process
// that runs the instance, just before it runs: inside a guest, in the guest.
// Also raises RLIMIT_NOFILE's soft limit to the hard one at start-up.
//
//   if (std::optional<std::string> why = UnmetPrerequisite(plan)) skip(*why);
#ifndef SOCKSPEC_HARNESS_EXEC_PREREQUISITES_H_
#define SOCKSPEC_HARNESS_EXEC_PREREQUISITES_H_

#include <optional>
#include <string>

#include "harness/plan/plan.h"

namespace sockspec {

// Why `r` is not met here ("socket(AF_INET6, SOCK_STREAM) failed
// EAFNOSUPPORT", "the soft limit is 1024 (hard 1024)", "running as uid
// 65534", "not in the effective set", "running 4.4.0"), or nullopt when met.
std::optional<std::string> Unmet(const Requirement& r);

// The first of `plan`'s requirements that is unmet, as a skip reason:
// "cases/x.case:9: requires ipv6: bind(::1) failed EADDRNOTAVAIL"; nullopt
// when all are met.
std::optional<std::string> UnmetPrerequisite(const Plan& plan);

// Sets the soft RLIMIT_NOFILE to the hard limit. Returns the soft limit in
// force afterwards (the old one if raising failed).
long RaiseNofileLimit();

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_PREREQUISITES_H_
