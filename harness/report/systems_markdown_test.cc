#include "harness/report/systems_markdown.h"

#include "gtest/gtest.h"

namespace sockspec {
namespace {

CaseOutcome Outcome(const std::string& path, Verdict v, const std::string& instance = "") {
  CaseOutcome o;
  o.path = path;
  o.instance = instance;
  o.verdict = v;
  return o;
}

TEST(SystemsMarkdown, BehavioursDownSystemsAcrossDifferencesFirst) {
  std::vector<CaseOutcome> host = {Outcome("cases/a.case", Verdict::kPass),
                                   Outcome("cases/b.case", Verdict::kPass, "SOCK_DGRAM|x"),
                                   Outcome("cases/b.case", Verdict::kPass, "SOCK_STREAM")};
  ConformanceRun one = Compare("linux", host, host, nullptr);
  one.host_system = "linux-6.18";
  one.guest_system = "gvisor";
  one.guest_version = "release-20221219.0";
  CaseOutcome failed = Outcome("cases/b.case", Verdict::kFail, "SOCK_STREAM");
  Failure f;
  f.loc = {"cases/b.case", 12, 1};
  f.peer = "B";
  f.call = "recv(b, 10, MSG_DONTWAIT)";
  f.expected = "\"c\"";
  f.observed = "-1 EAGAIN";
  failed.failure = f;
  ConformanceRun two = Compare("linux", host, {host[0], host[1], failed}, nullptr);
  two.host_system = "linux-6.18";
  two.guest_system = "linux-6.1.0-57-qemu";
  two.guest_version = "6.1.0-57-amd64";
  EXPECT_EQ(SystemsMarkdown({one, two}, "../"),
            "# sockspec: one suite on 3 systems\n\n"
            "- linux-6.18 vs **gvisor** (release-20221219.0): 3 same, 0 recorded, 0 xfail, "
            "0 differs, 0 xpass, 0 host-fail, 0 error\n"
            "- linux-6.18 vs **linux-6.1.0-57-qemu** (6.1.0-57-amd64): 2 same, 0 recorded, "
            "0 xfail, 1 differs, 0 xpass, 0 host-fail, 0 error\n"
            "\nCase files where a system differs come first.\n\n"
            "| case / instance | linux-6.18 | gvisor | linux-6.1.0-57-qemu |\n"
            "|---|---|---|---|\n"
            "| **[cases/b.case](../cases/b.case)** (differs) | | | |\n"
            "| SOCK_DGRAM\\|x | pass | same | same |\n"
            "| SOCK_STREAM | pass | same | differs: " + Answer(failed) + " |\n"
            "| **[cases/a.case](../cases/a.case)** | | | |\n"
            "| (one instance) | pass | same | same |\n");
}

TEST(SystemsMarkdown, NoGuestsIsAnEmptyTable) {
  EXPECT_EQ(SystemsMarkdown({}),
            "# sockspec: one suite on 1 systems\n\n"
            "\nCase files where a system differs come first.\n\n"
            "| case / instance | host |\n|---|---|\n");
}

}  // namespace
}  // namespace sockspec
