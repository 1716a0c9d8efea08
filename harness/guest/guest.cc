#include "harness/guest/guest.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/guest/command_guest.h"
#include "harness/guest/gvisor_guest.h"
#include "harness/guest/host_guest.h"
#include "harness/guest/qemu_guest.h"
#include "harness/guest/qemu_init.h"

namespace sockspec {

std::vector<std::string> GuestNames() {
  return {"command:CMD", "gvisor", "qemu:KERNEL"};
}

absl::StatusOr<std::unique_ptr<Guest>> MakeGuest(absl::string_view spec,
                                                 const GuestOptions& options) {
  const size_t colon = spec.find(':');
  const absl::string_view name = spec.substr(0, colon);
  const absl::string_view arg =
      colon == absl::string_view::npos ? "" : spec.substr(colon + 1);
  // "qemu" alone is the inner run's name (CheckInnerRun); a run from the
  // host needs the kernel, which CheckPrerequisites asks for.
  if (name == "gvisor" && colon == absl::string_view::npos) return MakeGvisorGuest();
  if (name == "qemu") {
    return MakeQemuGuest(arg.empty() ? options.kernel : std::string(arg), options);
  }
  if (name == "command") return MakeCommandGuest(std::string(arg), options);
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown guest '", spec, "' (known: ", absl::StrJoin(GuestNames(), ", "),
      ")"));
}

std::optional<int> RunAsGuestInit(
    const std::function<int(const std::vector<std::string>&)>& run) {
  if (IsQemuInit()) return RunQemuInit(run);
  return std::nullopt;
}

std::function<void(const CaseOutcome&)> InnerRunSink(absl::string_view name) {
  if (name == "qemu") return SendQemuResult;
  if (name == "command") return SendCommandResult;
  return nullptr;
}

absl::Status CheckInnerRun(absl::string_view name) {
  absl::StatusOr<std::unique_ptr<Guest>> guest = MakeGuest(name);
  if (!guest.ok()) return guest.status();
  const std::string here = DetectHostPlatform();
  if (here != (*guest)->Platform()) {
    // Judging the guest by another platform's answers would be wrong on
    // every step that records one.
    return absl::FailedPreconditionError(absl::StrCat(
        "inside ", name, " the platform was detected as '", here, "', not '",
        (*guest)->Platform(), "' (see /proc/version)"));
  }
  return absl::OkStatus();
}

std::vector<std::string> InnerRunArguments(absl::string_view name,
                                           const std::vector<std::string>& files,
                                           const RunConfig& config) {
  std::vector<std::string> args = {
      "run", absl::StrCat(kInnerRunOption, "=", name),
      absl::StrCat("--jobs=", config.jobs),
      absl::StrCat("--repeat=", config.repeat)};
  if (config.exec.step_timeout_ms > 0) {
    args.push_back(absl::StrCat("--step-timeout=", config.exec.step_timeout_ms));
  }
  if (config.exec.deadline_scale != 1) {
    args.push_back(absl::StrCat("--deadline-scale=", config.exec.deadline_scale));
  }
  if (!config.filter.empty()) args.push_back("--filter=" + config.filter);
  if (config.spread_cpus) args.push_back("--spread-cpus");
  if (config.fresh_peers) args.push_back("--fresh-peers");
  if (config.shard_count > 1) {
    args.push_back(absl::StrCat("--shard-count=", config.shard_count));
    args.push_back(absl::StrCat("--shard-index=", config.shard_index));
  }
  args.push_back("--");
  args.insert(args.end(), files.begin(), files.end());
  return args;
}

}  // namespace sockspec
