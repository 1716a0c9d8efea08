// The case language's string literal: how bytes are written so that the
// lexer reads the same bytes back. The printer of case files, the judge's
// descriptions of observed data and crash_to_case all write literals this
// way, so a value shown in a report can be pasted into a case.
//
//   QuoteLiteral("a\n\x01\"")  ->  "a\n\x01\""  (as the 12 characters shown)
#ifndef SOCKSPEC_HARNESS_PLAN_QUOTE_H_
#define SOCKSPEC_HARNESS_PLAN_QUOTE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sockspec {

// `bytes` between double quotes: \n \t \r \0 \\ \" escaped, other bytes
// outside printable ASCII as \xNN. Always valid ASCII.
std::string QuoteLiteral(absl::string_view bytes);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_PLAN_QUOTE_H_
