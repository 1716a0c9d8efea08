#include "harness/gvisor_suite.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "harness/frontend.h"

namespace sockspec {
namespace {

// The answer part of a case line: what follows `sep` (a step's " = ", an
// `on` line's "= "), without a trailing comment or `because "..."`; the
// whole line, trimmed, when there is no `sep` ("C: connect(c, a) blocks").
std::string AnswerAfter(const std::string& line, const char* sep) {
  size_t at = line.find(sep);
  std::string answer =
      at == std::string::npos ? line : line.substr(at + strlen(sep));
  size_t because = answer.find(" because \"");
  if (because != std::string::npos) answer = answer.substr(0, because);
  size_t comment = answer.find(" #");
  if (comment != std::string::npos) answer = answer.substr(0, comment);
  return std::string(absl::StripAsciiWhitespace(answer));
}

}  // namespace

RecordedAnswers RecordedInstances(const std::vector<std::string>& files,
                                  const std::string& guest) {
  RecordedAnswers out;
  for (const std::string& f : files) {
    absl::StatusOr<LoadedCase> c = LoadCaseFile(f, guest);
    if (!c.ok() || !c->errors.empty()) continue;
    std::vector<std::string> lines = absl::StrSplit(c->text, '\n');
    auto line_text = [&lines](int line) {
      return line >= 1 && line <= static_cast<int>(lines.size())
                 ? lines[line - 1]
                 : std::string();
    };
    for (const Plan& plan : c->plans) {
      // Answers are quoted from the source: show this row's matrix values,
      // longest names first so $AB is not read as $A.
      std::vector<std::pair<std::string, std::string>> vars;
      for (const auto& [name, value] : plan.bindings) {
        vars.emplace_back(absl::StrCat("$", name), value);
      }
      std::sort(vars.begin(), vars.end(), [](const auto& x, const auto& y) {
        return x.first.size() > y.first.size();
      });
      auto substituted = [&vars](std::string text) {
        return absl::StrReplaceAll(text, vars);
      };
      std::vector<RecordedAnswer> answers;
      for (const Op& op : plan.ops) {
        for (const auto& [platform, expected] : op.platforms) {
          if (platform != guest) continue;
          RecordedAnswer a;
          a.line = op.loc.line;
          a.step = op.peer >= 0 && op.peer < static_cast<int>(plan.peers.size())
                       ? absl::StrCat(plan.peers[op.peer].name, ": ", op.text)
                       : op.text;
          a.host_answer = substituted(AnswerAfter(line_text(op.loc.line), " = "));
          a.guest_answer =
              substituted(AnswerAfter(line_text(expected.loc.line), "= "));
          answers.push_back(std::move(a));
        }
      }
      if (answers.empty()) continue;
      std::string instance = plan.InstanceName();
      out[instance.empty() ? f : absl::StrCat(f, " [", instance, "]")] =
          std::move(answers);
    }
  }
  return out;
}

std::string DefaultXfailFile(const std::vector<std::string>& paths,
                             const std::string& guest) {
  std::vector<std::string> roots;
  for (const std::string& p : paths) {
    std::string padded = "/" + p + "/";
    size_t at = padded.find("/cases/");
    if (at != std::string::npos) roots.push_back(padded.substr(1, at + 5));
  }
  roots.push_back("cases");
  for (const std::string& root : roots) {
    std::string file = absl::StrCat(root, "/platforms/", guest, ".xfail");
    if (access(file.c_str(), R_OK) == 0) return file;
  }
  return "";
}

}  // namespace sockspec
