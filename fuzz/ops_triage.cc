// ops_triage --under=GUEST [--cases=DIR] [--reproducers=DIR] [--library=DIR]
//            [--platform=NAME] [--because=TEXT] INPUT_OR_DIR...
//
// Triage of ops_fuzzer's differential findings (harness/model/fuzz_triage.h):
// replays every input (libFuzzer crash-* files, or any ops_fuzzer input) on
// this machine and in GUEST (gvisor, command:CMD, qemu:KERNEL), groups them
// by the signature of their first difference, minimises the smallest of each
// group, writes a reproducer and a case file per group, and prints the table:
// signature, count, smallest reproducer, case file, and the case of the
// library (--library=cases) that already states it, or "new". This binary is also the
// guest's replay server (qemu:KERNEL needs a static one in
// $SOCKSPEC_OPS_SERVER: //fuzz:ops_server). For a kernel the cases' platform
// is `linux < HOST_VERSION` (KernelGuestPlatform). Under `bazel run`,
// relative paths are taken from the directory bazel was run in. Exit: 0 no difference, 1 differences
// (the table), 2 usage or harness error.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "harness/model/fuzz_diff.h"
#include "harness/model/fuzz_triage.h"
#include "harness/os/interrupt_cleanup.h"
#include "harness/os/user_path.h"

namespace {

constexpr char kUsage[] =
    "usage: ops_triage --under=GUEST [--cases=DIR] [--reproducers=DIR] "
    "[--library=DIR] [--platform=NAME] [--because=TEXT] INPUT_OR_DIR...\n";

// The files named, and the files directly in the folders named (crash-*,
// leak-*, timeout-* and anything else), sorted.
void Collect(const std::string& path, std::vector<std::string>& out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    out.push_back(path);
    return;
  }
  if (DIR* d = opendir(path.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      const std::string f = path + "/" + e->d_name;
      if (stat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back(f);
    }
    closedir(d);
  }
}

std::string SelfPath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : std::string("/proc/self/exe");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], sockspec::kOpsServerFlag) == 0) {
    const int out = dup(1);
    dup2(2, 1);
    return sockspec::ServeOps(0, out);
  }
  // Interrupted (Ctrl-C), the guest's runsc or qemu is stopped and its
  // working directory removed before this process dies.
  sockspec::InstallInterruptCleanup();
  std::string under;
  sockspec::TriageOptions options;
  bool platform_given = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (absl::StartsWith(a, "--under=")) {
      under = a.substr(8);
    } else if (absl::StartsWith(a, "--cases=")) {
      options.case_dir = sockspec::UserPath(a.substr(8));
    } else if (absl::StartsWith(a, "--library=")) {
      options.library = sockspec::UserPath(a.substr(10));
      struct stat st;
      if (stat(options.library.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "ops_triage: --library=%s: not a folder\n", options.library.c_str());
        return 2;
      }
    } else if (absl::StartsWith(a, "--reproducers=")) {
      options.reproducer_dir = sockspec::UserPath(a.substr(14));
    } else if (absl::StartsWith(a, "--platform=")) {
      options.platform = a.substr(11);
      platform_given = true;
    } else if (absl::StartsWith(a, "--because=")) {
      options.because = a.substr(10);
    } else if (a == "--help" || a == "-h") {
      fputs(kUsage, stdout);
      return 0;
    } else if (a[0] == '-') {
      fprintf(stderr, "ops_triage: unknown option '%s'\n%s", a.c_str(), kUsage);
      return 2;
    } else {
      Collect(sockspec::UserPath(a), files);
    }
  }
  if (under.empty() || files.empty()) {
    fputs(kUsage, stderr);
    return 2;
  }
  std::sort(files.begin(), files.end());
  for (const std::string& dir : {options.case_dir, options.reproducer_dir}) {
    if (!dir.empty()) mkdir(dir.c_str(), 0755);
  }
  sockspec::BlockSigpipe();
  absl::StatusOr<std::unique_ptr<sockspec::DiffRunner>> runner =
      sockspec::DiffRunner::Start(under, SelfPath());
  if (!runner.ok()) {
    fprintf(stderr, "ops_triage: %s\n", runner.status().ToString().c_str());
    return 2;
  }
  const sockspec::SideFacts& host = (*runner)->host_facts();
  const sockspec::SideFacts& guest = (*runner)->guest_facts();
  const bool kernel = absl::StartsWith(under, "qemu:");
  if (kernel && !platform_given) {
    // Another kernel: its answers are an `on linux < HOST` line (or >=).
    const sockspec::KernelGuestNames k =
        sockspec::KernelGuestPlatform(host.release, guest.release);
    if (k.platform.empty()) {
      fprintf(stderr, "ops_triage: no version in the releases '%s' and '%s': "
              "give --platform=\n", host.release, guest.release);
      return 2;
    }
    options.platform = k.platform;
    options.guest_name = k.name;
    options.source_under = absl::StrCat("qemu:vmlinuz-", guest.release);
  }
  if (options.because.empty()) {
    options.because =
        kernel ? absl::StrCat("observed on Linux ", guest.release,
                              " under qemu by fuzz/ops_triage; Linux ",
                              host.release,
                              " answers as the result (versions between "
                              "not bisected)")
               : "observed under --under=" + under + " by fuzz/ops_triage";
  }
  size_t none = 0;
  absl::StatusOr<std::vector<sockspec::TriageGroup>> groups =
      sockspec::Triage(**runner, files, options, &none);
  if (!groups.ok()) {
    fprintf(stderr, "ops_triage: %s\n", groups.status().ToString().c_str());
    return 2;
  }
  printf("ops_triage: %zu inputs, host %s, %s %s\n", files.size(),
         (*runner)->host_facts().release, under.c_str(),
         (*runner)->guest_facts().release);
  fputs(sockspec::TriageTable(*groups, none, !options.library.empty()).c_str(), stdout);
  return groups->empty() ? 0 : 1;
}
