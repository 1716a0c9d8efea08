#include "harness/guest/qemu_boot.h"

#include <dirent.h>
#include <elf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "harness/guest/cpio.h"
#include "harness/guest/qemu_init.h"
#include "harness/os/child.h"
#include "harness/os/fd.h"
#include "harness/result/outcome_json.h"

namespace sockspec {
namespace {

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(("open(" + path + ")").c_str(), errno);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

absl::StatusOr<std::string> BzImageRelease(const std::string& path) {
  absl::StatusOr<std::string> image = ReadWhole(path);
  if (!image.ok()) return image.status();
  // The boot protocol: "HdrS" at 0x202; a 16-bit offset at 0x20e points
  // (from 0x200) at the NUL-terminated version string.
  const std::string& b = *image;
  if (b.size() < 0x210 || b.compare(0x202, 4, "HdrS") != 0) {
    return absl::InvalidArgumentError(path + " is not a bzImage (no HdrS header)");
  }
  size_t at = 0x200 + (static_cast<unsigned char>(b[0x20e]) |
                       static_cast<unsigned char>(b[0x20f]) << 8);
  size_t end = b.find('\0', at);
  if (at >= b.size() || end == std::string::npos) {
    return absl::InvalidArgumentError(path + ": no kernel version in its header");
  }
  return b.substr(at, b.find(' ', at) < end ? b.find(' ', at) - at : end - at);
}

std::string QemuSystemName(absl::string_view release) {
  size_t n = 0;
  while (n < release.size() && (absl::ascii_isdigit(release[n]) || release[n] == '.')) ++n;
  size_t abi = n;
  if (abi < release.size() && release[abi] == '-') {
    size_t d = abi + 1;
    while (d < release.size() && absl::ascii_isdigit(release[d])) ++d;
    if (d > abi + 1) n = d;  // Debian's ABI number: 6.1.0-28
  }
  return absl::StrCat("linux-", release.substr(0, n), "-qemu");
}

absl::StatusOr<std::string> KernelImage(const std::string& kernel,
                                        const std::string& workdir) {
  if (access(kernel.c_str(), R_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "kernel ", kernel, ": ", strerror(errno),
        " (bash ci/kernel.sh 6.1 fetches one and prints its path)"));
  }
  if (!absl::EndsWith(kernel, ".deb")) return kernel;
  const std::string dir = workdir + "/deb";
  absl::StatusOr<Child> child = Child::Spawn([&] {
    execlp("dpkg-deb", "dpkg-deb", "-x", kernel.c_str(), dir.c_str(), nullptr);
    return 127;
  });
  if (!child.ok()) return child.status();
  absl::StatusOr<ExitStatus> status = child->Wait();
  if (!status.ok()) return status.status();
  if (!status->Success()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "dpkg-deb -x ", kernel, " ", status->ToString(), " (is dpkg-deb installed?)"));
  }
  DIR* boot = opendir((dir + "/boot").c_str());
  std::string found;
  for (struct dirent* e = boot ? readdir(boot) : nullptr; e != nullptr; e = readdir(boot)) {
    if (absl::StartsWith(e->d_name, "vmlinuz-")) found = dir + "/boot/" + e->d_name;
  }
  if (boot) closedir(boot);
  if (found.empty()) {
    return absl::FailedPreconditionError(kernel + " holds no boot/vmlinuz-*");
  }
  return found;
}

std::string FindQemu(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = getenv("SOCKSPEC_QEMU"); env != nullptr && *env) return env;
  const char* path = getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir, "/qemu-system-x86_64");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return access("/usr/bin/qemu-system-x86_64", X_OK) == 0 ? "/usr/bin/qemu-system-x86_64" : "";
}

void ReadMore(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(text.size()));
  std::ostringstream s;
  s << in.rdbuf();
  text += s.str();
}

bool IsStaticExecutable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh;
  if (!in.read(reinterpret_cast<char*>(&eh), sizeof eh) ||
      memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) {
    return false;
  }
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    in.seekg(eh.e_phoff + static_cast<uint64_t>(i) * eh.e_phentsize);
    if (!in.read(reinterpret_cast<char*>(&ph), sizeof ph)) return false;
    if (ph.p_type == PT_INTERP) return false;
  }
  return true;
}

absl::StatusOr<std::string> StaticSockspec() {
  if (const char* env = getenv("SOCKSPEC_STATIC"); env != nullptr && *env) {
    if (!IsStaticExecutable(env)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "SOCKSPEC_STATIC=", env, " is not a statically linked executable"));
    }
    return std::string(env);
  }
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return ErrnoStatus("readlink(/proc/self/exe)", errno);
  self[len] = '\0';
  if (IsStaticExecutable(self)) return std::string(self);
  return absl::FailedPreconditionError(absl::StrCat(
      "the guest's /init must be a static sockspec and ", self,
      " is dynamically linked: build one with `bazel build --config=static "
      "//harness:sockspec` and run that, or set SOCKSPEC_STATIC=PATH"));
}

absl::StatusOr<std::string> BuildInitramfs(const std::string& init_binary,
                                           const std::vector<std::string>& files,
                                           const std::vector<std::string>& inner_args) {
  CpioWriter cpio;
  for (const char* dir : {"proc", "sys", "dev", "tmp", "sockspec"}) {
    cpio.AddDirectory(dir, 0755);
  }
  cpio.AddCharDevice("dev/console", 0600, 5, 1);
  cpio.AddCharDevice("dev/null", 0666, 1, 3);
  absl::StatusOr<std::string> init = ReadWhole(init_binary);
  if (!init.ok()) return init.status();
  cpio.AddFile("init", *init, 0755);
  for (const std::string& f : files) {
    absl::StatusOr<std::string> text = ReadWhole(f);
    if (!text.ok()) return text.status();
    cpio.AddFile(f, *text, 0644);
  }
  std::string args;
  for (const std::string& a : inner_args) args += a + '\0';
  cpio.AddFile(kQemuArgsFile, args, 0644);
  return cpio.Finish();
}

std::vector<std::string> QemuCommand(const QemuSettings& s) {
  // panic=-1 reboots at once on a panic and -no-reboot turns that into
  // qemu's exit; oops=panic makes an oops one too. quiet keeps the console
  // (emulated, slow) to warnings and worse. no_timer_check skips the boot's
  // test that the timer interrupt arrives within a few busy-loop ticks: an
  // emulated CPU on a loaded host can miss it, and the kernel then panics
  // ("IO-APIC + timer doesn't work!"; once in 62 qemu_e2e_test runs beside
  // stress-ng --cpu 2).
  std::string append = "console=ttyS0 panic=-1 oops=panic quiet no_timer_check";
  if (!s.append.empty()) absl::StrAppend(&append, " ", s.append);
  return {s.qemu, "-nodefaults", "-no-user-config", "-no-reboot",
          "-display", "none", "-machine", "pc", "-accel", s.accel,
          "-cpu", s.accel == "kvm" ? "host" : "max",
          "-smp", absl::StrCat(s.cpus), "-m", absl::StrCat(s.memory_mb),
          "-kernel", s.kernel, "-initrd", s.initrd, "-append", append,
          "-serial", "file:" + s.console_file,
          "-serial", s.results_on_stdio ? "stdio" : "file:" + s.results_file};
}

namespace {

// Removes ESC [ ... final-byte sequences and \r.
std::string Plain(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033') {
      ++i;
      if (i < text.size() && text[i] == '[') {
        while (i + 1 < text.size() && !(text[i + 1] >= '@' && text[i + 1] <= '~')) ++i;
        ++i;
      }
      continue;
    }
    if (text[i] != '\r') out.push_back(text[i]);
  }
  return out;
}

}  // namespace

std::string ConsoleFailure(absl::string_view console) {
  for (absl::string_view line : absl::StrSplit(console, '\n')) {
    if (absl::StrContains(line, "Kernel panic") || absl::StrContains(line, "Oops:") ||
        absl::StrContains(line, "BUG:")) {
      std::string plain = Plain(line);
      absl::string_view text = absl::StripAsciiWhitespace(plain);
      // The printk timestamp, "[    3.188684] ", says nothing to a reader.
      if (absl::StartsWith(text, "[") && text.find("] ") != absl::string_view::npos) {
        text.remove_prefix(text.find("] ") + 2);
      }
      return std::string(text);
    }
  }
  return "";
}

std::string ConsoleTail(absl::string_view console, int lines) {
  std::vector<std::string> all = absl::StrSplit(Plain(console), '\n');
  while (!all.empty() && absl::StripAsciiWhitespace(all.back()).empty()) all.pop_back();
  size_t from = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  return absl::StrJoin(all.begin() + from, all.end(), "\n");
}

void ReadResultLines(const std::string& text, size_t& consumed, ResultStream& stream) {
  for (size_t nl = text.find('\n', consumed); nl != std::string::npos;
       nl = text.find('\n', consumed)) {
    std::string line = text.substr(consumed, nl - consumed);
    consumed = nl + 1;
    size_t brace = line.find('{');
    if (brace == std::string::npos) continue;
    line = line.substr(brace);
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      stream.error = "unreadable result line: " + line;
      continue;
    }
    if (j.contains("sockspec")) {
      const std::string what = j["sockspec"].is_string() ? j["sockspec"].get<std::string>() : "";
      if (what == "started") {
        stream.started = true;
        if (j.contains("release") && j["release"].is_string()) stream.release = j["release"];
      } else if (what == "done") {
        stream.done = true;
        if (j.contains("exit") && j["exit"].is_number_integer()) stream.exit_code = j["exit"];
      }
      continue;
    }
    absl::StatusOr<std::vector<CaseOutcome>> one =
        ParseJsonOutcomes("{\"results\":[" + line + "]}");
    if (!one.ok()) {
      stream.error = std::string(one.status().message());
      continue;
    }
    for (CaseOutcome& o : *one) stream.outcomes.push_back(std::move(o));
  }
}

}  // namespace sockspec
