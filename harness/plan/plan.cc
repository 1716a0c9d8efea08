#include "harness/plan/plan.h"

#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/str_join.h"

namespace sockspec {

std::string Plan::InstanceName() const {
  return absl::StrJoin(bindings, "/",
                       [](std::string* out, const auto& b) { out->append(b.second); });
}

bool MayMakeIpSockets(const Plan& plan) {
  using K = AddressSpec::Kind;
  for (const Op& op : plan.ops) {
    if (op.addr.kind == K::kInet4 || op.addr.kind == K::kInet6) return true;
    const bool first_known =
        !op.ints.empty() && std::none_of(op.dynamic.begin(), op.dynamic.end(),
                                         [](const DynamicInt& d) {
                                           return d.target == DynamicInt::Target::kInt &&
                                                  d.index == 0;
                                         });
    if (op.call == Call::kPair &&
        (!first_known || op.ints[0] == static_cast<int64_t>(PairKind::kInet4) ||
         op.ints[0] == static_cast<int64_t>(PairKind::kInet6))) {
      return true;
    }
    if ((op.call == Call::kSocket || op.call == Call::kSocketpair) &&
        (!first_known || op.ints[0] != AF_UNIX)) {
      return true;
    }
  }
  return false;
}

}  // namespace sockspec
