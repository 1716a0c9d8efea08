#include "harness/cli/cli_run.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "harness/cli/cli_conform.h"
#include "harness/cli/cli_record.h"
#include "harness/lang/frontend.h"
#include "harness/guest/guest.h"
#include "harness/report/report.h"
#include "harness/report/tap_report.h"
#include "harness/guest/runner.h"

namespace sockspec {
namespace {

using internal::Conform;
using internal::ConformSeveral;
using internal::Fail;
using internal::GuestSide;
using internal::PrepareGuest;
using internal::WriteFile;

int Check(const CommandLine& c) {
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(c.paths);
  if (!files.ok()) return Fail(files.status());
  int code = 0;
  const std::string platform = MakeHostGuest()->Platform();
  for (const std::string& f : *files) {
    absl::StatusOr<LoadedCase> loaded = LoadCaseFile(f, platform);
    if (!loaded.ok()) {
      code = Fail(loaded.status());
    } else if (!loaded->errors.empty()) {
      fputs(FormatErrors(*loaded).c_str(), stderr);
      code = 2;
    } else {
      // Placeholders (`= ?`) are warnings: the file is valid, not finished.
      fputs(FormatWarnings(*loaded).c_str(), stderr);
    }
  }
  if (code == 0) printf("%zu case files OK\n", files->size());
  return code;
}

// An environment variable as a whole number >= 0, or `fallback`.
int EnvNumber(const char* name, int fallback) {
  const char* v = getenv(name);
  int n;
  return v != nullptr && absl::SimpleAtoi(v, &n) && n >= 0 ? n : fallback;
}

// Bazel's test conventions, where the command line leaves them open:
// --test_filter (TESTBRIDGE_TEST_ONLY) and sharding (TEST_TOTAL_SHARDS,
// TEST_SHARD_INDEX; TEST_SHARD_STATUS_FILE is touched to say we shard).
// An error names a shard index outside the shard count.
absl::Status ApplyTestEnvironment(const CommandLine& c, bool inner,
                                  RunConfig& config) {
  if (config.filter.empty() && !inner) {
    if (const char* only = getenv("TESTBRIDGE_TEST_ONLY")) config.filter = only;
  }
  config.shard_count = c.shard_count >= 1 ? c.shard_count
                       : inner            ? 1
                                          : std::max(1, EnvNumber("TEST_TOTAL_SHARDS", 1));
  config.shard_index = c.shard_index >= 0 ? c.shard_index
                       : inner            ? 0
                                          : EnvNumber("TEST_SHARD_INDEX", 0);
  if (config.shard_index >= config.shard_count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "shard index ", config.shard_index, " is not below the shard count ",
        config.shard_count));
  }
  const char* status = getenv("TEST_SHARD_STATUS_FILE");
  if (status != nullptr && *status && !inner) std::ofstream(status, std::ios::app);
  return absl::OkStatus();
}

// Exit 2 (with a message) when a --filter selects no instance at all (in any
// shard) and --allow-empty was not given; else 0.
int CheckSelection(const CommandLine& c, const RunConfig& config,
                   const std::vector<std::string>& files, size_t selected) {
  if (selected > 0 || config.filter.empty() || c.allow_empty) return 0;
  if (config.shard_count > 1) {
    RunConfig whole = config;
    whole.shard_count = 1;
    whole.shard_index = 0;
    if (!ListCases(files, whole).empty()) return 0;  // only this shard is empty
  }
  fprintf(stderr,
          "sockspec: --filter '%s' selects no instance (it matches whole "
          "names as `sockspec run --list` prints them, * and ? as wildcards; "
          "--allow-empty makes this exit 0)\n",
          config.filter.c_str());
  return 2;
}

int Run(const CommandLine& c) {
  if (c.explain) return ExplainCommand(c);
  std::unique_ptr<Guest> host = MakeHostGuest();
  RunConfig config = c.config;
  if (config.platform.empty()) config.platform = host->Platform();
  std::string format = c.format, output = c.output;
  const bool inner = !c.inner_run.empty();
  if (inner) {
    // The run a guest started inside itself: judged by the guest's answers,
    // results as JSON on stdout for the outer run to read back.
    if (absl::Status s = CheckInnerRun(c.inner_run); !s.ok()) return Fail(s);
    config.platform = host->Platform();
    // Per-step verdicts: the outer run compares every step it can.
    config.exec.go_on_after_mismatch = true;
    format = "json";
    output.clear();
  }
  if (absl::Status s = ApplyTestEnvironment(c, inner, config); !s.ok()) {
    return Fail(s);
  }
  GuestSide side;
  const bool several = c.unders.size() > 1;
  if (!several) {
    if (int code = PrepareGuest(c, side); code != 0) return code;
  }
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(c.paths);
  if (!files.ok()) return Fail(files.status());

  if (c.list) {
    std::vector<CaseOutcome> outcomes = ListCases(*files, config);
    if (int code = CheckSelection(c, config, *files, outcomes.size()); code != 0) {
      return code;
    }
    for (const CaseOutcome& o : outcomes) {
      if (o.verdict == Verdict::kError) {
        fputs(Message(o).c_str(), stderr);
      } else {
        printf("%s\n", DisplayName(o).c_str());
      }
    }
    return ExitCode(outcomes);
  }

  const bool tty = isatty(STDERR_FILENO);
  const std::string where = inner ? " in " + c.inner_run : "";
  config.progress = [tty, where](const CaseOutcome& o, int done, int total) {
    if (tty) {
      fprintf(stderr, "\r\033[K[%d/%d] %s %s", done, total, VerdictName(o.verdict),
              DisplayName(o).c_str());
      if (done == total) fputc('\n', stderr);
    } else if (total >= 20 && (done % (total / 10) == 0 || done == total)) {
      fprintf(stderr, "[%d/%d] instances run%s\n", done, total, where.c_str());
    }
  };
  if (inner) {
    // A guest that may die part way gets each outcome as it finishes.
    if (auto sink = InnerRunSink(c.inner_run)) {
      config.progress = [sink](const CaseOutcome& o, int, int) { sink(o); };
    }
  }
  absl::StatusOr<GuestRun> host_run = host->Run(*files, config);
  if (!host_run.ok()) return Fail(host_run.status());
  const std::vector<CaseOutcome>& outcomes = host_run->outcomes;
  if (int code = CheckSelection(c, config, *files, outcomes.size()); code != 0) {
    return code;
  }

  // The guest already has every outcome, line by line.
  if (inner && InnerRunSink(c.inner_run)) return ExitCode(outcomes);
  std::string report;
  int code;
  if (several) {
    CommandLine conform = c;
    conform.format = format;
    code = ConformSeveral(conform, *files, *host, *host_run, report);
    if (report.empty()) return code;
  } else if (side.guest != nullptr || !c.html.empty() || !c.markdown.empty()) {
    CommandLine conform = c;
    conform.format = format;
    code = Conform(conform, side, *files, *host, *host_run, report);
    if (report.empty()) return code;
  } else {
    report = format == "junit"  ? JunitReport(outcomes)
             : format == "json" ? JsonReport(outcomes)
             : format == "ktap" ? KtapReport(outcomes)
             : format == "tap"  ? TapReport(outcomes)
                                : TextReport(outcomes, c.verbose);
    code = ExitCode(outcomes);
  }
  if (output.empty()) {
    fputs(report.c_str(), stdout);
  } else if (!WriteFile(output, report)) {
    return 2;
  }
  // Under `bazel test`, each instance becomes a test case in test.xml.
  const char* xml = getenv("XML_OUTPUT_FILE");
  if (xml != nullptr && !inner && side.guest == nullptr) {
    std::ofstream(xml) << JunitReport(outcomes);
  }
  return code;
}

}  // namespace

int RunCommandLine(const CommandLine& c) {
  // `bazel run` starts us in the runfiles tree; paths on the command line
  // are the user's, relative to where bazel was started.
  if (const char* dir = getenv("BUILD_WORKING_DIRECTORY"); dir && *dir) {
    if (chdir(dir) != 0) {
      return Fail(absl::InternalError(absl::StrCat(
          "chdir(", dir, ") (BUILD_WORKING_DIRECTORY) failed: ", strerror(errno))));
    }
  }
  switch (c.command) {
    case Command::kPrint:
      fputs(c.text.c_str(), stdout);
      return 0;
    case Command::kUsage:
      fputs(c.text.c_str(), stderr);
      return 2;
    case Command::kCheck:
      return Check(c);
    case Command::kRecord:
      return RecordCommand(c);
    case Command::kRun:
    case Command::kReport:
      return Run(c);
  }
  return 2;
}

}  // namespace sockspec
