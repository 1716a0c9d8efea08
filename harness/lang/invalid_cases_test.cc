// Every file in cases/invalid/ states, on its first line, the diagnostic it
// must produce: `# error: LINE:COL: message`. This test loads each and checks
// that the first diagnostic is exactly that.
#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/lang/frontend.h"

namespace sockspec {
namespace {

std::string InvalidDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string base = srcdir ? srcdir : ".";
  return base + "/" + (workspace ? workspace : "sockspec") + "/cases/invalid";
}

std::vector<std::string> CaseFiles(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".case") {
      out.push_back(dir + "/" + name);
    }
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(InvalidCases, EachProducesExactlyTheDiagnosticItsFirstLineStates) {
  std::vector<std::string> files = CaseFiles(InvalidDir());
  ASSERT_GE(files.size(), 14u) << "in " << InvalidDir();
  for (const std::string& path : files) {
    absl::StatusOr<LoadedCase> loaded = LoadCaseFile(path, "linux");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const std::string& text = loaded->text;
    const std::string prefix = "# error: ";
    ASSERT_EQ(text.compare(0, prefix.size(), prefix), 0)
        << path << ": the first line must be '# error: LINE:COL: message'";
    std::string expected =
        text.substr(prefix.size(), text.find('\n') - prefix.size());
    ASSERT_FALSE(loaded->errors.empty()) << path << ": no diagnostic";
    EXPECT_EQ(ShortDiagnostic(loaded->errors[0]), expected)
        << path << "\n"
        << FormatErrors(*loaded);
    EXPECT_TRUE(loaded->plans.empty()) << path;
  }
}

}  // namespace
}  // namespace sockspec
