#include "harness/lang/lang_test_util.h"

namespace sockspec {

LoadedCase TestCases::Load(const std::string& body,
                           const std::string& platform) const {
  return LoadCase("t.case", std::string(header_) + body, platform);
}

std::string TestCases::FirstError(const std::string& body) const {
  LoadedCase c = Load(body);
  return c.errors.empty() ? "" : c.errors[0].message;
}

}  // namespace sockspec
