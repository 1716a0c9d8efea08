#include "harness/cli/cli.h"

#include <algorithm>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "harness/guest/guest.h"

namespace sockspec {
namespace {

constexpr char kAbout[] =
    "sockspec runs declarative socket case files against this machine's "
    "kernel and, with --under, against a guest system, and reports where they "
    "differ.";
constexpr char kRunFooter[] =
    "Every option that takes a value also takes it as the next word (--jobs 2).\n"
    "Examples:\n"
    "  sockspec run cases/close --verbose\n"
    "  sockspec run --filter='*SEQPACKET*' --jobs=2 --repeat=10 cases\n"
    "  sockspec run --filter='cases/close/x.case [SOCK_DGRAM]' cases  (a name from --list)\n"
    "  sockspec run --under=NAME cases       (also on a guest system, compared)";
constexpr char kRecordFooter[] =
    "Write '= ?' where a step's result is not yet known, then:\n"
    "  sockspec record cases/x.case           (the diff to review, on stdout)\n"
    "  sockspec record --write cases/x.case   (the file rewritten)\n"
    "  sockspec record --under=NAME cases/x.case  (a guest's differing answers)\n"
    "Steps with a written result are checked, never changed. Exit 0 when every\n"
    "placeholder was filled and every instance ran as written, 1 when something\n"
    "needs a person's eye (listed on stderr), 2 on an error.";
constexpr char kExitCodes[] =
    "Exit codes: 0 all passed, 1 a case failed, 2 an error (a bad case file, "
    "bad usage, a harness or environment problem).";

CLI::Validator WholeNumberAtLeast(int min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        int n;
        if (absl::SimpleAtoi(value, &n) && n >= min) return "";
        return absl::StrCat("'", value, "' is not a whole number >= ", min);
      },
      "");
}

CLI::Validator Format() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value == "text" || value == "junit" || value == "json" ||
            value == "ktap" || value == "tap") {
          return "";
        }
        return "unknown format '" + value + "' (text, junit, json, ktap or tap)";
      },
      "");
}

CLI::Validator Accel() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value == "auto" || value == "kvm" || value == "tcg") return "";
        return "unknown accelerator '" + value + "' (auto, kvm or tcg)";
      },
      "");
}

// The settings of the guests that boot a kernel (--under=qemu:KERNEL).
void AddGuestOptions(CLI::App& cmd, GuestOptions& g) {
  const char* group = "Guest options (--under=qemu:KERNEL)";
  cmd.add_option("--kernel", g.kernel,
                 "the kernel for --under=qemu: a bzImage/vmlinuz or a linux-image-*.deb "
                 "(same as --under=qemu:PATH)")
      ->type_name("PATH")->group(group);
  cmd.add_option("--qemu", g.qemu, "the qemu-system-x86_64 to run (default: from PATH)")
      ->type_name("PATH")->group(group);
  cmd.add_option("--append", g.append, "more kernel command line for the guest kernel")
      ->type_name("ARGS")->group(group);
  cmd.add_option("--memory", g.memory_mb, "guest memory (default 512)")
      ->check(WholeNumberAtLeast(64))->type_name("MIB")->group(group);
  cmd.add_option("--cpus", g.cpus, "guest vCPUs (default 1: steadier under TCG)")
      ->check(WholeNumberAtLeast(1))->type_name("N")->group(group);
  cmd.add_option("--accel", g.accel,
                 "auto (default: KVM when /dev/kvm works, else TCG), kvm or tcg")
      ->check(Accel())->type_name("NAME")->group(group);
  cmd.add_option("--boot-timeout", g.boot_timeout_s,
                 "seconds for the kernel to start init (default 60; 20 under KVM)")
      ->check(WholeNumberAtLeast(1))->type_name("S")->group(group);
  cmd.add_option("--run-timeout", g.run_timeout_s,
                 "seconds for the run after boot (default 120 + 2 per instance)")
      ->check(WholeNumberAtLeast(1))->type_name("S")->group(group);
}

// The options `run` and `report` share; both write into `c`, and only the
// command given is parsed.
void AddRunOptions(CLI::App& cmd, CommandLine& c) {
  cmd.add_option("paths", c.paths,
                 "case files or folders, searched recursively (default: cases)")
      ->type_name("PATH");
  cmd.add_option("--filter", c.config.filter,
                 "only the instances whose whole name, as --list prints it "
                 "(\"cases/x.case [SOCK_DGRAM]\"), matches PATTERN: * is any "
                 "run of characters, ? one, everything else (brackets too) "
                 "itself; a pattern that selects nothing is an error (exit 2). "
                 "Default: $TESTBRIDGE_TEST_ONLY (bazel test --test_filter)")
      ->type_name("PATTERN");
  cmd.add_flag("--allow-empty", c.allow_empty,
               "a --filter that selects no instance exits 0, not 2");
  cmd.add_option("--shard-count", c.shard_count,
                 "split the selected instances into N shards (default: "
                 "$TEST_TOTAL_SHARDS, else 1)")
      ->check(WholeNumberAtLeast(1))
      ->type_name("N");
  cmd.add_option("--shard-index", c.shard_index,
                 "run shard I, 0-based: the instances whose position among "
                 "the selected ones is I modulo N (default: $TEST_SHARD_INDEX)")
      ->check(WholeNumberAtLeast(0))
      ->type_name("I");
  cmd.add_flag("--list", c.list, "list the instances instead of running them");
  c.config.jobs = DefaultJobs();
  cmd.add_option("--jobs", c.config.jobs,
                 "run N instances at once (default: the CPUs this process may use); "
                 "with N > 1, instances that sleep on an alarm run beside them")
      ->check(WholeNumberAtLeast(1))
      ->type_name("N");
  cmd.add_flag("--spread-cpus", c.config.spread_cpus,
               "let each instance's processes run on any CPU this process may use "
               "(default: each job and its peers stay on one CPU, so fork and "
               "copy-on-write need no TLB flush on another CPU)");
  cmd.add_flag("--fresh-peers", c.config.fresh_peers,
               "fork every peer anew for each instance (default: peers an instance "
               "leaves as a fresh fork would be are kept for the next one)");
  cmd.add_option("--repeat", c.config.repeat, "run every instance N times")
      ->check(WholeNumberAtLeast(1))
      ->type_name("N");
  cmd.add_option("--format", c.format,
                 "text (default), junit, json, ktap (kselftest's KTAP) or tap (TAP 13)")
      ->check(Format())
      ->type_name("FORMAT");
  cmd.add_option("--output", c.output, "write the report to FILE instead of stdout")
      ->type_name("FILE");
  cmd.add_option("--platform", c.config.platform,
                 "whose recorded answers apply: linux, gvisor, freebsd, darwin, "
                 "... (default: the platform this machine is detected as)")
      ->type_name("NAME");
  cmd.add_option("--step-timeout", c.config.exec.step_timeout_ms,
                 "deadline of a step that is not expected to block")
      ->check(WholeNumberAtLeast(1))
      ->type_name("MS");
  cmd.add_option("--deadline-scale", c.config.exec.deadline_scale,
                 "multiply the step and case deadlines by F (a slow system; "
                 "a guest sets its own)")
      ->check(CLI::PositiveNumber)
      ->type_name("F");
  cmd.add_flag("--verbose", c.verbose, "list passing instances too");
  cmd.add_option("--under", c.unders,
                 absl::StrCat("also run the instances on guest system NAME (",
                              absl::StrJoin(GuestNames(), ", "),
                              ") and compare them with this kernel's, instance "
                              "by instance; the guest's platform picks its "
                              "recorded answers; repeatable (several systems, "
                              "one report)"))
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->type_name("NAME");
  cmd.add_option("--xfail", c.xfail,
                 "the guest's expected-failure list (default: "
                 "cases/platforms/PLATFORM.xfail when it exists; none: no list)")
      ->type_name("FILE");
  cmd.add_option("--html", c.html, "write the conformance report as one HTML page")
      ->type_name("FILE");
  cmd.add_option("--markdown", c.markdown, "write the conformance report as Markdown")
      ->type_name("FILE");
  AddGuestOptions(cmd, c.guest_options);
  cmd.add_flag("--explain", c.explain,
               "print each instance as a per-peer ladder: every call, what its "
               "peer observed, which calls slept and who woke them");
  // The run a guest starts inside itself (guest.h); not for people.
  cmd.add_option(kInnerRunOption, c.inner_run)->group("");
}

absl::Status UsageError(const std::string& message, const std::string& help) {
  return absl::InvalidArgumentError(absl::StrCat(
      absl::StrReplaceAll(message, {{"\n", " "}}), " (see ", help, ")"));
}

// The first argument nobody took, as a usage error; OK when there is none.
absl::Status Leftover(const CLI::App& app, const std::string& command) {
  std::vector<std::string> rest = app.remaining();
  // CLI11 keeps the "--" that ends the options among the extras.
  rest.erase(std::remove(rest.begin(), rest.end(), "--"), rest.end());
  if (rest.empty()) return absl::OkStatus();
  const std::string& arg = rest[0];
  const std::string help = absl::StrCat("sockspec ", command, command.empty() ? "" : " ", "--help");
  if (!arg.empty() && arg[0] == '-') {
    return UsageError("unknown option '" + arg.substr(0, arg.find('=')) + "'", help);
  }
  if (command.empty()) return UsageError("unknown command '" + arg + "'", help);
  return UsageError("unexpected argument '" + arg + "'", help);
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine c;
  c.config.platform = "";
  CLI::App app(kAbout, "sockspec");
  app.footer(kExitCodes);
  app.set_version_flag("--version", kSockspecVersion, "print the version and exit");
  app.require_subcommand(0, 1);
  app.allow_extras();
  // "--jobs=1 --jobs=2" means 2, as it always did.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  CLI::App* run = app.add_subcommand("run", "run case files or folders");
  run->footer(kRunFooter);
  CLI::App* report = app.add_subcommand(
      "report", "run, then write the conformance report (--html and/or --markdown)");
  CLI::App* check = app.add_subcommand("check", "validate case files, run nothing");
  CLI::App* record = app.add_subcommand(
      "record", "run case files and write the observed answers into their "
                "placeholders (= ?); a diff on stdout unless --write");
  record->footer(kRecordFooter);
  CLI::App* help = app.add_subcommand("help", "show the help of a command");
  for (CLI::App* cmd : {run, report, check, record, help}) cmd->allow_extras();
  record->add_option("paths", c.paths, "case files or folders")->type_name("PATH");
  record->add_flag("--write", c.write,
                   "rewrite the files in place (atomically) instead of printing a diff");
  record->add_option("--under", c.under,
                     absl::StrCat("record guest system NAME's answers (",
                                  absl::StrJoin(GuestNames(), ", "),
                                  ") as 'on PLATFORM = ...' lines under the steps "
                                  "where they differ, each confirmed by a second run"))
      ->type_name("NAME");
  record->add_option(kInnerRunOption, c.inner_run)->group("");
  record->add_option("--step-timeout", c.config.exec.step_timeout_ms,
                     "deadline of a step that is not expected to block")
      ->check(WholeNumberAtLeast(1))
      ->type_name("MS");
  AddRunOptions(*run, c);
  AddRunOptions(*report, c);
  check->add_option("paths", c.paths, "case files or folders")->type_name("PATH");
  std::string topic;
  help->add_option("command", topic, "run, report, check or record");

  // CLI11 takes argv in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForVersion& e) {
    c.command = Command::kPrint;
    c.text = absl::StrCat(e.what(), "\n");
    return c;
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    if (app.exit(e, out, err) == 0) {  // --help
      c.command = Command::kPrint;
      c.text = out.str();
      return c;
    }
    std::vector<CLI::App*> given = app.get_subcommands();
    return UsageError(e.what(), given.empty() ? "sockspec --help"
                                              : absl::StrCat("sockspec ",
                                                             given[0]->get_name(),
                                                             " --help"));
  }

  if (absl::Status s = Leftover(app, ""); !s.ok()) return s;
  if (app.get_subcommands().empty()) {
    c.text = app.help();
    return c;  // kUsage
  }
  CLI::App* given = app.get_subcommands()[0];
  if (absl::Status s = Leftover(*given, given->get_name()); !s.ok()) return s;
  if (given == help) {
    c.command = Command::kPrint;
    if (topic.empty()) {
      c.text = app.help();
    } else if (topic == "run" || topic == "report" || topic == "check" ||
               topic == "record") {
      c.text = app.get_subcommand(topic)->help("sockspec");
    } else {
      return UsageError("unknown command '" + topic + "'", "sockspec --help");
    }
    return c;
  }
  if (given == check) {
    c.command = Command::kCheck;
    if (c.paths.empty()) return UsageError("check needs a PATH", "sockspec check --help");
    return c;
  }
  if (given == record) {
    c.command = Command::kRecord;
    if (c.paths.empty()) return UsageError("record needs a PATH", "sockspec record --help");
    return c;
  }
  c.command = given == run ? Command::kRun : Command::kReport;
  if (c.command == Command::kReport && c.html.empty() && c.markdown.empty()) {
    return UsageError("report needs --html=FILE and/or --markdown=FILE",
                      "sockspec report --help");
  }
  if (c.paths.empty()) c.paths.push_back("cases");
  if (!c.unders.empty()) c.under = c.unders.front();
  return c;
}

}  // namespace sockspec
