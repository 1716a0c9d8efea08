// The setups of blocking_fuzzer (blocking_setup.h) and its input's setup
// prefix (DecodeBlockingInput). What each named setup relies on is pinned
// by a case of its own: cases/blocking/blocked-accept-wakes-on-connect.case,
// cases/backlog/blocking-connect-waits-for-accept.case and
// cases/blocking/datagram-recv-on-a-bound-socket-woken-by-sendto.case.
#include "harness/model/blocking_setup.h"

#include <sys/socket.h>

#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "harness/model/blocking_text.h"

namespace sockspec {
namespace {

using Role = BlockingStep::Role;

constexpr int kPeerA = 0, kPeerB = 1, kPeerC = 2, kPeerD = 3;
constexpr int kSlotA = 0, kSlotB = 1, kSlotL = 2, kSlotF = 3, kSlotF2 = 4;
// What B's sendto carries to the bound datagram socket in kBoundDgram.
constexpr char kHello[] = "named";

class SetupWriter {
 public:
  SetupWriter(BlockingProgram& out, bool abstract)
      : out_(out), abstract_(abstract) {}

  // A step with a stated result: `ret` (-1: any fd, -2: `blocks`).
  Op& Step(int peer, Call call, std::string text, std::string stated,
           int64_t ret) {
    Op& op = AddBlockingStep(out_, peer, call, std::move(text),
                             {peer < 0 ? Role::kSetup : Role::kFixed, -1, stated});
    op.expect.placeholder = false;
    op.expect.text = stated;
    Outcome o;
    o.loc = op.loc;
    if (ret == -2) {
      o.kind = Outcome::Kind::kBlocks;
      ++out_.blocking_calls;
    } else if (ret >= 0) {
      o.ret = Range::Exactly(ret);
    }
    op.expect.any_of = {o};
    return op;
  }

  Op& Socket(int slot, int type) {
    const std::string name = out_.plan.fd_names[slot];
    Op& op = Step(-1, Call::kSocket,
                  absl::StrCat("socket(AF_UNIX, ", model::SockTypeName(out_.type), ")"),
                  absl::StrCat("= ", name), -1);
    op.ints = {AF_UNIX, type, 0};
    op.results = {slot};
    return op;
  }

  // path("NAME") or abstract("NAME").
  AddressSpec Address(const char* name) const {
    AddressSpec a;
    a.kind = abstract_ ? AddressSpec::Kind::kAbstract : AddressSpec::Kind::kPath;
    a.name = name;
    return a;
  }
  std::string AddressText(const char* name) const {
    return absl::StrCat(abstract_ ? "abstract" : "path", "(\"", name, "\")");
  }

  // bind/connect(slot, ADDRESS) by `peer`; `ret` as for Step.
  Op& AtAddress(int peer, Call call, int slot, const char* name, int64_t ret) {
    Op& op = Step(peer, call,
                  absl::StrCat(call == Call::kBind ? "bind(" : "connect(",
                               out_.plan.fd_names[slot], ", ", AddressText(name), ")"),
                  ret == -2 ? "blocks" : "= 0", ret);
    op.fds = {slot};
    op.addr = Address(name);
    return op;
  }

  Op& Accept(int slot, int64_t ret) {
    Op& op = Step(kPeerA, Call::kAccept, "accept(l)",
                  ret == -2 ? "blocks" : absl::StrCat("= ", out_.plan.fd_names[slot]), ret);
    op.fds = {kSlotL};
    op.results = {slot};
    return op;
  }

  void Wakes(int peer, std::string stated, int64_t ret) {
    Step(peer, Call::kWakes, "wakes", std::move(stated), ret);
  }

  void Fork(int peer, int new_peer) {
    Op& op = Step(peer, Call::kFork,
                  absl::StrCat("fork ", out_.plan.peers[new_peer].name), "", -1);
    op.new_peer = new_peer;
  }

 private:
  BlockingProgram& out_;
  bool abstract_;
};

void AddPeers(Plan& p, int count) {
  for (const char* name : {"A", "B", "C", "D"}) {
    if (static_cast<int>(p.peers.size()) == count) break;
    PeerDecl d;
    d.name = name;
    p.peers.push_back(d);
  }
}

// A listener l and a connecting b: a is accepted from l.
void ConnectionSetup(BlockingProgram& out, SetupWriter& w, bool misplace,
                     BlockingPeers& peers) {
  Plan& p = out.plan;
  const bool backlog = out.setup == BlockingSetup::kBacklog;
  const int type = model::SockTypeValue(out.type);
  p.fd_names = {"a", "b", "l"};
  if (backlog) {
    p.fd_names.push_back("f");
    p.fd_names.push_back("f2");
  }
  AddPeers(p, 4);
  w.Socket(kSlotL, type);
  w.AtAddress(-1, Call::kBind, kSlotL, "srv", 0);
  Op& listen = w.Step(-1, Call::kListen, absl::StrCat("listen(l, ", backlog ? 0 : 1, ")"),
                      "= 0", 0);
  listen.fds = {kSlotL};
  listen.ints = {backlog ? 0 : 1};
  if (backlog) {
    // With backlog 0 one queued connection fills the listener
    // (unix_recvq_full: more than sk_max_ack_backlog queued).
    w.Socket(kSlotF, type);
    w.AtAddress(-1, Call::kConnect, kSlotF, "srv", 0);
  }
  w.Socket(kSlotB, type);
  p.peers[kPeerA].holds = {kSlotL};
  if (backlog) p.peers[kPeerA].holds.push_back(kSlotF);
  p.peers[kPeerB].holds = {kSlotB};
  if (!backlog && !misplace) {
    w.Accept(kSlotA, -2);
    w.AtAddress(kPeerB, Call::kConnect, kSlotB, "srv", 0);
    w.Wakes(kPeerA, "= a", -1);
  } else if (!backlog) {
    w.AtAddress(kPeerB, Call::kConnect, kSlotB, "srv", 0);
    w.Accept(kSlotA, -2);  // completes: the connection is already queued
    w.Wakes(kPeerA, "= a", -1);
  } else if (!misplace) {
    w.AtAddress(kPeerB, Call::kConnect, kSlotB, "srv", -2);
    w.Accept(kSlotF2, -1);
    w.Wakes(kPeerB, "= 0", 0);
    w.Accept(kSlotA, -1);
  } else {
    w.Accept(kSlotF2, -1);
    w.AtAddress(kPeerB, Call::kConnect, kSlotB, "srv", -2);  // room: completes
    w.Wakes(kPeerB, "= 0", 0);
    w.Accept(kSlotA, -1);
  }
  // C and D are forks made now: A's fork holds a (and A's other fds).
  p.peers[kPeerC].forked_by = kPeerA;
  p.peers[kPeerC].holds = p.peers[kPeerA].holds;
  p.peers[kPeerC].holds.push_back(kSlotA);
  if (backlog) p.peers[kPeerC].holds.push_back(kSlotF2);
  p.peers[kPeerD].forked_by = kPeerB;
  p.peers[kPeerD].holds = {kSlotB};
  w.Fork(kPeerA, kPeerC);
  w.Fork(kPeerB, kPeerD);
  peers.count = 4;
  peers.holds[kPeerA][0] = peers.holds[kPeerC][0] = true;
  peers.holds[kPeerB][1] = peers.holds[kPeerD][1] = true;
}

// Two bound datagram sockets; a's first datagram comes from b by address.
void BoundDgramSetup(BlockingProgram& out, SetupWriter& w, bool misplace,
                     BlockingPeers& peers) {
  Plan& p = out.plan;
  p.fd_names = {"a", "b"};
  AddPeers(p, 3);
  w.Socket(kSlotA, SOCK_DGRAM);
  w.AtAddress(-1, Call::kBind, kSlotA, "a", 0);
  w.Socket(kSlotB, SOCK_DGRAM);
  w.AtAddress(-1, Call::kBind, kSlotB, "b", 0);
  p.peers[kPeerA].holds = {kSlotA};
  p.peers[kPeerB].holds = {kSlotB};
  p.peers[kPeerC].holds = {kSlotA, kSlotB};
  const auto recv = [&] {
    Op& r = w.Step(kPeerA, Call::kRecv, "recv(a, 64, 0)", "blocks", -2);
    r.fds = {kSlotA};
    r.ints = {64, 0};
  };
  if (!misplace) recv();
  Op& send = w.Step(kPeerB, Call::kSendto,
                    absl::StrCat("sendto(b, \"", kHello, "\", 0, ", w.AddressText("a"), ")"),
                    absl::StrCat("= ", strlen(kHello)), strlen(kHello));
  send.fds = {kSlotB};
  send.data = kHello;
  send.ints = {0};
  send.addr = w.Address("a");
  if (misplace) recv();  // the datagram is queued: completes
  Op& wake = w.Step(kPeerA, Call::kWakes, "wakes",
                    absl::StrCat("= \"", kHello, "\""), strlen(kHello));
  wake.expect.any_of[0].data = kHello;
  w.AtAddress(kPeerA, Call::kConnect, kSlotA, "b", 0);
  w.AtAddress(kPeerB, Call::kConnect, kSlotB, "a", 0);
  peers.count = 3;
  peers.holds[kPeerA][0] = peers.holds[kPeerC][0] = peers.holds[kPeerC][1] = true;
  peers.holds[kPeerB][1] = true;
}

}  // namespace

BlockingInput DecodeBlockingInput(absl::Span<const uint8_t> data) {
  BlockingInput in;
  if (data.size() >= 4 && memcmp(data.data(), kBlockingMagic, 3) == 0) {
    const uint8_t s = data[3];
    in.program = DecodeOps(data.subspan(4));
    in.abstract = (s & 4) != 0;
    switch (s % 3) {
      case 0:
        break;
      case 1:
        in.setup = BlockingSetup::kAccept;
        break;
      case 2:
        in.setup = BlockingSetup::kBacklog;
        break;
    }
    if (in.setup != BlockingSetup::kSocketpair &&
        in.program.type == model::SockType::kDgram) {
      in.setup = BlockingSetup::kBoundDgram;
    }
    return in;
  }
  in.program = DecodeOps(data);
  return in;
}

BlockingPeers AddBlockingSetup(BlockingProgram& out, bool abstract,
                               bool misplace_blocks) {
  Plan& p = out.plan;
  p.path = "blocking_fuzzer.case";
  p.title = "blocking_fuzzer input";
  p.platform = "linux";
  BlockingPeers peers;
  SetupWriter w(out, abstract);
  switch (out.setup) {
    case BlockingSetup::kSocketpair: {
      p.fd_names = {"a", "b"};
      AddPeers(p, 3);
      p.peers[kPeerA].holds = {kSlotA};
      p.peers[kPeerB].holds = {kSlotB};
      p.peers[kPeerC].holds = {kSlotA, kSlotB};
      Op& pair = w.Step(-1, Call::kSocketpair,
                        absl::StrCat("socketpair(AF_UNIX, ", model::SockTypeName(out.type), ")"),
                        "= a, b", -1);
      pair.ints = {AF_UNIX, model::SockTypeValue(out.type), 0};
      pair.results = {kSlotA, kSlotB};
      pair.expect.any_of.clear();  // it only has to succeed
      peers.count = 3;
      peers.holds[kPeerA][0] = peers.holds[kPeerC][0] = peers.holds[kPeerC][1] = true;
      peers.holds[kPeerB][1] = true;
      break;
    }
    case BlockingSetup::kAccept:
    case BlockingSetup::kBacklog:
      ConnectionSetup(out, w, misplace_blocks, peers);
      break;
    case BlockingSetup::kBoundDgram:
      BoundDgramSetup(out, w, misplace_blocks, peers);
      break;
  }
  return peers;
}

}  // namespace sockspec
