// Private to crash_to_case.cc: how one replayed operation of an ops_fuzzer
// program and its answer are written in the case language (cases/README.md).
//
//   Call(op, "a", {0, 5})                // "send(a, from_a[5:12], 0)"
//   Answer(op, {1, 0}, observed, ...)    // "from_b[0:4] flags MSG_TRUNC"
//   AddressName(0)                       // "path(\"p0\")"
#ifndef SOCKSPEC_HARNESS_MODEL_CRASH_TO_CASE_TEXT_H_
#define SOCKSPEC_HARNESS_MODEL_CRASH_TO_CASE_TEXT_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/model/model.h"
#include "harness/model/model_types.h"

namespace sockspec::internal {

// Where a write's or a read's bytes sit: the stream of pattern bytes of
// `writer` (model::PatternByte: 0 and 1 for the two ends of a connection, a
// named datagram socket's index for its own) from `offset` on; or, when
// `pieces` is not empty, those slices of it (offset, length) one after the
// other: a stream read that skipped a taken out-of-band byte.
struct DataAt {
  int writer = 0;
  uint64_t offset = 0;
  std::vector<std::pair<uint64_t, size_t>> pieces;
};

// "from_a", "from_b", "from_s2".."from_s7": the payload of a writer.
std::string PayloadName(int writer);

// The `payload` line of `writer`'s first `extent` bytes: spelt out up to
// 64 KiB, a generated payload of that length past it.
std::string PayloadLine(int writer, uint64_t extent);

// The case's name for fd token `t` (model::RightsToken): the read end of a
// pipe the prologue opens.
std::string TokenName(int t);

// A received fd's name: g1, g2... in the order the case receives them.
std::string ReceivedName(int n);

// A name of the fuzzer (model::kNames index, kAutobind, or a name reported
// by getsockname) in the case language: path("p0"), abstract("a0"),
// unnamed, autobind. "" for model::kUnknownName, which no address states.
std::string AddressName(int name);

// The call of a write, read, sendto or recvfrom on fd `fd`, with its data
// at `at`: "sendmsg(a, from_a[3:5], MSG_NOSIGNAL, rights(t3, t4))".
std::string Call(const model::ModelOp& op, const std::string& fd, DataAt at);

// One answer to `op`. A write's count is a range when `max_ret` > o.ret; a
// read's bytes are at `at`. Fds a read receives are bound to names from
// `*received` on (nullptr: a counter of its own).
std::string Answer(const model::ModelOp& op, DataAt at,
                   const model::Observed& o, ssize_t max_ret,
                   int* received = nullptr);

// The answers the model allows (`allowed`, each read's bytes at
// {at.writer, at.offset}), joined by "or"; each binds the same fd names.
std::string Answers(const model::ModelOp& op, DataAt at,
                    const std::vector<model::AllowedResult>& allowed,
                    int* received);

// The behaviour (cases/behaviours.tsv) a step of `op` on a `type` socket
// is about, from its observed answer and the answers the model allows.
std::string Covers(model::SockType type, const model::ModelOp& op,
                   const model::Observed& obs,
                   const std::vector<model::AllowedResult>& allowed);

}  // namespace sockspec::internal

#endif  // SOCKSPEC_HARNESS_MODEL_CRASH_TO_CASE_TEXT_H_
