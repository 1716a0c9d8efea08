#include "harness/guest/runner.h"

#include <dirent.h>
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
#include "harness/exec/prerequisites.h"
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

// One instance to run, and where its outcome goes.
struct Work {
  const Plan* plan;
  size_t slot;
};

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

void RunInProcess(const Plan& plan, const RunOptions& options,
                  CaseOutcome& out) {
  if (std::optional<std::string> why = UnmetPrerequisite(plan)) {
    out.verdict = Verdict::kSkip;
    out.skip_reason = std::move(*why);
    return;
  }
  InstanceResult r = RunPlan(plan, options);
  out.verdict = r.verdict == InstanceResult::Verdict::kPass   ? Verdict::kPass
                : r.verdict == InstanceResult::Verdict::kFail ? Verdict::kFail
                                                              : Verdict::kError;
  out.failure = std::move(r.failure);
  out.recorded = std::move(r.recorded);
  out.seconds = r.seconds;
}

// A running worker: a forked process running one instance, its result pipe,
// and what it has sent so far (its outcome as a JsonReport document, so the
// failure record crosses the process boundary whole).
struct Worker {
  Child child;
  UniqueFd pipe;
  size_t slot;
  std::string received;
};

void Finish(Worker& w, CaseOutcome& out) {
  absl::StatusOr<ExitStatus> status = w.child.Wait();
  absl::StatusOr<std::vector<CaseOutcome>> sent = ParseJsonOutcomes(w.received);
  if (sent.ok() && sent->size() == 1) {
    out.verdict = (*sent)[0].verdict;
    out.seconds = (*sent)[0].seconds;
    out.skip_reason = std::move((*sent)[0].skip_reason);
    out.failure = std::move((*sent)[0].failure);
    out.recorded = std::move((*sent)[0].recorded);
    return;
  }
  out.verdict = Verdict::kError;
  out.failure = TextFailure(FailureKind::kHarnessError, absl::StrCat(
      "harness worker for ", DisplayName(out), " ended without a result (",
      status.ok() ? status->ToString() : std::string(status.status().message()),
      ")"));
}

void RunParallel(const std::vector<Work>& work, int jobs,
                 const RunConfig& config, std::vector<CaseOutcome>& outcomes) {
  std::vector<Worker> running;
  size_t next = 0;
  int done = 0;
  while (next < work.size() || !running.empty()) {
    while (next < work.size() && static_cast<int>(running.size()) < jobs) {
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) != 0) {
        outcomes[work[next].slot].verdict = Verdict::kError;
        outcomes[work[next].slot].failure = TextFailure(
            FailureKind::kHarnessError, ErrnoStatus("pipe2()", errno).ToString());
        ++next;
        continue;
      }
      UniqueFd rd(fds[0]), wr(fds[1]);
      const Work& w = work[next];
      absl::StatusOr<Child> child = Child::Spawn([&] {
        rd.reset();
        CaseOutcome o = outcomes[w.slot];
        RunInProcess(*w.plan, config.exec, o);
        const std::string msg = JsonReport({o});
        for (size_t off = 0; off < msg.size();) {
          ssize_t n = write(wr.get(), msg.data() + off, msg.size() - off);
          if (n <= 0) return 3;
          off += n;
        }
        return 0;
      });
      ++next;
      if (!child.ok()) {
        outcomes[w.slot].verdict = Verdict::kError;
        outcomes[w.slot].failure =
            TextFailure(FailureKind::kHarnessError, child.status().ToString());
        continue;
      }
      running.push_back(Worker{std::move(*child), std::move(rd), w.slot, ""});
    }
    std::vector<pollfd> pfds;
    for (Worker& w : running) pfds.push_back({w.pipe.get(), POLLIN, 0});
    if (pfds.empty()) continue;
    if (poll(pfds.data(), pfds.size(), -1) < 0 && errno != EINTR) break;
    for (size_t i = running.size(); i-- > 0;) {
      if (pfds[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = read(running[i].pipe.get(), buf, sizeof buf);
      if (n > 0) {
        running[i].received.append(buf, n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      CaseOutcome& out = outcomes[running[i].slot];
      Finish(running[i], out);
      running.erase(running.begin() + i);
      if (config.progress) config.progress(out, ++done, work.size());
    }
  }
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
  std::vector<LoadedCase> loaded;
  std::vector<Work> work;
  std::vector<CaseOutcome> outcomes = Prepare(files, config, loaded, work);
  if (config.jobs > 1) {
    RunParallel(work, config.jobs, config, outcomes);
    return outcomes;
  }
  int done = 0;
  for (const Work& w : work) {
    RunInProcess(*w.plan, config.exec, outcomes[w.slot]);
    if (config.progress) config.progress(outcomes[w.slot], ++done, work.size());
  }
  return outcomes;
}

}  // namespace sockspec
