#include "harness/cli/cli_run.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/cli/cli_record.h"
#include "harness/report/compare.h"
#include "harness/lang/frontend.h"
#include "harness/guest/guest.h"
#include "harness/report/html_report.h"
#include "harness/report/markdown_report.h"
#include "harness/report/report.h"
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
  absl::StatusOr<std::unique_ptr<Guest>> guest = MakeGuest(c.under);
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
            const GuestRun& host_run, std::string& report) {
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
                                  : TextReport(host, c.verbose);
    return ExitCode(host);
  }
  std::vector<CaseOutcome> rows = ComparisonOutcomes(run);
  report = c.format == "junit"  ? JunitReport(rows)
           : c.format == "json" ? ComparisonJson(run)
                                : ComparisonText(run, c.verbose);
  if (const char* xml = getenv("XML_OUTPUT_FILE")) {
    std::ofstream(xml) << JunitReport(rows);
  }
  return ComparisonExitCode(run);
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
  GuestSide side;
  if (int code = PrepareGuest(c, side); code != 0) return code;
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(c.paths);
  if (!files.ok()) return Fail(files.status());

  if (c.list) {
    std::vector<CaseOutcome> outcomes = ListCases(*files, config);
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
  absl::StatusOr<GuestRun> host_run = host->Run(*files, config);
  if (!host_run.ok()) return Fail(host_run.status());
  const std::vector<CaseOutcome>& outcomes = host_run->outcomes;

  std::string report;
  int code;
  if (side.guest != nullptr || !c.html.empty() || !c.markdown.empty()) {
    CommandLine conform = c;
    conform.format = format;
    code = Conform(conform, side, *files, *host, *host_run, report);
    if (report.empty()) return code;
  } else {
    report = format == "junit"  ? JunitReport(outcomes)
             : format == "json" ? JsonReport(outcomes)
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
