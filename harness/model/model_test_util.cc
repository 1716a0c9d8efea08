#include "harness/model/model_test_util.h"

#include "absl/types/span.h"
#include "harness/model/model.h"

namespace sockspec::model {

Observed Ret(ssize_t ret, int err) {
  Observed o;
  o.ret = ret;
  o.err = err;
  return o;
}

Observed Err(int err) { return Ret(-1, err); }

Observed Value(int value) {
  Observed o;
  o.value = value;
  return o;
}

Observed Events(int ret, short revents) {
  Observed o;
  o.ret = ret;
  o.revents = revents;
  return o;
}

ReadResult::ReadResult(std::initializer_list<std::pair<uint64_t, size_t>> pieces,
                       int msg_flags) {
  for (const auto& [offset, n] : pieces) {
    const size_t at = bytes.size();
    bytes.resize(at + n);
    FillPattern(kA, offset, bytes.data() + at, n);
  }
  obs.ret = static_cast<ssize_t>(bytes.size());
  obs.data = absl::MakeConstSpan(bytes);
  obs.msg_flags = msg_flags;
}

ReadResult::ReadResult(uint64_t offset, size_t n, std::vector<int> fds,
                       Creds creds, int msg_flags)
    : ReadResult({{offset, n}}, msg_flags) {
  obs.nfds = static_cast<int>(fds.size());
  for (size_t i = 0; i < fds.size(); ++i) obs.fd_tokens[i] = static_cast<uint8_t>(fds[i]);
  obs.creds = creds;
  obs.creds_len = creds == Creds::kNone ? 0 : 12;
}

}  // namespace sockspec::model
