// Private to the judge: what recvmsg, recvmmsg and sendmmsg bring back,
// matched and written as the case language writes it (judge_messages.cc).
#ifndef SOCKSPEC_HARNESS_EXEC_JUDGE_INTERNAL_H_
#define SOCKSPEC_HARNESS_EXEC_JUDGE_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/exec/control.h"
#include "harness/exec/judge.h"
#include "harness/plan/plan.h"

namespace sockspec {
namespace internal {

// The control messages cmsg(...) states match `got` in order; a stated
// value is the message's data as an int, stated bytes its length.
bool CmsgsMatch(const std::vector<Outcome::Cmsg>& want,
                const std::vector<Observation::ControlMessage>& got);
// recvmmsg/sendmmsg: one entry per message, each as stated.
bool MessagesMatch(const std::vector<Outcome::Message>& want,
                   const std::vector<Observation::MessageResult>& got);

// `rights(g=x, h)` as the outcome states it; `rights(g=y)` as received,
// with any fd the case does not name called out.
std::string RightsText(const Op& call, const std::vector<int>& same,
                       const JudgeContext& ctx);
std::string ReceivedRightsText(const Op& call, const Observation& obs,
                               const JudgeContext& ctx);
// cmsg(...) of the messages other than rights and whole credentials.
std::string CmsgsText(const std::vector<Observation::ControlMessage>& got);
std::string ExpectedCmsgsText(const std::vector<Outcome::Cmsg>& want);
// msg(DATA, len=N, flags=F); `len` is the range as text ("6", "1..4").
std::string MessageText(const std::optional<std::string>& data,
                        const std::optional<std::string>& len,
                        const std::optional<int>& flags);

}  // namespace internal
}  // namespace sockspec

#endif  // SOCKSPEC_HARNESS_EXEC_JUDGE_INTERNAL_H_
