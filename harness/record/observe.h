// `sockspec record --under=GUEST`: a guest system's answers recorded into a
// case as `on PLATFORM = ANSWER because "observed with SYSTEM"` lines.
//
// Inside the guest (`record --inner-run=NAME FILE`), ObserveFile runs every
// instance judged by the guest platform's written answers; a step whose
// answer it does not meet is probed (a placeholder for the next run) and the
// instance run again, until it runs through, so every divergent step is
// found; the probed instance is then run once more, alone, and its answers
// must not change. Every step's answer travels back in the case's notation
// as JSON. On the host, RecordUnder adds a platform line under each step
// that diverged, the answer agreed across matrix rows as `record` does.
//
//   absl::StatusOr<FileRecord> r = RecordUnder("cases/x.case", *guest, options);
#ifndef SOCKSPEC_HARNESS_RECORD_OBSERVE_H_
#define SOCKSPEC_HARNESS_RECORD_OBSERVE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/guest/guest.h"
#include "harness/record/recorder.h"

namespace sockspec {

// One step of one instance as the guest answered it.
struct ObservedStep {
  int line = 0, col = 0;  // the step's location
  std::string answer;     // in the case's notation; "" with `error`
  std::string error;      // why the notation cannot state it
  bool diverged = false;  // the written answer for the platform did not hold
};

struct ObservedRow {
  std::string instance;  // Plan::InstanceName()
  std::vector<ObservedStep> steps;
  bool stable = true;    // a second run, alone, gave the same answers
  std::string failure;   // a failure that probing cannot get past (a hang...)
};

// Runs and probes every instance of `path` (see above) on this system.
// InvalidArgument with the diagnostics for a file that does not load.
absl::StatusOr<std::vector<ObservedRow>> ObserveFile(const std::string& path,
                                                     const RecordOptions& options);

// The rows as JSON, and back; InvalidArgument for text that is not such.
std::string ObservedJson(const std::vector<ObservedRow>& rows);
absl::StatusOr<std::vector<ObservedRow>> ParseObservedJson(const std::string& text);

// Runs ObserveFile inside `guest` (its prerequisites checked) and adds a
// platform line under every step that diverged there. Placeholders are
// left alone (record them on this machine first); a step that already has
// the platform's line but diverges is for a person, never rewritten.
absl::StatusOr<FileRecord> RecordUnder(const std::string& path, Guest& guest,
                                       const RecordOptions& options);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RECORD_OBSERVE_H_
