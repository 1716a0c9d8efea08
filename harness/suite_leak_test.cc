// No leaks: after the whole case library (and the harness self-test cases
// whose peers hang and crash) has run, there is no leftover process, no socket
// file or directory under the temporary root, and the harness's fd table is
// what it was. Once in this process (the fd table is visible directly), once
// through the sockspec binary in a session of its own.
//
// The library runs twice, once per path of the runner: in this process with
// one job (the executor's own fds, in this fd table) and through the binary
// with two (the worker pool; its processes and files). The pool's own fds in
// this process are checked with two jobs on the three self-test instances
// (two workers, started, fed and stopped). A third whole-library run (two
// jobs in this process) cost about 50 s of CPU (`sockspec run --jobs=2
// cases`: 15 s user + 37 s system, at load 25) for the same pool code.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/exec/rundir.h"
#include "harness/guest/runner.h"

namespace sockspec {
namespace {

// Bazel runs a test in its runfiles tree: these are relative to it.
constexpr char kLibrary[] = "cases";
const std::vector<std::string> kHangAndCrash = {
    "harness/testdata/hangs-where-not-expected.case",
    "harness/testdata/peer-crashes.case",
    "harness/testdata/case-deadline.case",
    // A setup step interrupted in the harness: its listener's socket file,
    // in the private directory, must go with the directory.
    "harness/testdata/setup-hangs.case",
    "harness/testdata/connect-hangs-where-not-expected.case",
};

std::string FreshRoot(const std::string& name) {
  const char* t = getenv("TEST_TMPDIR");
  std::string root = std::string(t != nullptr ? t : "/tmp") + "/" + name + ".XXXXXX";
  EXPECT_NE(mkdtemp(root.data()), nullptr);
  return root;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return {"<cannot open " + dir + ">"};
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  return names;
}

struct Proc {
  pid_t pid, ppid, sid;
  std::string comm;
};

std::vector<Proc> AllProcesses() {
  std::vector<Proc> out;
  for (const std::string& name : Entries("/proc")) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f("/proc/" + name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), {});
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    Proc p{};
    pid_t pgrp;
    rest >> state >> p.ppid >> pgrp >> p.sid;
    p.pid = atoi(name.c_str());
    p.comm = stat.substr(stat.find('(') + 1, close - stat.find('(') - 1);
    out.push_back(p);
  }
  return out;
}

// Processes whose parent chain leads to `ancestor`, or in session `sid`.
std::vector<std::string> Descendants(pid_t ancestor, pid_t sid) {
  std::vector<Proc> all = AllProcesses();
  std::set<pid_t> tree = {ancestor};
  for (bool grew = true; grew;) {
    grew = false;
    for (const Proc& p : all) {
      if (tree.count(p.ppid) && tree.insert(p.pid).second) grew = true;
    }
  }
  std::vector<std::string> out;
  for (const Proc& p : all) {
    if (p.pid == ancestor) continue;
    if (tree.count(p.pid) || (sid > 0 && p.sid == sid)) {
      out.push_back(std::to_string(p.pid) + " (" + p.comm + ")");
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + " ";
  return s;
}

TEST(SuiteLeaks, InProcessRunLeavesNoFdProcessOrFileBehind) {
  const std::string root = FreshRoot("inproc");
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles({kLibrary});
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_GT(files->size(), 40u);
  const std::set<int> fds_before = OpenFds();

  for (int jobs : {1, 2}) {
    RunConfig config;
    config.jobs = jobs;
    config.exec.tmp_root = root;
    // With two jobs the library runs through the binary (next test).
    for (const CaseOutcome& o : jobs == 1 ? RunCases(*files, config)
                                          : std::vector<CaseOutcome>{}) {
      // A skip (an unmet `requires`: no IPv6, few fds) is not a failure.
      EXPECT_TRUE(o.verdict == Verdict::kPass || o.verdict == Verdict::kSkip)
          << DisplayName(o) << "\n" << Message(o);
    }
    // Peers that hang and crash: killed and reaped, their files removed. No
    // short step deadline: the library's own steps must not race one under
    // load; certain hangs are seen at once and case-deadline.case's own
    // `timeout 300` header stops the one hang that time would end.
    for (const CaseOutcome& o : RunCases(kHangAndCrash, config)) {
      EXPECT_EQ(o.verdict, Verdict::kFail) << DisplayName(o) << "\n" << Message(o);
      // The executor compares its fd table after every instance.
      EXPECT_EQ(Message(o).find("leaked"), std::string::npos) << Message(o);
    }
  }

  const std::set<int> fds_after = OpenFds();
  EXPECT_EQ(fds_after, fds_before) << "before: " << DescribeFds(fds_before)
                                   << "\nafter: " << DescribeFds(fds_after);
  EXPECT_EQ(Join(Descendants(getpid(), 0)), "");
  errno = 0;
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(Join(Entries(root)), "");
}

TEST(SuiteLeaks, SockspecBinaryInItsOwnSessionLeavesNothingBehind) {
  const std::string root = FreshRoot("binary");
  const std::string out = root + ".out";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setsid();  // every process it makes is in session `pid`, whoever reaps it
    setenv("TMPDIR", root.c_str(), 1);
    unsetenv("TEST_TMPDIR");
    unsetenv("XML_OUTPUT_FILE");
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<const char*> argv = {"harness/sockspec", "run", "--jobs=2", kLibrary};
    for (const std::string& f : kHangAndCrash) argv.push_back(f.c_str());
    argv.push_back(nullptr);
    execv(argv[0], const_cast<char**>(argv.data()));
    _exit(127);
  }
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  std::ifstream f(out);
  std::string report((std::istreambuf_iterator<char>(f)), {});
  ASSERT_TRUE(WIFEXITED(status)) << report;
  // Exactly the self-test cases fail; nothing is a harness error.
  EXPECT_EQ(WEXITSTATUS(status), 1) << report;
  EXPECT_NE(report.find(" " + std::to_string(kHangAndCrash.size()) + " failed"), std::string::npos)
      << report;
  EXPECT_EQ(report.find("harness error"), std::string::npos) << report;

  EXPECT_EQ(Join(Descendants(pid, pid)), "");
  EXPECT_EQ(Join(Entries(root)), "");
}

}  // namespace
}  // namespace sockspec
