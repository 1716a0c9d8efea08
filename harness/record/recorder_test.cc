// The write-observe-review loop end to end on this kernel: placeholders are
// filled in the notation a person writes, the recorded file then passes as
// it is, nothing is written by recording, and what needs a person is named.
#include "harness/record/recorder.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/lang/frontend.h"
#include "harness/record/explain.h"
#include "harness/record/rewrite.h"

namespace sockspec {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Testdata(const std::string& name) {
  return Read("harness/record/testdata/" + name);
}

// A copy of testdata `name` in a scratch directory of its own.
std::string Scratch(const std::string& name) {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/recordXXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << Testdata(name);
  return path;
}

TEST(Recorder, PlaceholdersMakeEveryInstanceFailWithTheObservedAnswer) {
  absl::StatusOr<LoadedCase> c = LoadCaseFile(Scratch("seed.case"), "linux");
  ASSERT_TRUE(c.ok());
  ASSERT_THAT(c->errors, IsEmpty());
  EXPECT_EQ(c->warnings.size(), 7u);
  EXPECT_EQ(c->warnings[0].loc.line, 16);
  EXPECT_EQ(c->warnings[0].loc.col, 41);
  ASSERT_EQ(c->plans.size(), 9u);
  for (const Plan& p : c->plans) {
    InstanceResult r = RunPlan(p, RunOptions{});
    ASSERT_TRUE(r.failure.has_value()) << p.InstanceName();
    EXPECT_EQ(r.failure->kind, FailureKind::kMismatch);
    EXPECT_EQ(r.failure->loc.line, 16);
    EXPECT_EQ(r.failure->expected, "? (not yet known)");
    // SO_TYPE's value, as the judge prints it: the socket type's name.
    EXPECT_EQ(r.failure->observed, p.bindings[0].second);
  }
}

TEST(Recorder, RecordsThreeTypesOverThreeKindsAsAPersonWould) {
  const std::string path = Scratch("seed.case");
  const std::string before = Read(path);
  absl::StatusOr<FileRecord> r = RecordFile(path, RecordOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->attention, IsEmpty());
  EXPECT_EQ(r->placeholders, 7);
  EXPECT_EQ(r->filled.size(), 7u);
  // The hand-written expectation: $TYPE for SO_TYPE, payload slices, flag
  // and errno names, rights(g=a); comments stay in their column.
  EXPECT_EQ(r->recorded, Testdata("seed.recorded.case"));
  // Recording writes nothing.
  EXPECT_EQ(Read(path), before);

  // The recorded file passes unchanged, every instance.
  ASSERT_TRUE(WriteFileAtomically(path, r->recorded).ok());
  absl::StatusOr<LoadedCase> again = LoadCaseFile(path, "linux");
  ASSERT_TRUE(again.ok());
  ASSERT_THAT(again->errors, IsEmpty());
  EXPECT_THAT(again->warnings, IsEmpty());
  ASSERT_EQ(again->plans.size(), 9u);
  for (const Plan& p : again->plans) {
    InstanceResult run = RunPlan(p, RunOptions{});
    EXPECT_EQ(run.verdict, InstanceResult::Verdict::kPass)
        << p.InstanceName() << ": " << (run.failure ? FailureText(*run.failure) : "");
  }
  // And recording it again changes nothing.
  absl::StatusOr<FileRecord> twice = RecordFile(path, RecordOptions{});
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->recorded, twice->original);
  EXPECT_THAT(twice->attention, IsEmpty());
}

TEST(Recorder, NamesTheVariableThatSplitsRowsAndLeavesThosePlaceholders) {
  const std::string path = Scratch("mixed.case");
  absl::StatusOr<FileRecord> r = RecordFile(path, RecordOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->attention.size(), 2u);
  // After a 60-byte read of a 100-byte message only a stream has the rest.
  EXPECT_THAT(r->attention[0],
              HasSubstr("mixed.case:14:33: B: recv(b, 100, MSG_DONTWAIT): matrix rows "
                        "answer differently: TYPE=SOCK_STREAM: m[60:]; "
                        "TYPE=SOCK_DGRAM, SOCK_SEQPACKET: EAGAIN"));
  // Only streams raise SIGPIPE; a datagram peer that is gone refuses.
  EXPECT_THAT(r->attention[1],
              HasSubstr("TYPE=SOCK_STREAM: EPIPE signal SIGPIPE; TYPE=SOCK_DGRAM: "
                        "ECONNREFUSED; TYPE=SOCK_SEQPACKET: EPIPE"));
  EXPECT_THAT(r->recorded, HasSubstr("A: write(a, m) = 100\n"));
  EXPECT_THAT(r->recorded, HasSubstr("SO_PEERCRED) = cred(harness)\n"));
  EXPECT_THAT(r->recorded, HasSubstr("B: close(b) = 0\n"));
  EXPECT_THAT(r->recorded, HasSubstr("B: recv(b, 100, MSG_DONTWAIT) = ?\n"));
  EXPECT_THAT(r->recorded, HasSubstr("A: write(a, \"x\") = ?\n"));
}

TEST(Recorder, NeverChangesAWrittenExpectationThatFails) {
  const std::string path = Scratch("wrong.case");
  absl::StatusOr<FileRecord> r = RecordFile(path, RecordOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->recorded, r->original);
  ASSERT_EQ(r->attention.size(), 2u);
  EXPECT_THAT(r->attention[0], HasSubstr("wrong.case:9:1: A: write(a, \"hello\"): expected 4, got 5"));
  EXPECT_THAT(r->attention[1], HasSubstr("wrong.case:10:18: not reached in any row"));
}

TEST(Recorder, AnInvalidFileIsAnErrorWithItsDiagnostics) {
  const std::string path = Scratch("wrong.case");
  std::ofstream(path) << "title \"x\"\ncovers B01\nsource \"s\"\nA: read(b, 1) = ? 5\n";
  absl::StatusOr<FileRecord> r = RecordFile(path, RecordOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("wrong.case:4:"));
}

TEST(Recorder, ExplainDrawsEachPeersColumnAndWhoWokeWhom) {
  const std::string path = Scratch("wrong.case");
  std::ofstream(path) << "title \"A read sleeps until the writer writes\"\ncovers B01\n"
                         "source \"s\"\npayload m = 10\n"
                         "socketpair(AF_UNIX, SOCK_STREAM) = a, b\npeer A holds a\n"
                         "peer B holds b\nB: read(b, 10) blocks\nA: write(a, m) = 10\n"
                         "B: wakes = m\n";
  absl::StatusOr<std::pair<std::string, bool>> e = ExplainFile(path, "", RecordOptions{});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->second);
  const std::string& text = e->first;
  EXPECT_THAT(text, HasSubstr("A read sleeps until the writer writes\n"));
  EXPECT_THAT(text, HasSubstr("read(b, 10) ... asleep in the kernel"));
  EXPECT_THAT(text, HasSubstr("write(a, m) -> 10"));
  EXPECT_THAT(text, HasSubstr("read(b, 10) woke (woken by A: write(a, m)) -> m\n"));
  // B's steps sit one column right of A's.
  const size_t a_col = text.find("write(a, m)") - text.rfind('\n', text.find("write(a, m)"));
  const size_t b_col = text.find("read(b, 10) ...") - text.rfind('\n', text.find("read(b, 10) ..."));
  EXPECT_EQ(b_col, a_col + 34);
  EXPECT_THAT(text, HasSubstr("every step as the file says"));
}

TEST(Recorder, AFailedRewriteLeavesTheOriginalByteForByte) {
  const std::string path = Scratch("seed.case");
  const std::string before = Read(path);
  const std::string dir = path.substr(0, path.rfind('/'));
  // A file-size limit makes the temporary file's write fail with EFBIG.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit limit = {16, 16};
    setrlimit(RLIMIT_FSIZE, &limit);
    absl::Status s = WriteFileAtomically(path, std::string(4096, 'x'));
    _exit(!s.ok() && std::string(s.message()).find("write") != std::string::npos &&
                  std::string(s.message()).find("EFBIG") != std::string::npos
              ? 0
              : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Read(path), before);
  // No temporary file is left beside it.
  int entries = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++entries;
    }
    closedir(d);
  }
  EXPECT_EQ(entries, 1);
}

}  // namespace
}  // namespace sockspec
