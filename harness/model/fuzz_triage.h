// Triage of differential findings (fuzz_diff.h): inputs are replayed on the
// host and in the guest, grouped by the signature of their first difference,
// the smallest of each group is minimised (delta debugging over its
// operations, keeping the signature) and turned into a case file whose steps
// expect the host's answers and whose last step carries the guest's as an
// `on PLATFORM` line.
//
//   TriageOptions o;  o.platform = "gvisor";  o.case_dir = "cases/fuzz";
//   absl::StatusOr<std::vector<TriageGroup>> g = Triage(runner, files, o);
//   fputs(TriageTable(*g).c_str(), stdout);
#ifndef SOCKSPEC_HARNESS_MODEL_FUZZ_TRIAGE_H_
#define SOCKSPEC_HARNESS_MODEL_FUZZ_TRIAGE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "harness/model/fuzz_diff.h"

namespace sockspec {

struct TriageOptions {
  std::string platform = "gvisor";  // the `on PLATFORM` of the cases
  // The guest in the cases' titles and file names ("linux-6.1" where the
  // platform is "linux < 6.18"); empty: the platform.
  std::string guest_name;
  std::string because;              // their `because` text
  // The guest in the cases' `source` line ("--under=NAME"); empty: the
  // runner's (a kernel's path would name this machine's cache).
  std::string source_under;
  std::string case_dir;             // where cases go; empty: none written
  // A case library (cases/): a group whose signature a case there states
  // is marked as known (TriageGroup::in_library). Empty: not looked up.
  std::string library;
  std::string reproducer_dir;       // where minimised inputs go; empty: none
  int confirm_runs = 3;             // a minimised input must differ this often
};

struct TriageGroup {
  std::string signature;
  size_t count = 0;                  // inputs with this signature
  std::string smallest;              // the smallest input's file
  std::vector<uint8_t> minimised;    // version 1 bytes
  size_t minimised_ops = 0;          // operations up to the differing one
  bool stable = false;               // differed in every confirm run
  std::string reproducer_file;       // written minimised input, if any
  std::string case_file;             // written case, if any
  std::string case_error;            // why no case was written
  std::string in_library;            // a library case stating it, if any
};

// The case under `library` (searched recursively) that states `signature`
// of guest `name` ("gvisor", "linux-6.1"): the one ops_triage would have
// written (NAME-SLUG.case, even when reworded since), else the first whose
// text holds ": SIGNATURE" at the end of a quoted string (its title
// "gvisor differs: SIGNATURE", or a line such as
// `source "fuzz/ops_triage signature: SIGNATURE"` of a case written by
// hand). "" when none does.
std::string LibraryCaseFor(const std::string& library, const std::string& name,
                           const std::string& signature);

// Shrinks `input` to a version 1 input of fewer operations whose first
// difference has `signature`: drops everything after that step, then chunks
// and single operations, then halves sizes. Returns `input` re-encoded if
// nothing smaller keeps the signature; an error if the runner fails.
absl::StatusOr<std::vector<uint8_t>> MinimiseDifference(
    DiffRunner& runner, absl::Span<const uint8_t> input,
    const std::string& signature);

// Replays every file, groups, minimises and writes. Files that show no
// difference (any more) are counted apart (`*no_difference`). Groups come
// out most frequent first. An error if the runner fails or a file cannot be
// read.
absl::StatusOr<std::vector<TriageGroup>> Triage(
    DiffRunner& runner, const std::vector<std::string>& files,
    const TriageOptions& options, size_t* no_difference);

// The table: signature, inputs with it (ops_fuzzer --keep-going keeps at
// most 20 per signature; its log has the full counts), reproducer
// (operations, file), case file, the library case stating it ("new" when
// none does; "-" when no library was given).
std::string TriageTable(const std::vector<TriageGroup>& groups,
                        size_t no_difference, bool library_given = false);

// A kernel as the guest (qemu:KERNEL): the cases' platform and guest name
// from the two releases (uname -r). Guest "6.1.0-57-cloud-amd64", host
// "6.18.44": platform "linux < 6.18", name "linux-6.1": the host's answer is
// the result, the older guest's holds below the host's version (the versions
// between are not bisected). A guest newer than the host: "linux >= 6.12".
// Empty strings when a release does not start with MAJOR.MINOR.
struct KernelGuestNames {
  std::string platform, name;
};
KernelGuestNames KernelGuestPlatform(absl::string_view host_release,
                                     absl::string_view guest_release);

// "recvmsg SOCK_DGRAM: host 0, guest EAGAIN" -> "recvmsg-sock-dgram-host-0-guest-eagain".
std::string SignatureSlug(const std::string& signature);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_MODEL_FUZZ_TRIAGE_H_
