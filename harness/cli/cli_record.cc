#include "harness/cli/cli_record.h"

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "harness/guest/guest.h"
#include "harness/guest/runner.h"
#include "harness/record/explain.h"
#include "harness/record/observe.h"
#include "harness/record/recorder.h"
#include "harness/record/rewrite.h"
#include "harness/report/xfail.h"

namespace sockspec {
namespace {

int Fail(const absl::Status& status) {
  fprintf(stderr, "sockspec: %s\n", std::string(status.message()).c_str());
  return 2;
}

}  // namespace

// sockspec record: fills placeholders; a diff on stdout, or --write.
int RecordCommand(const CommandLine& c) {
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(c.paths);
  if (!files.ok()) return Fail(files.status());
  RecordOptions options;
  options.platform = MakeHostGuest()->Platform();
  options.exec = c.config.exec;
  if (!c.inner_run.empty()) {
    // Inside a guest for `record --under`: the answers as JSON on stdout.
    if (absl::Status s = CheckInnerRun(c.inner_run); !s.ok()) return Fail(s);
    for (const std::string& f : *files) {
      absl::StatusOr<std::vector<ObservedRow>> rows = ObserveFile(f, options);
      if (!rows.ok()) return Fail(rows.status());
      fputs(ObservedJson(*rows).c_str(), stdout);
    }
    return 0;
  }
  std::unique_ptr<Guest> guest;
  if (!c.under.empty()) {
    absl::StatusOr<std::unique_ptr<Guest>> made = MakeGuest(c.under);
    if (!made.ok()) {
      return Fail(absl::InvalidArgumentError("--under: " + std::string(made.status().message())));
    }
    guest = std::move(*made);
    if (absl::Status s = guest->CheckPrerequisites(); !s.ok()) {
      return Fail(absl::FailedPreconditionError(
          absl::StrCat("--under=", c.under, ": ", s.message())));
    }
    // The guest's expected-failure list: what it names is not recorded.
    const std::string file = DefaultXfailFile(c.paths, guest->Platform());
    if (!file.empty()) {
      absl::StatusOr<XfailList> list = LoadXfailList(file);
      if (!list.ok()) {
        fprintf(stderr, "%s", std::string(list.status().message()).c_str());
        return 2;
      }
      options.known_failure = [list = *std::move(list)](const std::string& path,
                                                        const std::string& instance) {
        const XfailEntry* e = FindXfail(list, path, instance);
        return e == nullptr ? std::string() : e->reason;
      };
    }
  }
  int code = 0;
  size_t filled = 0, attention = 0, rewritten = 0;
  for (const std::string& f : *files) {
    absl::StatusOr<FileRecord> r =
        guest ? RecordUnder(f, *guest, options) : RecordFile(f, options);
    if (!r.ok()) {
      if (absl::IsInvalidArgument(r.status())) {
        fputs(std::string(r.status().message()).c_str(), stderr);
        code = 2;
      } else {
        code = Fail(r.status());
      }
      continue;
    }
    for (const std::string& line : r->filled) fprintf(stderr, "filled: %s\n", line.c_str());
    for (const std::string& line : r->skipped) fprintf(stderr, "skipped: %s\n", line.c_str());
    for (const std::string& line : r->attention) {
      fprintf(stderr, "needs a person's eye: %s\n", line.c_str());
    }
    filled += r->filled.size();
    attention += r->attention.size();
    if (!r->attention.empty() && code == 0) code = 1;
    if (r->recorded == r->original) continue;
    if (!c.write) {
      fputs(UnifiedDiff(f, r->original, r->recorded).c_str(), stdout);
    } else if (absl::Status s = WriteFileAtomically(f, r->recorded); !s.ok()) {
      code = Fail(s);
    } else {
      ++rewritten;
    }
  }
  fprintf(stderr, "sockspec record: %zu %s filled, %zu need%s a person's eye; %s\n",
          filled, guest ? "platform line(s)" : filled == 1 ? "placeholder" : "placeholders", attention, attention == 1 ? "s" : "",
          c.write ? absl::StrCat(rewritten, " file(s) rewritten").c_str()
                  : "nothing written (the diff is on stdout; --write to apply)");
  return code;
}

// sockspec run --explain: each instance as a per-peer ladder, on this machine.
int ExplainCommand(const CommandLine& c) {
  absl::StatusOr<std::vector<std::string>> files = FindCaseFiles(c.paths);
  if (!files.ok()) return Fail(files.status());
  RecordOptions options;
  options.platform = c.config.platform.empty() ? MakeHostGuest()->Platform()
                                               : c.config.platform;
  options.exec = c.config.exec;
  int code = 0;
  for (const std::string& f : *files) {
    absl::StatusOr<std::pair<std::string, bool>> e =
        ExplainFile(f, c.config.filter, options);
    if (!e.ok()) {
      if (absl::IsInvalidArgument(e.status())) {
        fputs(std::string(e.status().message()).c_str(), stderr);
        code = 2;
      } else {
        code = Fail(e.status());
      }
      continue;
    }
    fputs(e->first.c_str(), stdout);
    if (!e->second && code == 0) code = 1;
  }
  return code;
}

}  // namespace sockspec
