#include "harness/plan/quote.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace sockspec {

std::string QuoteLiteral(absl::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (absl::ascii_isprint(c)) {
          out += static_cast<char>(c);
        } else {
          absl::StrAppendFormat(&out, "\\x%02x", c);
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace sockspec
