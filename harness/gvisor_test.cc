#include "harness/gvisor_guest.h"

#include <cstdlib>
#include <fstream>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/gvisor_json.h"
#include "harness/gvisor_suite.h"

namespace sockspec {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(GvisorJson, ReadsBackWhatJsonReportWrites) {
  CaseOutcome a;
  a.path = "cases/close/x.case";
  a.instance = "SOCK_STREAM/path(\"srv\")";
  a.title = "tab\there";
  a.covers = {"B19", "B20"};
  a.verdict = Verdict::kFail;
  a.message = "x.case:1:1: expected 0, got -1 EPIPE\n\x01trace:\n";
  a.seconds = 0.25;
  CaseOutcome b;
  b.path = "cases/y.case";
  b.verdict = Verdict::kSkip;
  absl::StatusOr<std::vector<CaseOutcome>> back =
      ParseJsonOutcomes(JsonReport({a, b}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].path, a.path);
  EXPECT_EQ((*back)[0].instance, a.instance);
  EXPECT_EQ((*back)[0].title, a.title);
  EXPECT_THAT((*back)[0].covers, ElementsAre("B19", "B20"));
  EXPECT_EQ((*back)[0].verdict, Verdict::kFail);
  EXPECT_EQ((*back)[0].message, a.message);
  EXPECT_DOUBLE_EQ((*back)[0].seconds, 0.25);
  EXPECT_EQ((*back)[1].verdict, Verdict::kSkip);
}

TEST(GvisorJson, RejectsTruncatedOrForeignDocuments) {
  EXPECT_THAT(ParseJsonOutcomes("{\"results\": [{\"path\": \"a").status().message(),
              HasSubstr("unterminated string"));
  EXPECT_THAT(ParseJsonOutcomes("[1, 2]").status().message(),
              HasSubstr("no \"results\" array"));
  EXPECT_THAT(ParseJsonOutcomes("{\"results\": [{\"verdict\": \"MAYBE\"}]}")
                  .status().message(),
              HasSubstr("unknown verdict 'MAYBE'"));
  EXPECT_FALSE(ParseJsonOutcomes("").ok());
}

TEST(Gvisor, CommandRunsTheSameBinaryInsideOneSandbox) {
  RunConfig config;
  config.jobs = 2;
  EXPECT_THAT(GvisorCommand("/usr/bin/runsc", "/bin/sockspec",
                            InnerRunArguments("gvisor", {"cases/a.case"}, config)),
              ElementsAre("/usr/bin/runsc", "--network=none", "--platform=ptrace",
                          "--ignore-cgroups", "do", "-quiet", "/bin/sockspec", "run",
                          "--inner-run=gvisor", "--jobs=2", "--repeat=1", "--",
                          "cases/a.case"));
}

TEST(Gvisor, MissingRunscIsAClearPrecondition) {
  setenv("SOCKSPEC_RUNSC", "/no/such/runsc", 1);
  absl::StatusOr<std::string> runsc = FindRunsc();
  std::unique_ptr<Guest> guest = MakeGvisorGuest();
  absl::Status prerequisites = guest->CheckPrerequisites();
  unsetenv("SOCKSPEC_RUNSC");
  ASSERT_FALSE(runsc.ok());
  EXPECT_EQ(runsc.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(runsc.status().message(), HasSubstr("/no/such/runsc is not an executable"));
  EXPECT_EQ(prerequisites, runsc.status());
  // Without runsc's version the system is known only by its platform.
  EXPECT_EQ(guest->System(), "gvisor");
  EXPECT_EQ(guest->Platform(), "gvisor");
}

TEST(Gvisor, SystemNameIsTheReleaseDateOfRunsc) {
  EXPECT_EQ(GvisorSystemName("runsc version 0.0~20221219.0"), "gvisor-20221219");
  EXPECT_EQ(GvisorSystemName("runsc version release-20240101.0"), "gvisor-20240101");
  EXPECT_EQ(GvisorSystemName("runsc version 123"), "gvisor");
  EXPECT_EQ(GvisorSystemName(""), "gvisor");
}

TEST(Gvisor, KernelBannerIsRecognised) {
  // The sentry reports a fixed 4.4.0 kernel.
  EXPECT_TRUE(IsGvisorKernelBanner(
      "Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016"));
  EXPECT_FALSE(IsGvisorKernelBanner(
      "Linux version 6.18.0 (gcc 12) #1 SMP PREEMPT_DYNAMIC"));
}

TEST(GvisorSuite, DefaultXfailFileIsBesideTheCases) {
  // No cases/platforms/ in this test's runfiles.
  EXPECT_EQ(DefaultXfailFile({"harness/testdata/passes.case"}, "gvisor"), "");
}

TEST(GvisorSuite, ACaseWithoutGvisorLinesRecordsNothing) {
  EXPECT_TRUE(RecordedInstances({"harness/testdata/passes.case"}, "gvisor").empty());
  EXPECT_TRUE(RecordedInstances({"no/such.case"}, "gvisor").empty());
}

TEST(GvisorSuite, RecordedAnswersComeFromTheCaseLines) {
  std::string path = std::string(getenv("TEST_TMPDIR")) + "/rec.case";
  std::ofstream(path) << "title \"t\"\ncovers B01\nsource \"s\"\n"
                         "matrix TYPE = SOCK_STREAM, SOCK_DGRAM\n"
                         "peer A\n"
                         "A: socket(AF_UNIX, $TYPE) = s\n"
                         "A: shutdown(s, SHUT_RDWR) = 0  # unconnected\n"
                         "   on gvisor = ENOTCONN  because \"seen\"\n";
  RecordedAnswers r = RecordedInstances({path}, "gvisor");
  ASSERT_EQ(r.size(), 2u);
  const std::vector<RecordedAnswer>& a = r[path + " [SOCK_DGRAM]"];
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].line, 7);
  EXPECT_EQ(a[0].step, "A: shutdown(s, SHUT_RDWR)");
  EXPECT_EQ(a[0].host_answer, "0");
  EXPECT_EQ(a[0].guest_answer, "ENOTCONN");
  EXPECT_TRUE(RecordedInstances({path}, "freebsd").empty());
}

}  // namespace
}  // namespace sockspec
