#include "harness/cli/cli_conform.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harness/report/html_report.h"
#include "harness/report/markdown_report.h"
#include "harness/report/report.h"
#include "harness/report/systems_html.h"
#include "harness/report/systems_markdown.h"
#include "harness/report/tap_report.h"

namespace sockspec {
namespace internal {
namespace {

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

}  // namespace

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

int Conform(const CommandLine& c, GuestSide& side,
            const std::vector<std::string>& files, const Guest& host_guest,
            const GuestRun& host_run, std::string& report,
            std::vector<CaseOutcome>* rows_out, ConformanceRun* run_out) {
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

}  // namespace internal
}  // namespace sockspec
