// The sockspec command: runs case files against this machine's sockets.
//   sockspec run [options] [PATH...]   (default PATH: cases)
//   sockspec check PATH...             validate only
// Exit codes: 0 all passed, 1 a case failed, 2 an error (bad case file, bad
// usage, harness or environment problem).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "harness/compare.h"
#include "harness/frontend.h"
#include "harness/gvisor.h"
#include "harness/html_report.h"
#include "harness/markdown_report.h"
#include "harness/report.h"
#include "harness/runner.h"
#include "harness/xfail.h"

namespace sockspec {
namespace {

constexpr char kUsage[] =
    "usage: sockspec run [options] [PATH...]   run case files or folders "
    "(default: cases)\n"
    "       sockspec report --html=FILE --markdown=FILE [options] [PATH...]\n"
    "                                          run and write the conformance "
    "report\n"
    "       sockspec check PATH...             validate case files, run "
    "nothing\n"
    "options:\n"
    "  --filter=REGEX     only instances whose name (\"path [instance]\") "
    "matches\n"
    "  --list             list the instances instead of running them\n"
    "  --jobs=N           run N instances at once (default 1); every option\n"
    "                     that takes a value also takes it as the next word\n"
    "  --repeat=N         run every instance N times\n"
    "  --format=FORMAT    text (default), junit or json\n"
    "  --output=FILE      write the report to FILE instead of stdout\n"
    "  --platform=NAME    whose expectations apply: linux, gvisor, freebsd, "
    "darwin, ...\n"
    "                     (default: detected)\n"
    "  --step-timeout=MS  deadline of a step that is not expected to block\n"
    "  --verbose          list passing instances too\n"
    "  --under=gvisor     also run the instances inside one gVisor sandbox "
    "(runsc;\n"
    "                     root) and compare them with this kernel's, instance "
    "by instance\n"
    "  --xfail=FILE       the guest's expected-failure list (default:\n"
    "                     cases/platforms/GUEST.xfail when it exists; none: "
    "no list)\n"
    "  --html=FILE        write the conformance report as one HTML page\n"
    "  --markdown=FILE    write the conformance report as Markdown\n";

int Usage(const char* problem) {
  fprintf(stderr, "sockspec: %s\n%s", problem, kUsage);
  return 2;
}

// gVisor's sentry reports a fixed old kernel version with its own banner.
std::string DetectPlatform() {
  std::ifstream version("/proc/version");
  std::string line;
  std::getline(version, line);
  if (absl::StrContains(line, "gVisor") ||
      absl::StartsWith(line, "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016")) {
    return "gvisor";
  }
  return "linux";
}

bool IntFlag(const std::string& arg, const char* name, int min, int* out) {
  std::string prefix = std::string(name) + "=";
  if (!absl::StartsWith(arg, prefix)) return false;
  int v;
  if (!absl::SimpleAtoi(arg.substr(prefix.size()), &v) || v < min) {
    exit(Usage((arg + ": expected a whole number >= " + std::to_string(min)).c_str()));
  }
  *out = v;
  return true;
}

int Check(const std::vector<std::string>& paths) {
  if (paths.empty()) return Usage("check needs a PATH");
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(paths);
  if (!files.ok()) {
    fprintf(stderr, "sockspec: %s\n", std::string(files.status().message()).c_str());
    return 2;
  }
  int code = 0;
  const std::string platform = DetectPlatform();
  for (const std::string& f : *files) {
    absl::StatusOr<LoadedCase> c = LoadCaseFile(f, platform);
    if (!c.ok()) {
      fprintf(stderr, "sockspec: %s\n", std::string(c.status().message()).c_str());
      code = 2;
    } else if (!c->errors.empty()) {
      fputs(FormatErrors(*c).c_str(), stderr);
      code = 2;
    }
  }
  if (code == 0) printf("%zu case files OK\n", files->size());
  return code;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) fprintf(stderr, "sockspec: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

struct RunArgs {
  RunConfig config;
  std::string format = "text", output, under, xfail, html, markdown, sandboxed;
  bool list = false, verbose = false;
  std::vector<std::string> paths;
  // What the run inside a sandbox gets: paths and the options that choose
  // and run instances.
  std::vector<std::string> forwarded;
};

// The options that take a value, which may come as "--jobs=2" or "--jobs 2".
constexpr const char* kValueOptions[] = {
    "--jobs",   "--repeat", "--step-timeout", "--filter", "--format", "--output",
    "--platform", "--under", "--xfail",       "--html",   "--markdown"};

// Rewrites "--jobs 2" as "--jobs=2"; a value option at the end stays as it
// is and is reported as unknown.
std::vector<std::string> JoinOptionValues(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    bool joined = false;
    for (const char* opt : kValueOptions) {
      if (args[i] == opt && i + 1 < args.size()) {
        out.push_back(args[i] + "=" + args[i + 1]);
        ++i;
        joined = true;
        break;
      }
    }
    if (!joined) out.push_back(args[i]);
  }
  return out;
}

// Parses `run` / `report` arguments; returns 0 to go on, else an exit code.
int ParseRunArgs(const std::vector<std::string>& raw_args, RunArgs& r) {
  r.config.platform = DetectPlatform();
  const std::vector<std::string> args = JoinOptionValues(raw_args);
  for (const std::string& a : args) {
    if (IntFlag(a, "--jobs", 1, &r.config.jobs) ||
        IntFlag(a, "--repeat", 1, &r.config.repeat) ||
        IntFlag(a, "--step-timeout", 1, &r.config.exec.step_timeout_ms)) {
      r.forwarded.push_back(a);
    } else if (absl::StartsWith(a, "--filter=")) {
      r.config.filter = a.substr(9);
      r.forwarded.push_back(a);
      try {
        std::regex check(r.config.filter);
      } catch (const std::regex_error& e) {
        return Usage(("--filter: not a valid regular expression: " + r.config.filter).c_str());
      }
    } else if (absl::StartsWith(a, "--format=")) {
      r.format = a.substr(9);
      if (r.format != "text" && r.format != "junit" && r.format != "json") {
        return Usage(("unknown format '" + r.format + "'").c_str());
      }
    } else if (absl::StartsWith(a, "--output=")) {
      r.output = a.substr(9);
    } else if (absl::StartsWith(a, "--platform=")) {
      r.config.platform = a.substr(11);
    } else if (absl::StartsWith(a, "--under=")) {
      r.under = a.substr(8);
      if (r.under != "gvisor") {
        return Usage(("--under: unknown system '" + r.under + "' (known: gvisor)").c_str());
      }
    } else if (absl::StartsWith(a, "--xfail=")) {
      r.xfail = a.substr(8);
    } else if (absl::StartsWith(a, "--html=")) {
      r.html = a.substr(7);
    } else if (absl::StartsWith(a, "--markdown=")) {
      r.markdown = a.substr(11);
    } else if (absl::StartsWith(a, kSandboxedFlag)) {
      r.sandboxed = a.substr(strlen(kSandboxedFlag));
    } else if (a == "--list") {
      r.list = true;
    } else if (a == "--verbose") {
      r.verbose = true;
    } else if (absl::StartsWith(a, "-")) {
      return Usage(("unknown option '" + a + "'").c_str());
    } else {
      r.paths.push_back(a);
      r.forwarded.push_back(a);
    }
  }
  if (r.paths.empty()) r.paths.push_back("cases");
  if (!r.sandboxed.empty()) {
    // The run inside a sandbox: its detected platform must be the sandbox's,
    // or every comparison would judge the guest by the wrong answers.
    if (DetectPlatform() != r.sandboxed) {
      fprintf(stderr,
              "sockspec: inside the %s sandbox the platform was detected as "
              "'%s' (see /proc/version)\n",
              r.sandboxed.c_str(), DetectPlatform().c_str());
      return 2;
    }
    r.config.platform = r.sandboxed;
    r.format = "json";
    r.output.clear();
  }
  return 0;
}

// --under, --html, --markdown: compares with the guest (if any), writes the
// report pages and the chosen format; returns the comparison's exit code.
int Conform(const RunArgs& r, const std::vector<std::string>& /*files*/,
            const std::vector<CaseOutcome>& host, std::string& report) {
  std::vector<CaseOutcome> guest;
  std::string guest_version, failure;
  double guest_seconds = 0;
  XfailList xfail;
  bool have_xfail = false;
  if (!r.under.empty()) {
    std::string xfail_file =
        r.xfail.empty() ? DefaultXfailFile(r.paths, r.under) : r.xfail;
    if (!xfail_file.empty() && xfail_file != "none") {
      absl::StatusOr<XfailList> list = LoadXfailList(xfail_file);
      if (!list.ok()) {
        fprintf(stderr, "%s", std::string(list.status().message()).c_str());
        return 2;
      }
      xfail = std::move(*list);
      have_xfail = true;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    fprintf(stderr, "sockspec: running %zu instances inside gVisor\n", host.size());
    absl::StatusOr<SandboxRun> sandbox = RunInGvisor(self, r.forwarded);
    if (sandbox.ok()) {
      guest = std::move(sandbox->outcomes);
      guest_version = sandbox->runsc_version;
      guest_seconds = sandbox->seconds;
    } else {
      failure = std::string(sandbox.status().message());
      fprintf(stderr, "sockspec: %s\n", failure.c_str());
    }
  }
  ConformanceRun run = Compare(r.under, host, guest,
                               have_xfail ? &xfail : nullptr);
  run.guest_version = guest_version;
  run.guest_seconds = guest_seconds;
  for (Comparison& c : run.rows) {
    if (!failure.empty() && !c.guest) c.note = "gVisor run failed: " + failure;
  }
  if (!r.html.empty() && !WriteFile(r.html, HtmlReport(run))) return 2;
  if (!r.markdown.empty() && !WriteFile(r.markdown, MarkdownReport(run))) return 2;
  if (r.under.empty()) {
    report = r.format == "junit" ? JunitReport(host)
             : r.format == "json" ? JsonReport(host)
                                  : TextReport(host, r.verbose);
    return ExitCode(host);
  }
  std::vector<CaseOutcome> rows = ComparisonOutcomes(run);
  report = r.format == "junit" ? JunitReport(rows)
           : r.format == "json" ? ComparisonJson(run)
                                : ComparisonText(run, r.verbose);
  if (const char* xml = getenv("XML_OUTPUT_FILE")) {
    std::ofstream(xml) << JunitReport(rows);
  }
  return ComparisonExitCode(run);
}

int Run(const std::vector<std::string>& args, bool report_command) {
  RunArgs r;
  if (int code = ParseRunArgs(args, r); code != 0) return code;
  if (report_command && r.html.empty() && r.markdown.empty()) {
    return Usage("report needs --html=FILE and/or --markdown=FILE");
  }
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(r.paths);
  if (!files.ok()) {
    fprintf(stderr, "sockspec: %s\n", std::string(files.status().message()).c_str());
    return 2;
  }

  std::vector<CaseOutcome> outcomes;
  if (r.list) {
    outcomes = ListCases(*files, r.config);
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
  const std::string where = r.sandboxed.empty() ? "" : " in " + r.sandboxed;
  r.config.progress = [tty, where](const CaseOutcome& o, int done, int total) {
    if (tty) {
      fprintf(stderr, "\r\033[K[%d/%d] %s %s", done, total, VerdictName(o.verdict),
              DisplayName(o).c_str());
      if (done == total) fputc('\n', stderr);
    } else if (total >= 20 && (done % (total / 10) == 0 || done == total)) {
      fprintf(stderr, "[%d/%d] instances run%s\n", done, total, where.c_str());
    }
  };
  outcomes = RunCases(*files, r.config);

  std::string report;
  int code;
  const bool conform = !r.under.empty() || !r.html.empty() || !r.markdown.empty();
  if (conform) {
    code = Conform(r, *files, outcomes, report);
    if (report.empty()) return code;
  } else {
    report = r.format == "junit" ? JunitReport(outcomes)
             : r.format == "json" ? JsonReport(outcomes)
                                  : TextReport(outcomes, r.verbose);
    code = ExitCode(outcomes);
  }
  if (r.output.empty()) {
    fputs(report.c_str(), stdout);
  } else if (!WriteFile(r.output, report)) {
    return 2;
  }
  // Under `bazel test`, each instance becomes a test case in test.xml.
  const char* xml = getenv("XML_OUTPUT_FILE");
  if (xml != nullptr && r.sandboxed.empty() && r.under.empty()) {
    std::ofstream(xml) << JunitReport(outcomes);
  }
  return code;
}

}  // namespace
}  // namespace sockspec

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    fputs(sockspec::kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return sockspec::Run(args, false);
  if (command == "report") return sockspec::Run(args, true);
  if (command == "check") return sockspec::Check(args);
  return sockspec::Usage(("unknown command '" + command + "'").c_str());
}
