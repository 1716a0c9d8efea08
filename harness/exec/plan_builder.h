// Test helper: builds Plans in C++ without the case language. Step i is
// placed at line 10 + i, column 1 of "t.case".
//
//   PlanBuilder b;
//   b.Setup(Call::kSocketpair, "socketpair(AF_UNIX, SOCK_STREAM)")
//       .Ints({AF_UNIX, SOCK_STREAM, 0}).Results({"a", "b"});
//   b.Peer("A", {"a"});
//   b.Step("A", Call::kWrite, "write(a, \"hi\")").Fds({"a"}).Data("hi").Expect(Ret(2));
#ifndef SOCKSPEC_HARNESS_EXEC_PLAN_BUILDER_H_
#define SOCKSPEC_HARNESS_EXEC_PLAN_BUILDER_H_

#include <sys/socket.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "harness/plan/plan.h"

namespace sockspec {
namespace testing {

inline Outcome Ret(int64_t v) {
  Outcome o;
  o.ret = Range::Exactly(v);
  return o;
}

// `any`: any success.
inline Outcome AnyReturn() {
  Outcome o;
  o.ret = Range{0, INT64_MAX};
  return o;
}

inline Outcome Bytes(std::string data) {
  Outcome o;
  o.data = std::move(data);
  return o;
}

inline Outcome Err(int err) {
  Outcome o;
  o.kind = Outcome::Kind::kErrno;
  o.err = err;
  return o;
}

inline Outcome Blocks() {
  Outcome o;
  o.kind = Outcome::Kind::kBlocks;
  return o;
}

inline Outcome WithSignal(Outcome o, int sig) {
  o.signals.push_back(sig);
  return o;
}

class PlanBuilder;

class StepBuilder {
 public:
  StepBuilder(PlanBuilder* b, size_t index) : b_(b), index_(index) {}
  StepBuilder& Fds(std::initializer_list<const char*> names);
  StepBuilder& Results(std::initializer_list<const char*> names);
  StepBuilder& Ints(std::vector<int64_t> ints) { op().ints = std::move(ints); return *this; }
  StepBuilder& Data(std::string data) { op().data = std::move(data); return *this; }
  StepBuilder& Addr(AddressSpec a) { op().addr = std::move(a); return *this; }
  StepBuilder& NewPeer(const char* name);
  StepBuilder& Expect(Outcome o) {
    o.loc = op().loc;
    op().expect.any_of.push_back(std::move(o));
    return *this;
  }

 private:
  Op& op();
  PlanBuilder* b_;
  size_t index_;
};

class PlanBuilder {
 public:
  PlanBuilder() { plan_.path = "t.case"; }

  int Slot(const std::string& name) {
    for (size_t i = 0; i < plan_.fd_names.size(); ++i) {
      if (plan_.fd_names[i] == name) return i;
    }
    plan_.fd_names.push_back(name);
    return plan_.fd_names.size() - 1;
  }

  int PeerIndex(const std::string& name) const {
    for (size_t i = 0; i < plan_.peers.size(); ++i) {
      if (plan_.peers[i].name == name) return i;
    }
    return -1;
  }

  // A peer the harness forks, holding these setup fds.
  void Peer(const std::string& name, std::initializer_list<const char*> holds) {
    PeerDecl p;
    p.name = name;
    for (const char* h : holds) p.holds.push_back(Slot(h));
    plan_.peers.push_back(std::move(p));
  }

  // One more setup fd that peer `name` holds.
  void Holds(const std::string& name, const std::string& slot) {
    plan_.peers[PeerIndex(name)].holds.push_back(Slot(slot));
  }

  // A peer made by `by`'s fork step.
  void ForkedPeer(const std::string& name, const std::string& by) {
    PeerDecl p;
    p.name = name;
    p.forked_by = PeerIndex(by);
    plan_.peers.push_back(std::move(p));
  }

  StepBuilder Setup(Call call, std::string text) { return Step("", call, std::move(text)); }

  StepBuilder Step(const std::string& peer, Call call, std::string text) {
    Op op;
    op.loc = {plan_.path, static_cast<int>(10 + plan_.ops.size()), 1};
    op.text = std::move(text);
    op.peer = peer.empty() ? -1 : PeerIndex(peer);
    op.call = call;
    plan_.ops.push_back(std::move(op));
    return StepBuilder(this, plan_.ops.size() - 1);
  }

  Plan& plan() { return plan_; }

 private:
  friend class StepBuilder;
  Plan plan_;
};

inline Op& StepBuilder::op() { return b_->plan_.ops[index_]; }

inline StepBuilder& StepBuilder::Fds(std::initializer_list<const char*> names) {
  for (const char* n : names) op().fds.push_back(b_->Slot(n));
  return *this;
}

inline StepBuilder& StepBuilder::Results(std::initializer_list<const char*> names) {
  for (const char* n : names) op().results.push_back(b_->Slot(n));
  return *this;
}

inline StepBuilder& StepBuilder::NewPeer(const char* name) {
  op().new_peer = b_->PeerIndex(name);
  return *this;
}

// socketpair(AF_UNIX, type) = a, b; peer A holds a; peer B holds b.
inline PlanBuilder PairOfPeers(int type) {
  PlanBuilder b;
  b.Setup(Call::kSocketpair, "socketpair(AF_UNIX, TYPE)")
      .Ints({AF_UNIX, type, 0})
      .Results({"a", "b"})
      .Expect(Ret(0));
  b.Peer("A", {"a"});
  b.Peer("B", {"b"});
  return b;
}

}  // namespace testing
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_PLAN_BUILDER_H_
