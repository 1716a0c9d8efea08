#include "harness/cli/cli_run.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/cli/cli_record.h"
#include "harness/report/compare.h"
#include "harness/lang/frontend.h"
#include "harness/guest/guest.h"
#include "harness/report/html_report.h"
#include "harness/report/markdown_report.h"
#include "harness/report/report.h"
#include "harness/report/systems_html.h"
#include "harness/report/systems_markdown.h"
#include "harness/report/tap_report.h"
#include "harness/guest/runner.h"
#include "harness/report/xfail.h"

namespace sockspec {
namespace {

int Fail(const absl::Status& status) {
  fprintf(stderr, "sockspec: %s\n", std::string(status.message()).c_str());
  return 2;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) fprintf(stderr, "sockspec: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

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

// The system --under names, ready to run, with its expected-failure list.
struct GuestSide {
  std::unique_ptr<Guest> guest;  // null: no --under
  XfailList xfail;
  bool have_xfail = false;
};

// Resolves --under and --xfail and checks the guest's prerequisites, before
// anything runs; returns 0 to go on, else the exit code.
int PrepareGuest(const CommandLine& c, GuestSide& side) {
  if (c.under.empty()) return 0;
  absl::StatusOr<std::unique_ptr<Guest>> guest = MakeGuest(c.under, c.guest_options);
  if (!guest.ok()) {
    return Fail(absl::InvalidArgumentError(
        "--under: " + std::string(guest.status().message())));
  }
  side.guest = std::move(*guest);
  const std::string file = c.xfail.empty()
                               ? DefaultXfailFile(c.paths, side.guest->Platform())
                               : c.xfail;
  if (!file.empty() && file != "none") {
    absl::StatusOr<XfailList> list = LoadXfailList(file);
    if (!list.ok()) {
      fprintf(stderr, "%s", std::string(list.status().message()).c_str());
      return 2;
    }
    side.xfail = std::move(*list);
    side.have_xfail = true;
  }
  if (absl::Status s = side.guest->CheckPrerequisites(); !s.ok()) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat("--under=", c.under, ": ", s.message())));
  }
  return 0;
}

// With a guest, --html or --markdown: runs the guest (if any), compares,
// writes the report pages and the chosen format into `report`; returns the
// comparison's exit code.
int Conform(const CommandLine& c, GuestSide& side,
            const std::vector<std::string>& files, const Guest& host_guest,
            const GuestRun& host_run, std::string& report,
            std::vector<CaseOutcome>* rows_out = nullptr,
            ConformanceRun* run_out = nullptr) {
  std::string platform, failure;
  GuestRun guest_run;
  if (side.guest != nullptr) {
    platform = side.guest->Platform();
    fprintf(stderr, "sockspec: running %zu instances on %s\n",
            host_run.outcomes.size(), side.guest->System().c_str());
    RunConfig config = c.config;
    config.platform = platform;
    config.progress = nullptr;
    absl::StatusOr<GuestRun> ran = side.guest->Run(files, config);
    if (ran.ok()) {
      guest_run = std::move(*ran);
      // Failed part way: what finished is compared, the rest carries why.
      failure = guest_run.error;
      if (!failure.empty()) fprintf(stderr, "sockspec: %s\n", failure.c_str());
    } else {
      failure = std::string(ran.status().message());
      fprintf(stderr, "sockspec: %s\n", failure.c_str());
    }
  }
  const std::vector<CaseOutcome>& host = host_run.outcomes;
  ConformanceRun run = Compare(platform, host, guest_run.outcomes,
                               side.have_xfail ? &side.xfail : nullptr);
  run.host_system = host_guest.System();
  if (side.guest != nullptr) {
    run.guest_system = side.guest->System();
    run.guest_version = guest_run.version;
    run.guest_seconds = guest_run.seconds;
    for (Comparison& row : run.rows) {
      if (!failure.empty() && !row.guest) {
        row.note = run.guest_system + " run failed: " + failure;
      }
    }
  }
  if (!c.html.empty() && !WriteFile(c.html, HtmlReport(run))) return 2;
  if (!c.markdown.empty() && !WriteFile(c.markdown, MarkdownReport(run))) return 2;
  if (side.guest == nullptr) {
    report = c.format == "junit"  ? JunitReport(host)
             : c.format == "json" ? JsonReport(host)
             : c.format == "ktap" ? KtapReport(host)
             : c.format == "tap"  ? TapReport(host)
                                  : TextReport(host, c.verbose);
    return ExitCode(host);
  }
  std::vector<CaseOutcome> rows = ComparisonOutcomes(run);
  if (rows_out != nullptr) {
    // Several systems in one JUnit file: each test name says which.
    for (CaseOutcome& row : rows) {
      row.instance = row.instance.empty() ? "on " + run.guest_system
                                          : row.instance + ", on " + run.guest_system;
      rows_out->push_back(row);
    }
  }
  report = c.format == "junit"  ? JunitReport(rows)
           : c.format == "json" ? ComparisonJson(run)
           : c.format == "ktap" ? KtapReport(rows)
           : c.format == "tap"  ? TapReport(rows)
                                : ComparisonText(run, c.verbose);
  if (const char* xml = getenv("XML_OUTPUT_FILE")) {
    std::ofstream(xml) << JunitReport(rows);
  }
  if (run_out != nullptr) *run_out = run;
  return ComparisonExitCode(run);
}

// What makes the case paths (relative to the working directory) work as
// links from the page at `report`: "" beside them, "../" one folder down.
std::string LinkBase(const std::string& report) {
  std::error_code ec;
  const std::filesystem::path dir =
      std::filesystem::absolute(report, ec).parent_path();
  std::filesystem::path rel =
      std::filesystem::relative(std::filesystem::current_path(ec), dir, ec);
  if (ec || rel.empty() || rel == ".") return "";
  return rel.string() + "/";
}

// Several --under: every guest's prerequisites checked first, then each
// run and compared with the host in turn; one report (text: each
// comparison; json: an array of them; junit: every row, named by system;
// --html and --markdown: the systems matrix).
int ConformSeveral(const CommandLine& c, const std::vector<std::string>& files,
                   const Guest& host, const GuestRun& host_run, std::string& report) {
  std::vector<CommandLine> lines;
  std::vector<GuestSide> sides(c.unders.size());
  for (size_t i = 0; i < c.unders.size(); ++i) {
    lines.push_back(c);
    lines.back().under = c.unders[i];
    lines.back().html.clear();
    lines.back().markdown.clear();
    if (int code = PrepareGuest(lines.back(), sides[i]); code != 0) return code;
  }
  int code = 0;
  std::vector<CaseOutcome> rows;
  std::vector<std::string> parts;
  std::vector<ConformanceRun> runs(sides.size());
  for (size_t i = 0; i < sides.size(); ++i) {
    std::string part;
    int one = Conform(lines[i], sides[i], files, host, host_run, part, &rows, &runs[i]);
    code = std::max(code, one);
    parts.push_back(part);
  }
  if (!c.html.empty() && !WriteFile(c.html, SystemsHtml(runs, LinkBase(c.html)))) return 2;
  if (!c.markdown.empty() &&
      !WriteFile(c.markdown, SystemsMarkdown(runs, LinkBase(c.markdown)))) {
    return 2;
  }
  if (c.format == "junit") {
    report = JunitReport(rows);
  } else if (c.format == "ktap") {
    report = KtapReport(rows);
  } else if (c.format == "tap") {
    report = TapReport(rows);
  } else if (c.format == "json") {
    report = absl::StrCat("[\n", absl::StrJoin(parts, ",\n"), "]\n");
  } else {
    report = absl::StrJoin(parts, "\n");
  }
  if (const char* xml = getenv("XML_OUTPUT_FILE")) std::ofstream(xml) << JunitReport(rows);
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
