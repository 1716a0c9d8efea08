#include "harness/lang/frontend.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "harness/lang/case.h"
#include "harness/lang/matrix.h"
#include "harness/lang/parser.h"
#include "harness/lang/source.h"
#include "harness/lang/validate.h"

namespace sockspec {

LoadedCase LoadCase(std::string path, std::string text,
                    const std::string& platform) {
  LoadedCase out;
  out.path = path;
  DiagnosticSink sink;
  if (text.size() > kMaxCaseFileBytes) {
    sink.Add({path, 1, 1}, absl::StrCat("case file is larger than ",
                                        kMaxCaseFileBytes, " bytes"));
    out.errors = sink.Take();
    out.text = std::move(text);
    return out;
  }
  Source source(path, text);
  Case parsed = ParseCase(source, &sink);
  if (!parsed.titles.empty()) out.title = parsed.titles[0].second;
  for (const NameRef& n : parsed.covers) out.covers.push_back(n.name);
  for (const auto& s : parsed.sources) out.sources.push_back(s.second);
  out.matrix = MatrixDims(parsed);
  // Syntax errors first and alone: validating a file with holes would report
  // their consequences.
  if (sink.empty()) {
    for (const Step& step : parsed.steps) {
      if (!step.placeholder) continue;
      Diagnostic w{*step.placeholder, kPlaceholderWarning, true};
      out.warnings.push_back(std::move(w));
    }
    out.plans = ValidateCase(parsed, platform, &sink);
    out.errors = sink.Take();
  } else {
    out.errors = sink.Take();
    std::stable_sort(out.errors.begin(), out.errors.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return a.loc.line != b.loc.line ? a.loc.line < b.loc.line
                                                       : a.loc.col < b.loc.col;
                     });
  }
  out.text = std::move(text);
  return out;
}

absl::StatusOr<LoadedCase> LoadCaseFile(const std::string& path,
                                        const std::string& platform) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string message =
        absl::StrCat("cannot open ", path, ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::UnavailableError(message);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return LoadCase(path, buffer.str(), platform);
}

std::string FormatErrors(const LoadedCase& loaded) {
  return FormatDiagnostics(loaded.errors, loaded.text);
}

std::string FormatWarnings(const LoadedCase& loaded) {
  return FormatDiagnostics(loaded.warnings, loaded.text);
}

}  // namespace sockspec
