// Generates cases/COVERAGE.md from the case library, or checks it is current.
//   bazel run //harness:coverage -- --write   rewrites cases/COVERAGE.md
//   coverage --check                          exit 1 when it is stale
// Run from the workspace root (`bazel run` goes there by itself).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "absl/strings/str_split.h"
#include "harness/cli/coverage.h"
#include "harness/lang/frontend.h"
#include "harness/guest/runner.h"

namespace sockspec {
namespace {

constexpr char kCases[] = "cases";
constexpr char kBehaviours[] = "cases/behaviours.tsv";
constexpr char kGaps[] = "cases/gaps.tsv";
constexpr char kTable[] = "cases/COVERAGE.md";

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

int Fail(const std::string& message) {
  fprintf(stderr, "coverage: %s\n", message.c_str());
  return 2;
}

int Main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "--write" && mode != "--check" && mode != "--print") {
    return Fail("usage: coverage --write | --check | --print");
  }
  if (const char* ws = getenv("BUILD_WORKSPACE_DIRECTORY")) {
    if (chdir(ws) != 0) return Fail(std::string("cannot enter ") + ws);
  }
  std::string text;
  if (!ReadFile(kBehaviours, &text)) return Fail(std::string("cannot read ") + kBehaviours);
  absl::StatusOr<std::vector<Behaviour>> behaviours = ParseBehaviours(kBehaviours, text);
  if (!behaviours.ok()) return Fail(std::string(behaviours.status().message()));

  std::map<std::string, std::string> gaps;
  if (ReadFile(kGaps, &text)) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      if (line.empty() || line[0] == '#') continue;
      std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('\t', 1));
      gaps[kv.first] = kv.second;
    }
  }

  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles({kCases});
  if (!files.ok()) return Fail(std::string(files.status().message()));
  std::vector<LoadedCase> cases;
  for (const std::string& f : *files) {
    absl::StatusOr<LoadedCase> c = LoadCaseFile(f, "linux");
    if (!c.ok()) return Fail(std::string(c.status().message()));
    if (!c->errors.empty()) {
      fputs(FormatErrors(*c).c_str(), stderr);
      return 2;
    }
    cases.push_back(std::move(*c));
  }
  std::string table = RenderCoverage(*behaviours, Collect(cases, "cases/"), gaps);

  if (mode == "--print") {
    fputs(table.c_str(), stdout);
    return 0;
  }
  if (mode == "--write") {
    std::ofstream(kTable) << table;
    printf("wrote %s\n", kTable);
    return 0;
  }
  std::string current;
  ReadFile(kTable, &current);
  if (current != table) {
    fprintf(stderr,
            "%s is stale: the case library changed. Regenerate it with\n"
            "  bazel run //harness:coverage -- --write\n",
            kTable);
    return 1;
  }
  printf("%s is current\n", kTable);
  return 0;
}

}  // namespace
}  // namespace sockspec

int main(int argc, char** argv) { return sockspec::Main(argc, argv); }
