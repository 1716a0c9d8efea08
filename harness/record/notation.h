// What a call returned (an Observation, as data) written the way a person
// writes a case result: errno names, flag and symbol names, data as payload
// slices (`m[0:60] + w2`), `cred(A)`, `rights(g=f)`, `signal SIGPIPE`.
//
//   Notation n{payloads, peer_names, fd_names, &result.context};
//   absl::StatusOr<std::string> text = AnswerNotation(*rec.call, *rec.observation, n);
//   // "m[0:60] + w2", "EAGAIN", "0 flags MSG_TRUNC", "EPIPE signal SIGPIPE"
#ifndef SOCKSPEC_HARNESS_RECORD_NOTATION_H_
#define SOCKSPEC_HARNESS_RECORD_NOTATION_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/exec/control.h"
#include "harness/exec/judge.h"
#include "harness/plan/plan.h"

namespace sockspec {

// The names an answer may use, for one instance.
struct Notation {
  // The case's payloads in declaration order: name -> their bytes.
  std::vector<std::pair<std::string, std::string>> payloads;
  std::vector<std::string> peer_names;  // by peer index
  std::vector<std::string> fd_names;    // by fd slot (Plan::fd_names)
  const JudgeContext* context = nullptr;  // pids, ids, abstract prefix
};

// Bytes as the shortest readable sum of payload slices and string literals:
// "m", "m[0:60] + w2", "m[60:]", "\"hi\" + m[0:3]"; "\"\"" for none. A
// slice of a generated payload is used only where at least 8 bytes (or the
// whole payload) agree, so short literals are not taken for payload bytes.
std::string DataNotation(std::string_view bytes,
                         const std::vector<std::pair<std::string, std::string>>& payloads);

// The result of `call` that `obs` shows, as a case writes it after `= `.
// FailedPrecondition, saying what a person must do, where the language
// cannot state the answer by itself: a new fd needs a name (socket, accept,
// dup, pipe...), the credentials of a process that is no peer, fds that
// leaked, a harness error.
absl::StatusOr<std::string> AnswerNotation(const Op& call, const Observation& obs,
                                   const Notation& names);

}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_RECORD_NOTATION_H_
