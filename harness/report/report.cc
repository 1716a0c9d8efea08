#include "harness/report/report.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "harness/result/outcome_json.h"
#include "harness/report/utf8.h"

namespace sockspec {
namespace {

struct Counts {
  int pass = 0, fail = 0, error = 0, skip = 0;
  double seconds = 0;
  void Add(const CaseOutcome& o) {
    switch (o.verdict) {
      case Verdict::kPass: ++pass; break;
      case Verdict::kFail: ++fail; break;
      case Verdict::kError: ++error; break;
      case Verdict::kSkip: ++skip; break;
    }
    seconds += o.seconds;
  }
};

}  // namespace

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char ch : ValidUtf8(s)) {
    const unsigned char c = ch;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 cannot carry most control characters, even escaped.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += absl::StrFormat("\\x%02x", c);
        } else {
          out += ch;
        }
    }
  }
  return out;
}

std::string Topic(const std::string& path) {
  std::string p = path;
  size_t cases = p.rfind("cases/");
  if (cases != std::string::npos) p = p.substr(cases + 6);
  size_t slash = p.find('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

std::string TextReport(const std::vector<CaseOutcome>& outcomes, bool verbose) {
  std::string out;
  std::map<std::string, Counts> topics;
  Counts total;
  for (const CaseOutcome& o : outcomes) {
    topics[Topic(o.path)].Add(o);
    total.Add(o);
    if (verbose || o.verdict != Verdict::kPass) {
      absl::StrAppendFormat(&out, "%-5s %s\n", VerdictName(o.verdict),
                            DisplayName(o));
    }
    const std::string message = Message(o);
    if (!message.empty() && o.verdict != Verdict::kPass) {
      absl::StrAppend(&out, message, message.back() == '\n' ? "" : "\n");
    }
  }
  absl::StrAppendFormat(&out, "\n%-14s %6s %6s %6s %6s %9s\n", "topic", "pass",
                        "fail", "error", "skip", "seconds");
  auto row = [&out](const std::string& name, const Counts& c) {
    absl::StrAppendFormat(&out, "%-14s %6d %6d %6d %6d %9.2f\n", name, c.pass,
                          c.fail, c.error, c.skip, c.seconds);
  };
  for (const auto& [name, counts] : topics) row(name, counts);
  row("total", total);
  absl::StrAppendFormat(&out, "\n%d passed, %d failed", total.pass, total.fail);
  if (total.error > 0) absl::StrAppendFormat(&out, ", %d errors", total.error);
  if (total.skip > 0) absl::StrAppendFormat(&out, ", %d skipped", total.skip);
  out += "\n";
  return out;
}

std::string JunitReport(const std::vector<CaseOutcome>& outcomes) {
  std::map<std::string, std::vector<const CaseOutcome*>> files;
  Counts total;
  for (const CaseOutcome& o : outcomes) {
    files[o.path].push_back(&o);
    total.Add(o);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppendFormat(
      &out, "<testsuites tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
      static_cast<int>(outcomes.size()), total.fail, total.error);
  for (const auto& [path, list] : files) {
    Counts c;
    for (const CaseOutcome* o : list) c.Add(*o);
    absl::StrAppendFormat(
        &out,
        "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
        "skipped=\"%d\" time=\"%.3f\">\n",
        XmlEscape(path), static_cast<int>(list.size()), c.fail, c.error,
        c.skip, c.seconds);
    // --repeat runs an instance several times: "case (repeat 2)" keeps
    // every test name of the suite unique.
    std::map<std::string, int> times, seen;
    for (const CaseOutcome* o : list) ++times[o->instance];
    for (const CaseOutcome* o : list) {
      std::string name = o->instance.empty() ? "case" : o->instance;
      if (int k = ++seen[o->instance]; times[o->instance] > 1 && k > 1) {
        name = absl::StrCat(name, " (repeat ", k, ")");
      }
      absl::StrAppendFormat(&out,
                            "    <testcase name=\"%s\" classname=\"%s\" "
                            "time=\"%.3f\"",
                            XmlEscape(name), XmlEscape(path), o->seconds);
      const char* tag = o->verdict == Verdict::kFail    ? "failure"
                        : o->verdict == Verdict::kError ? "error"
                        : o->verdict == Verdict::kSkip  ? "skipped"
                                                        : nullptr;
      if (tag == nullptr) {
        out += "/>\n";
        continue;
      }
      const std::string headline =
          o->failure ? FailureHeadline(*o->failure) : o->skip_reason;
      absl::StrAppendFormat(&out, ">\n      <%s message=\"%s\">%s</%s>\n",
                            tag, XmlEscape(headline), XmlEscape(Message(*o)), tag);
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string JsonReport(const std::vector<CaseOutcome>& outcomes) {
  return DumpJson(OutcomesJson(outcomes));
}

int ExitCode(const std::vector<CaseOutcome>& outcomes) {
  int code = 0;
  for (const CaseOutcome& o : outcomes) {
    if (o.verdict == Verdict::kError) return 2;
    if (o.verdict == Verdict::kFail) code = 1;
  }
  return code;
}

}  // namespace sockspec
