#include "harness/plan/plan.h"

#include "absl/strings/str_join.h"

namespace sockspec {

std::string Plan::InstanceName() const {
  return absl::StrJoin(bindings, "/",
                       [](std::string* out, const auto& b) { out->append(b.second); });
}

}  // namespace sockspec
