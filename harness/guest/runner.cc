#include "harness/guest/runner.h"

#include <dirent.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/os/fork_image.h"
#include "harness/os/interrupt_cleanup.h"
#include "harness/exec/prerequisites.h"
#include "harness/guest/parallel.h"
#include "harness/lang/frontend.h"
#include "harness/result/outcome_json.h"

namespace sockspec {
namespace {

absl::Status Walk(const std::string& path, bool top,
                  std::vector<std::string>& out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return ErrnoStatus(absl::StrCat("stat(", path, ")").c_str(), errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (top || absl::EndsWith(path, ".case")) out.push_back(path);
    return absl::OkStatus();
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) {
    return ErrnoStatus(absl::StrCat("opendir(", path, ")").c_str(), errno);
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || name == "invalid") continue;
    names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  std::string prefix = path.back() == '/' ? path : path + "/";
  for (const std::string& name : names) {
    absl::Status s = Walk(prefix + name, false, out);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

CaseOutcome Describe(const LoadedCase& loaded, const Plan* plan) {
  CaseOutcome o;
  o.path = loaded.path;
  if (plan != nullptr) {
    o.instance = plan->InstanceName();
    o.title = plan->title;
    o.covers = plan->covers;
  }
  return o;
}

}  // namespace

int DefaultJobs() {
  if (const size_t allowed = AllowedCpus().size(); allowed > 0) {
    return static_cast<int>(allowed);
  }
  return std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
}

absl::StatusOr<std::vector<std::string>> FindCaseFiles(
    const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    absl::Status s = Walk(p, true, out);
    if (!s.ok()) return s;
  }
  return out;
}

namespace {

// Loads every file and lays out one outcome per instance and repeat; `work`
// receives the instances that pass the filter and are runnable.
std::vector<CaseOutcome> Prepare(const std::vector<std::string>& files,
                                 const RunConfig& config,
                                 std::vector<LoadedCase>& loaded,
                                 std::vector<Work>& work) {
  std::vector<CaseOutcome> outcomes;
  auto selected = [&config](const CaseOutcome& o) {
    return FilterMatches(config.filter, DisplayName(o));
  };
  // Position among the selected instances, for sharding.
  int index = -1;
  auto in_shard = [&config, &index] {
    ++index;
    return config.shard_count <= 1 || index % config.shard_count == config.shard_index;
  };
  loaded.reserve(files.size());
  for (const std::string& path : files) {
    absl::StatusOr<LoadedCase> lc = LoadCaseFile(path, config.platform);
    if (!lc.ok()) {
      CaseOutcome o;
      o.path = path;
      o.verdict = Verdict::kError;
      o.failure = TextFailure(FailureKind::kCaseError,
                              std::string(lc.status().message()));
      outcomes.push_back(o);
      continue;
    }
    loaded.push_back(std::move(*lc));
    const LoadedCase& c = loaded.back();
    if (!c.errors.empty()) {
      CaseOutcome o = Describe(c, nullptr);
      o.verdict = Verdict::kError;
      o.failure = TextFailure(FailureKind::kCaseError, FormatErrors(c));
      if (selected(o) && in_shard()) outcomes.push_back(o);
      continue;
    }
    for (const Plan& plan : c.plans) {
      CaseOutcome o = Describe(c, &plan);
      if (!selected(o) || !in_shard()) continue;
      for (int r = 0; r < config.repeat; ++r) {
        work.push_back(Work{&plan, outcomes.size()});
        outcomes.push_back(o);
      }
    }
  }
  return outcomes;
}

}  // namespace

bool FilterMatches(const std::string& pattern, const std::string& name) {
  if (pattern.empty()) return true;
  // Iterative wildcard match: on a mismatch, let the last '*' take one more
  // character.
  size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<CaseOutcome> ListCases(const std::vector<std::string>& files,
                                   const RunConfig& config) {
  std::vector<LoadedCase> loaded;
  std::vector<Work> work;
  std::vector<CaseOutcome> outcomes = Prepare(files, config, loaded, work);
  for (const Work& w : work) outcomes[w.slot].verdict = Verdict::kSkip;
  return outcomes;
}

std::vector<CaseOutcome> RunCases(const std::vector<std::string>& files,
                                  const RunConfig& config) {
  RaiseNofileLimit();
  // Interrupted (Ctrl-C, a test timeout's SIGTERM): remove the private
  // directory of the instance in flight, in this process and in each worker.
  InstallInterruptCleanup();
  std::vector<LoadedCase> loaded;
  std::vector<Work> work;
  std::vector<CaseOutcome> outcomes = Prepare(files, config, loaded, work);
  // Every peer is forked from this image (or a worker's copy of it): make
  // those forks cheap now that the plans are loaded (fork_image.h).
  if (!work.empty()) {
    CopyFileMappingsOnFork();
    BackAnonymousMemoryWithHugePages();
  }
  // Declared after `loaded`, so its peers go before the plans they run.
  PeerPool pool;
  for (const Work& w : work) pool.Admit(*w.plan);
  RunOptions exec = config.exec;
  if (!config.fresh_peers) exec.peer_pool = &pool;
  if (config.jobs > 1 && work.size() > 1) {
    RunInWorkers(work, config.jobs, exec, config.progress, outcomes,
                 !config.spread_cpus);
    return outcomes;
  }
  // One job: this process, on the CPU it is on, until the instances are run.
  cpu_set_t mask;
  const bool pinned = !config.spread_cpus && !work.empty() &&
                      sched_getaffinity(0, sizeof mask, &mask) == 0 &&
                      PinToCpu(sched_getcpu());
  int done = 0;
  for (const Work& w : work) {
    RunInstance(*w.plan, exec, outcomes[w.slot]);
    if (config.progress) config.progress(outcomes[w.slot], ++done, work.size());
  }
  if (pinned) sched_setaffinity(0, sizeof mask, &mask);
  return outcomes;
}

}  // namespace sockspec
