// crash_to_case CRASH_FILE [--fuzzer=NAME] [--out=FILE.case] [--title=TEXT]
//               [--force]
//
// Turns a fuzzer input (a libFuzzer crash-* file) into a case file that
// reproduces the divergence through `sockspec run` (harness/crash_to_case.h).
// --fuzzer: ops_fuzzer (the default) or sizes_fuzzer, whose input is run as
// the equivalent operations (harness/model/fuzz_sizes_ops.h). case_parser_fuzzer's
// inputs are case files already.
// Without --out the case goes to stdout. Under `bazel run`, relative paths
// are taken from the directory bazel was run in (BUILD_WORKING_DIRECTORY).
// Exit: 0 written; 1 the input does not diverge here (nothing written unless
// --force); 2 usage, I/O or harness error.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "harness/model/crash_to_case.h"
#include "harness/lang/frontend.h"
#include "harness/model/fuzz_ops.h"
#include "harness/model/fuzz_sizes.h"
#include "harness/model/fuzz_sizes_ops.h"
#include "harness/os/user_path.h"

namespace {

constexpr char kUsage[] =
    "usage: crash_to_case CRASH_FILE [--fuzzer=ops_fuzzer|sizes_fuzzer] "
    "[--out=FILE.case] [--title=TEXT] [--force]\n";

// mkdir -p of the folder holding `file`.
bool MakeParents(const std::string& file) {
  for (size_t i = 1; i < file.size(); ++i) {
    if (file[i] != '/') continue;
    const std::string dir = file.substr(0, i);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      fprintf(stderr, "crash_to_case: mkdir(%s): %s\n", dir.c_str(),
              strerror(errno));
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input_path, out_path;
  sockspec::CrashToCaseOptions options;
  bool force = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--out=")) {
      out_path = sockspec::UserPath(arg.substr(6));
    } else if (absl::StartsWith(arg, "--fuzzer=")) {
      options.fuzzer = arg.substr(9);
      if (options.fuzzer != "ops_fuzzer" && options.fuzzer != "sizes_fuzzer") {
        fprintf(stderr,
                "crash_to_case: --fuzzer=%s: ops_fuzzer or sizes_fuzzer (a "
                "case_parser_fuzzer input is a case file already)\n",
                options.fuzzer.c_str());
        return 2;
      }
    } else if (absl::StartsWith(arg, "--title=")) {
      options.title = arg.substr(8);
    } else if (arg == "--force") {
      force = true;
    } else if (arg == "--help" || arg == "-h") {
      fputs(kUsage, stdout);
      return 0;
    } else if (arg[0] == '-' || !input_path.empty()) {
      fprintf(stderr, "crash_to_case: unexpected argument '%s'\n%s",
              arg.c_str(), kUsage);
      return 2;
    } else {
      input_path = sockspec::UserPath(arg);
    }
  }
  if (input_path.empty()) {
    fputs(kUsage, stderr);
    return 2;
  }
  std::ifstream in(input_path, std::ios::binary);
  if (!in) {
    fprintf(stderr, "crash_to_case: cannot read %s: %s\n", input_path.c_str(),
            strerror(errno));
    return 2;
  }
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  sockspec::BlockSigpipe();
  const sockspec::OpsProgram program =
      options.fuzzer == "sizes_fuzzer"
          ? sockspec::SizesAsOps(sockspec::DecodeSizes(bytes))
          : sockspec::DecodeOps(bytes);
  absl::StatusOr<sockspec::Conversion> conv = sockspec::ProgramToCase(
      program, bytes, options, sockspec::model::ModelLimits::FromKernel());
  if (!conv.ok()) {
    fprintf(stderr, "crash_to_case: %s\n", conv.status().ToString().c_str());
    return 2;
  }
  if (!conv->diverged && !force) {
    fprintf(stderr,
            "crash_to_case: no divergence: all %zu operations of %s gave "
            "results the model allows (--force writes the case anyway)\n",
            conv->steps, input_path.c_str());
    return 1;
  }
  // What is written must be a valid case: the front end checks it first.
  const std::string name = out_path.empty() ? "<stdout>" : out_path;
  const sockspec::LoadedCase loaded =
      sockspec::LoadCase(name, conv->text, "linux");
  if (!loaded.errors.empty()) {
    fprintf(stderr, "crash_to_case: the generated case is invalid:\n%s\n%s",
            sockspec::FormatErrors(loaded).c_str(), conv->text.c_str());
    return 2;
  }
  if (out_path.empty()) {
    fputs(conv->text.c_str(), stdout);
  } else {
    if (!MakeParents(out_path)) return 2;
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    out << conv->text;
    out.close();
    if (!out) {
      fprintf(stderr, "crash_to_case: cannot write %s\n", out_path.c_str());
      return 2;
    }
  }
  if (conv->diverged) {
    fprintf(stderr,
            "crash_to_case: wrote %s: %zu steps; the divergent step is at "
            "line %d: %s\n",
            name.c_str(), conv->steps, conv->divergent_line,
            conv->reason.c_str());
  } else {
    fprintf(stderr, "crash_to_case: wrote %s: %zu steps, no divergence\n",
            name.c_str(), conv->steps);
  }
  return 0;
}
