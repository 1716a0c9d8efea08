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
#include "harness/frontend.h"
#include "harness/report.h"
#include "harness/runner.h"

namespace sockspec {
namespace {

constexpr char kUsage[] =
    "usage: sockspec run [options] [PATH...]   run case files or folders "
    "(default: cases)\n"
    "       sockspec check PATH...             validate case files, run "
    "nothing\n"
    "options:\n"
    "  --filter=REGEX     only instances whose name (\"path [instance]\") "
    "matches\n"
    "  --list             list the instances instead of running them\n"
    "  --jobs=N           run N instances at once (default 1)\n"
    "  --repeat=N         run every instance N times\n"
    "  --format=FORMAT    text (default), junit or json\n"
    "  --output=FILE      write the report to FILE instead of stdout\n"
    "  --platform=NAME    whose expectations apply: linux, gvisor, freebsd, "
    "darwin, ...\n"
    "                     (default: detected)\n"
    "  --step-timeout=MS  deadline of a step that is not expected to block\n"
    "  --verbose          list passing instances too\n";

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
  for (const std::string& f : *files) {
    absl::StatusOr<LoadedCase> c = LoadCaseFile(f, DetectPlatform());
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

int Run(const std::vector<std::string>& args) {
  RunConfig config;
  config.platform = DetectPlatform();
  std::string format = "text", output;
  bool list = false, verbose = false;
  std::vector<std::string> paths;
  for (const std::string& a : args) {
    if (IntFlag(a, "--jobs", 1, &config.jobs) ||
        IntFlag(a, "--repeat", 1, &config.repeat) ||
        IntFlag(a, "--step-timeout", 1, &config.exec.step_timeout_ms)) {
      continue;
    } else if (absl::StartsWith(a, "--filter=")) {
      config.filter = a.substr(9);
      try {
        std::regex check(config.filter);
      } catch (const std::regex_error& e) {
        return Usage(("--filter: not a valid regular expression: " + config.filter).c_str());
      }
    } else if (absl::StartsWith(a, "--format=")) {
      format = a.substr(9);
      if (format != "text" && format != "junit" && format != "json") {
        return Usage(("unknown format '" + format + "'").c_str());
      }
    } else if (absl::StartsWith(a, "--output=")) {
      output = a.substr(9);
    } else if (absl::StartsWith(a, "--platform=")) {
      config.platform = a.substr(11);
    } else if (a == "--list") {
      list = true;
    } else if (a == "--verbose") {
      verbose = true;
    } else if (absl::StartsWith(a, "-")) {
      return Usage(("unknown option '" + a + "'").c_str());
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) paths.push_back("cases");
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(paths);
  if (!files.ok()) {
    fprintf(stderr, "sockspec: %s\n", std::string(files.status().message()).c_str());
    return 2;
  }

  std::vector<CaseOutcome> outcomes;
  if (list) {
    outcomes = ListCases(*files, config);
    for (const CaseOutcome& o : outcomes) {
      if (o.verdict == Verdict::kError) {
        fputs(o.message.c_str(), stderr);
      } else {
        printf("%s\n", DisplayName(o).c_str());
      }
    }
    return ExitCode(outcomes);
  }

  const bool tty = isatty(STDERR_FILENO);
  config.progress = [tty](const CaseOutcome& o, int done, int total) {
    if (tty) {
      fprintf(stderr, "\r\033[K[%d/%d] %s %s", done, total, VerdictName(o.verdict),
              DisplayName(o).c_str());
      if (done == total) fputc('\n', stderr);
    } else if (total >= 20 && (done % (total / 10) == 0 || done == total)) {
      fprintf(stderr, "[%d/%d] instances run\n", done, total);
    }
  };
  outcomes = RunCases(*files, config);

  std::string report = format == "junit" ? JunitReport(outcomes)
                       : format == "json" ? JsonReport(outcomes)
                                          : TextReport(outcomes, verbose);
  if (output.empty()) {
    fputs(report.c_str(), stdout);
  } else {
    std::ofstream out(output);
    out << report;
    if (!out) {
      fprintf(stderr, "sockspec: cannot write %s\n", output.c_str());
      return 2;
    }
  }
  // Under `bazel test`, each instance becomes a test case in test.xml.
  if (const char* xml = getenv("XML_OUTPUT_FILE")) {
    std::ofstream(xml) << JunitReport(outcomes);
  }
  return ExitCode(outcomes);
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
  if (command == "run") return sockspec::Run(args);
  if (command == "check") return sockspec::Check(args);
  return sockspec::Usage(("unknown command '" + command + "'").c_str());
}
