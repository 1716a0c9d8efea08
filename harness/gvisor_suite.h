// What a comparison run needs besides the two result lists: which instances
// record the guest's own answer, and where the guest's expected-failure list
// lives.
#ifndef SOCKSPEC_HARNESS_GVISOR_SUITE_H_
#define SOCKSPEC_HARNESS_GVISOR_SUITE_H_

#include <string>
#include <vector>

#include "harness/compare.h"

namespace sockspec {

// The instances whose plans carry an `on GUEST = ...` answer for some step,
// with those steps' Linux and guest answers as written in the case file.
// Files that do not load are left out (the runs report them).
RecordedAnswers RecordedInstances(const std::vector<std::string>& files,
                                        const std::string& guest);

// The default expected-failure list of `guest` for a run of `paths`:
// CASES/platforms/GUEST.xfail for the first path inside a folder named
// "cases" (or cases/ in the working directory) where that file exists; ""
// when there is none.
std::string DefaultXfailFile(const std::vector<std::string>& paths,
                             const std::string& guest);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_GVISOR_SUITE_H_
