// Making text valid UTF-8 before it reaches an output format: case titles,
// file names and messages may hold any bytes.
#ifndef SOCKSPEC_HARNESS_REPORT_UTF8_H_
#define SOCKSPEC_HARNESS_REPORT_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sockspec {

// `s` with every byte that does not start or continue a well-formed UTF-8
// sequence (overlong forms, surrogates and code points past U+10FFFF
// included) replaced by U+FFFD, one per maximal ill-formed subpart as
// Unicode recommends. Valid text comes back unchanged.
std::string ValidUtf8(absl::string_view s);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_REPORT_UTF8_H_
