// The case-file front end under random text: it must never crash or hang,
// every rejection must carry a location inside the text, a rejected file
// yields no plans, and a file that parses prints to text that parses back to
// the same model (compared through the printer).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/lang/frontend.h"
#include "harness/lang/parser.h"
#include "harness/lang/source.h"

namespace {

constexpr char kPath[] = "fuzz.case";

[[noreturn]] void Finding(const std::string& what, const std::string& text) {
  fprintf(stderr, "case_parser_fuzzer: %s\n--- input ---\n%s\n--- end ---\n",
          what.c_str(), text.c_str());
  abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // long inputs only slow the search down
  const std::string text(reinterpret_cast<const char*>(data), size);

  sockspec::LoadedCase loaded = sockspec::LoadCase(kPath, text, "linux");
  const sockspec::Source source(kPath, text);
  for (const sockspec::Diagnostic& d : loaded.errors) {
    if (d.loc.path != kPath || d.loc.line < 1 || d.loc.col < 1 ||
        d.loc.line > source.line_count() + 1) {
      Finding("diagnostic without a location in the text: " + d.message, text);
    }
    if (d.message.empty()) Finding("diagnostic without a message", text);
  }
  if (!loaded.errors.empty() && !loaded.plans.empty()) {
    Finding("a rejected file produced plans", text);
  }
  if (!loaded.errors.empty() && sockspec::FormatErrors(loaded).empty()) {
    Finding("errors formatted to nothing", text);
  }

  sockspec::DiagnosticSink sink;
  sockspec::Case parsed = sockspec::ParseCase(source, &sink);
  if (!sink.empty()) return 0;
  const std::string printed = sockspec::PrintCase(parsed);
  sockspec::DiagnosticSink sink2;
  sockspec::Case again =
      sockspec::ParseCase(sockspec::Source(kPath, printed), &sink2);
  if (!sink2.empty()) {
    Finding("printed case does not parse: " + sink2.diagnostics()[0].message +
                "\n--- printed ---\n" + printed,
            text);
  }
  if (sockspec::PrintCase(again) != printed) {
    Finding("parse(print(parse(x))) differs from parse(x)\n--- printed ---\n" +
                printed,
            text);
  }
  return 0;
}
