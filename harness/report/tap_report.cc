#include "harness/report/tap_report.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "harness/report/utf8.h"

namespace sockspec {
namespace {

// A name on one line, without the '#' that starts a directive.
std::string OneLine(const std::string& name) {
  return absl::StrReplaceAll(ValidUtf8(name), {{"#", "_"}, {"\n", " "}, {"\r", " "}});
}

std::vector<std::string> MessageLines(const CaseOutcome& o) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(ValidUtf8(Message(o)), '\n')) {
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

}  // namespace

std::vector<std::string> UniqueTestNames(const std::vector<CaseOutcome>& outcomes) {
  std::map<std::string, int> total, seen;
  for (const CaseOutcome& o : outcomes) ++total[DisplayName(o)];
  std::vector<std::string> names;
  for (const CaseOutcome& o : outcomes) {
    const std::string name = DisplayName(o);
    const int k = ++seen[name];
    names.push_back(total[name] > 1 && k > 1 ? absl::StrCat(name, " (repeat ", k, ")")
                                             : name);
  }
  return names;
}

std::string KtapReport(const std::vector<CaseOutcome>& outcomes) {
  std::string out = absl::StrCat("KTAP version 1\n1..", outcomes.size(), "\n");
  const std::vector<std::string> names = UniqueTestNames(outcomes);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const CaseOutcome& o = outcomes[i];
    const std::string name = OneLine(names[i]);
    switch (o.verdict) {
      case Verdict::kPass:
        absl::StrAppend(&out, "ok ", i + 1, " ", name, "\n");
        break;
      case Verdict::kSkip:
        absl::StrAppend(&out, "ok ", i + 1, " ", name, " # SKIP\n");
        break;
      case Verdict::kFail:
      case Verdict::kError:
        for (const std::string& line : MessageLines(o)) absl::StrAppend(&out, "# ", line, "\n");
        absl::StrAppend(&out, "not ok ", i + 1, " ", name, "\n");
        break;
    }
  }
  return out;
}

std::string TapReport(const std::vector<CaseOutcome>& outcomes) {
  std::string out = absl::StrCat("TAP version 13\n1..", outcomes.size(), "\n");
  const std::vector<std::string> names = UniqueTestNames(outcomes);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const CaseOutcome& o = outcomes[i];
    const std::string name = OneLine(names[i]);
    switch (o.verdict) {
      case Verdict::kPass:
        absl::StrAppend(&out, "ok ", i + 1, " - ", name, "\n");
        break;
      case Verdict::kSkip:
        absl::StrAppend(&out, "ok ", i + 1, " - ", name, " # SKIP\n");
        break;
      case Verdict::kFail:
      case Verdict::kError:
        absl::StrAppend(&out, "not ok ", i + 1, " - ", name, "\n  ---\n  severity: ",
                        o.verdict == Verdict::kFail ? "fail" : "error",
                        "\n  message: |\n");
        for (const std::string& line : MessageLines(o)) absl::StrAppend(&out, "    ", line, "\n");
        absl::StrAppend(&out, "  ...\n");
        break;
    }
  }
  return out;
}

}  // namespace sockspec
