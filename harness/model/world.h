// A reference model of named AF_UNIX sockets beside ops_fuzzer's socketpair:
// sockets made by socket() and accept() (s2..s7), bound to pathnames, abstract
// names or autobound, listening with a backlog, connected and accepted. Like
// Model it judges each result and then adopts it. Each connection, the pair
// a-b included, is a Model whose end 0 is the connector and end 1 the
// accepted socket, so data written before accept is judged as on a pair.
//
//   World world(SockType::kStream);
//   world.Check(ModelOp::Socket(2, SockType::kStream), {.ret = 2});
//   world.Check(ModelOp::Bind(2, 0), observed);  // OK or the reason
//
// Facts from net/unix/af_unix.c (Linux 6.18, checked on this machine's
// kernel): a listener takes backlog + 1 connections before connect fails
// EAGAIN; a pathname stays taken after its socket closes (the file stays);
// abstract names are per socket type; connect finds the listener before it
// looks at its own state (so EISCONN comes after ENOENT and ECONNREFUSED).
#ifndef SOCKSPEC_HARNESS_MODEL_WORLD_H_
#define SOCKSPEC_HARNESS_MODEL_WORLD_H_

#include <deque>
#include <vector>

#include "absl/status/status.h"
#include "harness/model/model.h"
#include "harness/model/model_types.h"

namespace sockspec::model {

class World {
 public:
  explicit World(SockType pair_type, ModelLimits limits = {});

  // Judges `observed` as the result of `op` on socket op.end (0, 1: the pair;
  // 2..7: named sockets), then adopts it. OK when allowed; FailedPrecondition
  // saying what was expected otherwise.
  absl::Status Check(const ModelOp& op, const Observed& observed);

  // Whether socket `s` is open (made and not closed).
  bool open(int s) const { return socks_[s].open; }
  // The connection end a write on `s` writes as (0 or 1) and the stream
  // offset of its next byte: the write's data is FillPattern(writer,
  // offset, ...). {0, 0} for a socket in no connection.
  void NextWrite(int s, int& writer, uint64_t& offset) const;

 private:
  struct Sock {
    bool open = false;
    SockType type = SockType::kStream;
    int name = kUnnamed;  // a name index or kAutobindOf + this socket
    bool listening = false;
    int backlog = 0;
    std::deque<int> pending;  // connections not accepted yet
    int conn = -1;            // the connection it is an end of
    int conn_end = 0;
  };
  struct Connection {
    Model model;
    int socks[2];      // connector, accepted socket (-1 until accepted)
    int listener_name;  // the connector's peer name
  };

  absl::Status CheckSocket(const ModelOp& op, const Observed& obs);
  absl::Status CheckBind(const ModelOp& op, const Observed& obs);
  absl::Status CheckListen(const ModelOp& op, const Observed& obs);
  absl::Status CheckConnect(const ModelOp& op, const Observed& obs);
  absl::Status CheckAccept(const ModelOp& op, const Observed& obs);
  absl::Status CheckGetName(const ModelOp& op, const Observed& obs);
  // A pair operation (write, read, poll, close...) on socket op.end.
  absl::Status CheckSocketOp(const ModelOp& op, const Observed& obs);
  // The same on a socket in no connection (unconnected or listening).
  absl::Status CheckLoneSocketOp(const ModelOp& op, const Observed& obs);
  // Adopts the close of socket `s`.
  void Close(int s);
  // The open socket of `type` bound to abstract name `name`, or -1.
  int AbstractHolder(int name, SockType type) const;

  SockType pair_type_;
  ModelLimits limits_;
  Sock socks_[kMaxSockets];
  std::vector<Connection> conns_;
  bool path_taken_[kNames / 2] = {};  // the socket file exists
  int path_owner_[kNames / 2] = {-1, -1, -1, -1};  // open socket bound there
};

}  // namespace sockspec::model

#endif  // SOCKSPEC_HARNESS_MODEL_WORLD_H_
