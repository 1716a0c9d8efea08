// Private to validate: the state of lowering one matrix row, shared by
// validate.cc (steps, peers, fds, blocking) and the lower*.cc files
// (arguments and results).
#ifndef SOCKSPEC_HARNESS_LANG_VALIDATE_INTERNAL_H_
#define SOCKSPEC_HARNESS_LANG_VALIDATE_INTERNAL_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/plan/calls.h"
#include "harness/lang/case.h"
#include "harness/lang/diagnostic.h"
#include "harness/lang/matrix.h"
#include "harness/plan/plan.h"

namespace sockspec {
namespace internal {

// A call that `blocks` and has not yet been woken.
struct Pending {
  const CallSpec* spec = nullptr;
  Location loc;         // the blocking step
  std::string text;     // "read(b, 10)"
  size_t op_index = 0;  // the blocking op in Plan::ops
};

// " (did you mean 'PREFIX HINT'?)", or "" for no hint.
std::string DidYouMean(const std::string& hint, const char* prefix = "");
// "12:3".
std::string LineCol(const Location& loc);
// Capitalised (`Server`, `A2`) or short all-caps (`A`, `S`): a peer name.
bool IsPeerName(const std::string& s);
// `e` as a diagnostic quotes it: 'read(b, 10)', cut to 40 characters.
std::string Shown(const Expr& e);
// Starts with a lower-case letter (a payload or fd name, `any`), not a symbol.
bool IsLower(const std::string& s);
// `E` and then capitals and digits: what an errno name looks like.
bool IsErrnoLike(const std::string& s);

// Names a successful call binds to new fds, with where each is written.
using Binds = std::vector<std::pair<std::string, Location>>;

// `$name` in lower case: a captured value, not a matrix variable.
bool IsCaptureVar(const Expr& e);
// Whether `e` refers to a captured value anywhere inside it.
bool HasCapture(const Expr& e);

// accept, accept4, getsockname, getpeername, recvfrom: they write an address back
// and take `addr=` / `addrlen=` (lower_args.cc).
bool TakesAddressOut(const CallSpec& spec);

// A captured value's slot in Plan::capture_names and where it is bound.
struct CaptureInfo {
  int slot = -1;
  Location loc;
};

class RowLowering {
 public:
  RowLowering(const Case& c, const MatrixRow& row, const std::string& platform,
              DiagnosticSink* sink, size_t* total_ops, int64_t* total_data);

  // The plan, or nullopt after an error was reported.
  std::optional<Plan> Run();

 private:
  // validate.cc
  void DeclarePeers();
  void StartPeers();
  void LowerStep(const Step& step);
  void LowerCallStep(const Step& step, int holder);
  void LowerWakes(const Step& step, int peer);
  void LowerFork(const Step& step, int peer);
  void RecoverBinds(const Step& step, int holder);
  bool ResolveRepeat(const Step& step, int64_t* count);
  bool Expectations(const Step& step, const CallSpec& spec, int holder,
                    int iteration, bool blocking, Op* op);
  std::string HolderName(int holder) const;
  int PeerIndex(const NameRef& name, bool report);

  // lower.cc
  bool LowerArgs(const CallSpec& spec, const std::vector<Expr>& args,
                 const Step& step, int holder, int iteration, Op* op);
  bool LowerFd(const Expr& e, int holder, int iteration, int* slot);
  bool FdName(const Expr& e, int iteration, std::string* name);
  bool LowerInt(const Expr& e, const char* what, int64_t* out);
  bool LowerSymbols(const Expr& e, const ArgSpec& arg, int64_t* out);
  // With `dynamic`, a slice whose ends are captures (`m[0:$n]`) may stand
  // as the whole data; its ends go there.
  bool LowerData(const Expr& e, std::string* out,
                 std::vector<DynamicInt>* dynamic = nullptr);
  // Adds `bytes` to the row's data; false once past the 64 MiB budget
  // (reported at the first expression that crosses it).
  bool CountData(const Expr& e, int64_t bytes);
  bool LowerAddress(const Expr& e, bool expectation, AddressSpec* out);
  bool LowerCred(const Expr& e, CredSpec* out);
  // `pid(A)` / `pid(harness)`: the peer index or CredSpec::kHarness.
  bool LowerPid(const Expr& e, int* who);
  bool LowerReady(const Alternative& alt, const CallSpec& spec,
                  Outcome* out);
  // After a call step is lowered: an epoll fd given to a socket call, or a
  // socket given to epoll_ctl/epoll_wait as the epoll fd, where the step
  // expects success, is an error; then records what `op` made.
  bool CheckFdKinds(const CallSpec& spec, const std::vector<Expr>& args,
                    const Op& op);
  bool LowerAncillary(const CallSpec& spec, const Expr& e, int holder, Op* op);
  bool LowerControl(const Expr& e, Op* op);  // recvmsg's control=N
  // One sendmmsg message: DATA or iov(DATA, ...), into op->ints and data.
  bool LowerMessageIovecs(const Expr& e, Op* op);
  // recvmmsg/sendmmsg results: `msg("ab", flags=MSG_TRUNC)`, `msg(len=2)`.
  bool LowerMessage(const Expr& e, const CallSpec& spec,
                    Outcome::Message* out);
  // `cmsg(SOL_SOCKET, SCM_INQ, 5)` after a recvmsg result.
  bool LowerCmsg(const Expr& e, Outcome* out);
  // Puts the row's matrix values into a result as written; false (and an
  // error counted) when a variable is unknown.
  bool SubstituteAlternative(Alternative* alt);
  bool LowerOutcome(const Alternative& alt, const CallSpec& spec, int holder,
                    int iteration, Binds* binds, Outcome* out);
  bool LowerAttribute(const Attribute& a, const CallSpec& spec, Binds* binds,
                      Outcome* out);
  bool LowerValue(const Expr& e, const CallSpec& spec, Outcome* out);
  // lower_signals.cc
  // `signal SIGPIPE`, `signal SIGPIPE|SIGURG`, `signal none`.
  bool LowerSignalAttribute(const Attribute& a, Outcome* out);
  // What the call table cannot say about one call's arguments: sigaction's
  // SIG_IGN and SIG_DFL stand alone, kill sends neither SIGKILL nor
  // SIGSTOP, alarm's seconds, setrlimit's limit.
  bool CheckSignalCallArgs(const CallSpec& spec, const std::vector<Expr>& args,
                           const Op& op);

  // lower_sockopt.cc: option values in their shapes (harness/os/sockopts.h).
  // setsockopt's value as bytes, for the level and option in op.ints.
  bool LowerOptionValue(const Expr& e, Op* op, std::string* bytes);
  // An option named by a symbol belongs to the level given (TCP_NODELAY is
  // not a SOL_SOCKET option); a number for either is taken as written.
  bool CheckOptionLevel(const Expr& level, const Expr& option, const Op& op);
  // `optlen=N`, 0 to 65536.
  bool LowerOptlen(const Expr& e, int64_t* out);
  // getsockopt's result value for the option of current_op_.
  bool LowerOptionResult(const Expr& e, Binds* binds, Outcome* out);
  // `optlen N` after getsockopt's value.
  bool LowerOptlenAttribute(const Attribute& a, const CallSpec& spec,
                            Outcome* out);
  // A getsockopt given an explicit optlen states what the kernel wrote back.
  bool CheckOptlenStated(const Alternative& alt, const CallSpec& spec,
                         const Outcome& out);

  // lower_captures.cc
  // `e` as postfix over captures; an unbound capture or a non-number is
  // reported.
  bool CompileInt(const Expr& e, const char* what, IntExpr* out);
  // A number argument: a constant in *value, or (with captures) *dynamic.
  bool LowerNumber(const Expr& e, const char* what, int64_t* value,
                   std::optional<IntExpr>* dynamic);
  // An expected return value (`value` false) or getsockopt-like value: a
  // number, a range (`1..$n`), a bound (`>= $n`), with captures.
  bool LowerExpectedNumber(const Expr& e, bool value, Outcome* out);
  // `= $name` as the step's only result binds it (op->capture); misuse is
  // reported.
  bool BindCapture(const Step& step, const CallSpec& spec, Op* op);
  bool DeclareCapture(const Expr& var, Op* op);

  // lower_args.cc: bad arguments and addresses beyond the basic ones.
  // `null(N)` / `badptr(N)` for a buffer, `badptr` for a value: sets
  // op->buffer; false (nothing reported) when `e` is neither.
  bool LowerBadBuffer(const Expr& e, const ArgSpec& arg, Op* op,
                      bool* handled);
  bool LowerRawAddress(const Expr& e, AddressSpec* out, bool* handled);
  // `addr=null|badptr`, `addrlen=null|badptr|N` (TakesAddressOut calls),
  // socketpair's `sv=null|badptr`.
  bool LowerAddressOut(const Expr& e, Op* op);

  // Binds `name` to a new or reused slot held by `holder`.
  bool Bind(const std::string& name, const Location& loc, int holder,
            int* slot);
  int SlotOf(const std::string& name) const;
  void Error(const Location& loc, std::string message);

  const Case& c_;
  const MatrixRow& row_;
  std::string platform_;
  DiagnosticSink* sink_;
  size_t* total_ops_;    // shared by every row: the case's budget
  int64_t* total_data_;  // this row's data, in bytes (budget per instance)
  size_t errors_ = 0;
  Plan plan_;

  std::map<std::string, int> slots_;             // "c[2]" -> slot
  enum class FdKind { kSocket, kEpoll };
  std::map<int, FdKind> fd_kinds_;  // slot -> what made it, where known
  std::vector<std::set<int>> held_;              // [holder + 1] -> slots
  std::vector<std::map<int, Location>> closed_;  // [holder + 1] -> where
  std::map<std::string, int> peers_;             // name -> index
  std::map<std::string, Location> declared_at_;  // fork targets, for messages
  std::vector<std::optional<Pending>> pending_;  // per peer
  std::map<std::string, int64_t> payloads_;      // name -> size
  std::map<std::string, std::string> payload_text_;  // `payload x = "..."`
  bool peers_started_ = false;
  // The op whose results are being lowered (Expectations sets it): result
  // shapes depend on its arguments (getsockopt's level and option).
  const Op* current_op_ = nullptr;
  std::map<std::string, CaptureInfo> captures_;  // "sndbuf" -> slot, where
};

}  // namespace internal
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_LANG_VALIDATE_INTERNAL_H_
