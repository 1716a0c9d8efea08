// Case text to a LoadedCase for the case language's tests: each test file
// states the header its cases share once, and loads bodies under it.
//
//   constexpr TestCases kCases("title \"t\"\ncovers B01\nsource \"s\"\n");
//   EXPECT_EQ(kCases.FirstError("A: read(a, 1) = 0\n"), "undeclared fd 'a'");
#ifndef SOCKSPEC_HARNESS_LANG_LANG_TEST_UTIL_H_
#define SOCKSPEC_HARNESS_LANG_LANG_TEST_UTIL_H_

#include <string>
#include <string_view>

#include "harness/lang/frontend.h"

namespace sockspec {

class TestCases {
 public:
  // `header` must outlive the TestCases (a literal, or a local string).
  constexpr explicit TestCases(std::string_view header) : header_(header) {}

  // The header and `body` loaded as "t.case" for `platform`: its plans, or
  // its errors.
  LoadedCase Load(const std::string& body,
                  const std::string& platform = "linux") const;

  // The message of the first error loading the header and `body` on
  // linux, or "" when it loads.
  std::string FirstError(const std::string& body) const;

 private:
  std::string_view header_;
};

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_LANG_TEST_UTIL_H_
