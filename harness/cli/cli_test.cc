#include "harness/cli/cli.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sockspec {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::Not;

absl::StatusOr<CommandLine> Parse(std::vector<std::string> args) {
  return ParseCommandLine(args);
}

std::string Error(std::vector<std::string> args) {
  absl::StatusOr<CommandLine> c = ParseCommandLine(args);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(c.status().message());
}

TEST(Cli, RunTakesValuesAfterEqualsOrAsTheNextWord) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", "--jobs=2", "--repeat=3", "--filter=SEQ", "--step-timeout=300",
            "--format=json", "--output=o", "--platform=gvisor", "--list", "a.case"},
           {"run", "--jobs", "2", "--repeat", "3", "--filter", "SEQ", "--step-timeout",
            "300", "--format", "json", "--output", "o", "--platform", "gvisor",
            "--list", "a.case"}}) {
    absl::StatusOr<CommandLine> c = Parse(args);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->command, Command::kRun);
    EXPECT_EQ(c->config.jobs, 2);
    EXPECT_EQ(c->config.repeat, 3);
    EXPECT_EQ(c->config.filter, "SEQ");
    EXPECT_FALSE(c->allow_empty);
    EXPECT_EQ(c->shard_count, -1);  // not given: Bazel's variables apply
    EXPECT_EQ(c->config.exec.step_timeout_ms, 300);
    EXPECT_EQ(c->config.platform, "gvisor");
    EXPECT_EQ(c->format, "json");
    EXPECT_EQ(c->output, "o");
    EXPECT_TRUE(c->list);
    EXPECT_FALSE(c->verbose);
    EXPECT_THAT(c->paths, ElementsAre("a.case"));
  }
}

TEST(Cli, RunDefaultsToTheCasesFolderAndTheDetectedPlatform) {
  absl::StatusOr<CommandLine> c = Parse({"run"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->paths, ElementsAre("cases"));
  EXPECT_EQ(c->config.platform, "");
  EXPECT_EQ(c->config.jobs, DefaultJobs());
  EXPECT_FALSE(c->config.spread_cpus);
  EXPECT_FALSE(c->config.fresh_peers);
  EXPECT_EQ(c->format, "text");
}

TEST(Cli, FreshPeersIsAFlag) {
  absl::StatusOr<CommandLine> c = Parse({"run", "--fresh-peers", "cases"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->config.fresh_peers);
}

TEST(Cli, SpreadCpusIsAFlag) {
  absl::StatusOr<CommandLine> c = Parse({"run", "--spread-cpus", "cases"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->config.spread_cpus);
}

TEST(Cli, DoubleDashEndsTheOptions) {
  // What a guest's inner run gets (guest.h, InnerRunArguments).
  absl::StatusOr<CommandLine> c =
      Parse({"run", "--inner-run=gvisor", "--jobs=2", "--", "a.case", "-b.case"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->inner_run, "gvisor");
  EXPECT_THAT(c->paths, ElementsAre("a.case", "-b.case"));
}

TEST(Cli, TheLastOfARepeatedOptionWins) {
  absl::StatusOr<CommandLine> c = Parse({"run", "--jobs=1", "--jobs=4"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.jobs, 4);
}

TEST(Cli, ReportAndGuestOptions) {
  absl::StatusOr<CommandLine> c =
      Parse({"report", "--under=gvisor", "--xfail", "none", "--html=r.html", "cases/close"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->command, Command::kReport);
  EXPECT_EQ(c->under, "gvisor");
  EXPECT_EQ(c->xfail, "none");
  EXPECT_EQ(c->html, "r.html");
  EXPECT_THAT(c->paths, ElementsAre("cases/close"));
}

TEST(Cli, UnderRepeatsInOrderAndTakesOneWordEach) {
  absl::StatusOr<CommandLine> c =
      Parse({"run", "--under=gvisor", "--under", "qemu:/k/vmlinuz", "--under=command:unshare -n",
             "--append=quiet", "--memory=256", "--cpus", "2", "--accel=tcg",
             "--run-timeout=30", "cases/close", "x.case"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->unders, ElementsAre("gvisor", "qemu:/k/vmlinuz", "command:unshare -n"));
  EXPECT_EQ(c->under, "gvisor");
  EXPECT_THAT(c->paths, ElementsAre("cases/close", "x.case"));
  EXPECT_EQ(c->guest_options.append, "quiet");
  EXPECT_EQ(c->guest_options.memory_mb, 256);
  EXPECT_EQ(c->guest_options.cpus, 2);
  EXPECT_EQ(c->guest_options.accel, "tcg");
  EXPECT_EQ(c->guest_options.run_timeout_s, 30);
  absl::StatusOr<CommandLine> k = Parse({"run", "--under=qemu", "--kernel", "/k/bzImage"});
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->guest_options.kernel, "/k/bzImage");
}

TEST(Cli, UnknownAcceleratorIsAUsageError) {
  absl::StatusOr<CommandLine> c = Parse({"run", "--accel=hvf", "cases"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("unknown accelerator 'hvf' (auto, kvm or tcg)"),
            std::string::npos) << c.status();
}

TEST(Cli, HelpAndVersionArePrintedNotErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"help"}, {"help", "run"}, {"run", "--help"},
           {"check", "--help"}, {"report", "-h"}, {"--version"}}) {
    absl::StatusOr<CommandLine> c = Parse(args);
    ASSERT_TRUE(c.ok()) << args[0] << ": " << c.status();
    EXPECT_EQ(c->command, Command::kPrint) << args[0];
    EXPECT_FALSE(c->text.empty());
  }
  EXPECT_EQ(Parse({"--version"})->text, "sockspec 0.2.0\n");
  EXPECT_THAT(Parse({"help", "run"})->text, HasSubstr("--step-timeout"));
  EXPECT_EQ(Parse({"help", "run"})->text, Parse({"run", "--help"})->text);
  EXPECT_THAT(Parse({"--help"})->text, HasSubstr("check"));
  // The hidden option of a guest's inner run is not for people.
  EXPECT_THAT(Parse({"run", "--help"})->text, Not(HasSubstr("inner-run")));
}

TEST(Cli, NoCommandIsUsage) {
  absl::StatusOr<CommandLine> c = Parse({});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->command, Command::kUsage);
  EXPECT_THAT(c->text, HasSubstr("run"));
}

TEST(Cli, UsageErrorsAreOneLineNamingTheArgument) {
  EXPECT_EQ(Error({"run", "--bogus"}), "unknown option '--bogus' (see sockspec run --help)");
  EXPECT_EQ(Error({"run", "--bogus=3", "cases"}),
            "unknown option '--bogus' (see sockspec run --help)");
  EXPECT_EQ(Error({"--bogus"}), "unknown option '--bogus' (see sockspec --help)");
  EXPECT_EQ(Error({"frobnicate"}), "unknown command 'frobnicate' (see sockspec --help)");
  EXPECT_EQ(Error({"help", "frobnicate"}),
            "unknown command 'frobnicate' (see sockspec --help)");
  EXPECT_EQ(Error({"run", "--jobs=0"}),
            "--jobs: '0' is not a whole number >= 1 (see sockspec run --help)");
  EXPECT_EQ(Error({"run", "--repeat", "x"}),
            "--repeat: 'x' is not a whole number >= 1 (see sockspec run --help)");
  EXPECT_EQ(Error({"run", "--format=xml"}),
            "--format: unknown format 'xml' (text, junit, json, ktap or tap) (see sockspec run --help)");
  EXPECT_EQ(Error({"run", "--shard-index=-1"}),
            "--shard-index: '-1' is not a whole number >= 0 (see sockspec run --help)");
  EXPECT_EQ(Error({"check"}), "check needs a PATH (see sockspec check --help)");
  EXPECT_EQ(Error({"report", "cases"}),
            "report needs --html=FILE and/or --markdown=FILE (see sockspec report --help)");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", "--jobs"}, {"run", "--bogus"}, {"check"}}) {
    EXPECT_EQ(Error(args).find('\n'), std::string::npos);
  }
  EXPECT_THAT(Error({"run", "--jobs"}), HasSubstr("--jobs"));
}

TEST(Cli, RecordTakesFilesWriteUnderAndStepTimeout) {
  absl::StatusOr<CommandLine> c =
      Parse({"record", "--write", "--under=gvisor", "--step-timeout", "300", "a.case"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->command, Command::kRecord);
  EXPECT_TRUE(c->write);
  EXPECT_EQ(c->under, "gvisor");
  EXPECT_EQ(c->config.exec.step_timeout_ms, 300);
  EXPECT_THAT(c->paths, ElementsAre("a.case"));
  c = Parse({"record", "a.case"});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->write);  // a diff on stdout unless asked
  EXPECT_EQ(Error({"record"}), "record needs a PATH (see sockspec record --help)");
  c = Parse({"help", "record"});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->text, HasSubstr("--write"));
}

TEST(Cli, RunTakesExplain) {
  absl::StatusOr<CommandLine> c = Parse({"run", "--explain", "a.case"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->explain);
  EXPECT_FALSE(Parse({"run", "a.case"})->explain);
}

TEST(Cli, FilterIsAGlobAndShardsAndAllowEmptyAreOptions) {
  // "(" was an invalid regex; as a glob it is a character like any other.
  absl::StatusOr<CommandLine> c = ParseCommandLine(
      {"run", "--filter=(x [y]", "--allow-empty", "--shard-count=3",
       "--shard-index", "2", "cases"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.filter, "(x [y]");
  EXPECT_TRUE(c->allow_empty);
  EXPECT_EQ(c->shard_count, 3);
  EXPECT_EQ(c->shard_index, 2);
}

}  // namespace
}  // namespace sockspec
