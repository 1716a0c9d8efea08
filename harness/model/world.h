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
//
// Named datagram sockets (world_dgram.cc) have no Model: each keeps its
// queue of datagrams, each datagram its sender, so several senders can
// write to one receiver; socket s writes PatternByte(s, offset) with its
// own offsets, so a datagram's bytes say who sent it and where.
#ifndef SOCKSPEC_HARNESS_MODEL_WORLD_H_
#define SOCKSPEC_HARNESS_MODEL_WORLD_H_

#include <cstdint>
#include <deque>
#include <string>
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
  struct Datagram {
    int sender;      // the sending socket's index: its bytes' writer
    int sender_id;   // Sock::id of the sender
    uint64_t offset;
    size_t len;
  };
  struct Sock {
    int id = -1;  // unique in this World: a closed socket's index is reused
    bool open = false;
    SockType type = SockType::kStream;
    int name = kUnnamed;  // a name index or kAutobindOf + this socket
    bool listening = false;
    int backlog = 0;
    std::deque<int> pending;  // connections not accepted yet
    int conn = -1;            // the connection it is an end of
    int conn_end = 0;
    // Datagram sockets:
    int peer_id = -1;  // connected to (maybe closed since), or -1
    int peer_name = kUnnamed;
    std::deque<Datagram> queue;
    bool reset = false;  // sk_err == ECONNRESET
  };
  struct Connection {
    Model model;
    int socks[2];      // connector, accepted socket (-1 until accepted)
    int listener_name;  // the connector's peer name
    int connector_id;   // Sock::id of the connector: its index may be reused
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
  // Makes socket `s` (of `type`) open with a new id.
  void Open(int s, SockType type);
  // The socket that connect or sendto to `name` from a `type` socket
  // reaches, or -1 with `err` and `why` set (unix_find_other).
  int Lookup(int name, SockType type, int& err, std::string& why) const;
  // The open socket with id `id`, or -1.
  int ById(int id) const;

  // world_dgram.cc: named datagram sockets.
  absl::Status CheckDgramConnect(const ModelOp& op, const Observed& obs);
  absl::Status CheckDgramOp(const ModelOp& op, const Observed& obs);
  absl::Status CheckDgramSend(const ModelOp& op, const Observed& obs);
  absl::Status CheckDgramRecv(const ModelOp& op, const Observed& obs);
  absl::Status CheckDgramPoll(const ModelOp& op, const Observed& obs);
  // unix_dgram_disconnected: `s` left peer `old_id`: its queue is purged,
  // and a peer connected back to it gets ECONNRESET if any was queued.
  void DgramDisconnected(int s, int old_id);
  // Bounds on the truesize of what `s` has sent that is still queued.
  size_t WmemLow(int s) const;
  size_t WmemHigh(int s) const;
  // sendto/recvfrom on a stream or seqpacket socket.
  absl::Status CheckConnSendTo(const ModelOp& op, const Observed& obs);
  absl::Status CheckConnRecvFrom(const ModelOp& op, const Observed& obs);
  // The open socket of `type` bound to abstract name `name`, or -1.
  int AbstractHolder(int name, SockType type) const;

  ModelLimits limits_;
  Sock socks_[kMaxSockets];
  std::vector<Connection> conns_;
  int next_id_ = 0;
  uint64_t next_write_[kMaxSockets] = {};  // datagram offsets per index
  std::vector<int> name_of_id_;           // each socket's name, closed too
  bool path_taken_[kNames / 2] = {};  // the socket file exists
  int path_owner_[kNames / 2] = {-1, -1, -1, -1};  // open socket bound there
};

}  // namespace sockspec::model

#endif  // SOCKSPEC_HARNESS_MODEL_WORLD_H_
