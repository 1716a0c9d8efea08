#include "harness/os/kernel_version.h"

#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sockspec {
namespace {

// Reads the digits at the front of `*text` into `*out`; false when none.
bool TakeNumber(absl::string_view* text, int* out) {
  size_t n = 0;
  while (n < text->size() && n < 6 && absl::ascii_isdigit((*text)[n])) ++n;
  if (n == 0 || !absl::SimpleAtoi(text->substr(0, n), out)) return false;
  text->remove_prefix(n);
  return true;
}

}  // namespace

absl::StatusOr<KernelVersion> ParseKernelVersion(absl::string_view text) {
  absl::string_view rest = text;
  KernelVersion v;
  bool ok = TakeNumber(&rest, &v.major) && absl::ConsumePrefix(&rest, ".") &&
            TakeNumber(&rest, &v.minor);
  if (ok && absl::ConsumePrefix(&rest, ".")) ok = TakeNumber(&rest, &v.patch);
  if (ok && !rest.empty() && (absl::ascii_isdigit(rest[0]) || rest[0] == '.')) {
    ok = false;
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a kernel version (MAJOR.MINOR or MAJOR.MINOR.PATCH)"));
  }
  return v;
}

std::string KernelVersionText(const KernelVersion& v) {
  if (v.patch == 0) return absl::StrCat(v.major, ".", v.minor);
  return absl::StrCat(v.major, ".", v.minor, ".", v.patch);
}

absl::StatusOr<KernelVersion> RunningKernelVersion() {
  struct utsname u;
  if (uname(&u) != 0) {
    return absl::InternalError(absl::StrCat("uname(): ", strerror(errno)));
  }
  return ParseKernelVersion(u.release);
}

}  // namespace sockspec
