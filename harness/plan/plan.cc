#include "harness/plan/plan.h"

#include <sys/socket.h>

#include <optional>

#include "absl/strings/str_join.h"

namespace sockspec {

std::string Plan::InstanceName() const {
  return absl::StrJoin(bindings, "/",
                       [](std::string* out, const auto& b) { out->append(b.second); });
}

namespace {

// The op's first integer argument (a pair's kind, a socket's family), if the
// plan fixes it: not missing, and not filled in from a capture at run time.
std::optional<int64_t> FixedFirstInt(const Op& op) {
  if (op.ints.empty()) return std::nullopt;
  for (const DynamicInt& d : op.dynamic) {
    if (d.target == DynamicInt::Target::kInt && d.index == 0) return std::nullopt;
  }
  return op.ints[0];
}

}  // namespace

bool MayMakeIpSockets(const Plan& plan) {
  using K = AddressSpec::Kind;
  for (const Op& op : plan.ops) {
    if (op.addr.kind == K::kInet4 || op.addr.kind == K::kInet6) return true;
    const std::optional<int64_t> first = FixedFirstInt(op);
    if (op.call == Call::kPair &&
        (!first || *first == static_cast<int64_t>(PairKind::kInet4) ||
         *first == static_cast<int64_t>(PairKind::kInet6))) {
      return true;
    }
    if ((op.call == Call::kSocket || op.call == Call::kSocketpair) &&
        (!first || *first != AF_UNIX)) {
      return true;
    }
  }
  return false;
}

bool NamesPathnameSockets(const Plan& plan) {
  using K = AddressSpec::Kind;
  for (const Op& op : plan.ops) {
    // The two ways an op reaches a filesystem name.
    if (op.addr.kind == K::kPath || op.addr.kind == K::kLongPath) return true;
    const std::optional<int64_t> first = FixedFirstInt(op);
    if (op.call == Call::kPair &&
        (!first || *first == static_cast<int64_t>(PairKind::kPathname))) {
      return true;
    }
  }
  return false;
}

}  // namespace sockspec
