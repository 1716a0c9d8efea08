#include "harness/plan/calls.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "harness/exec/syscalls.h"

namespace sockspec {
namespace {

TEST(Calls, EveryCallHasTheEntryOfItsOwnEnumerator) {
  ASSERT_EQ(AllCalls().size(), static_cast<size_t>(kCallCount));
  for (int i = 0; i < kCallCount; ++i) {
    const Call c = static_cast<Call>(i);
    EXPECT_EQ(SpecOf(c).call, c) << SpecOf(c).name;
    EXPECT_STRNE(SpecOf(c).name, "?") << i;
  }
}

TEST(Calls, NamesAreUniqueAndFindCallFindsEveryWrittenCall) {
  std::set<std::string> seen;
  for (const CallSpec& s : AllCalls()) {
    EXPECT_TRUE(seen.insert(s.name).second) << s.name;
    EXPECT_EQ(FindCall(s.name), s.written_as_call ? &s : nullptr) << s.name;
  }
  EXPECT_EQ(FindCall("fork"), nullptr);  // a statement, not a call
  EXPECT_EQ(FindCall("nosuchcall"), nullptr);
}

// The executor's dispatch: each call a family file runs has its handler
// there; coordination steps have none (the executor runs them itself).
TEST(Calls, EveryCallOfAHandlerFamilyHasAHandler) {
  for (const CallSpec& s : AllCalls()) {
    EXPECT_EQ(HasHandler(s.call), s.family != CallFamily::kCoordination)
        << s.name;
  }
}

TEST(Calls, OptionalIntArgumentsHaveFallbacks) {
  for (const CallSpec& s : AllCalls()) {
    for (const ArgSpec& a : s.optional) {
      if (a.kind == ArgKind::kInt || a.kind == ArgKind::kSymbols) {
        EXPECT_TRUE(a.fallback.has_value()) << s.name << " " << a.name;
      }
    }
  }
}

TEST(Calls, MsgFlagsIndexNamesAMsgFlagsArgument) {
  for (const CallSpec& s : AllCalls()) {
    if (s.msg_flags_int < 0) continue;
    int ints = 0;
    const ArgSpec* at = nullptr;
    for (const ArgSpec& a : s.args) {
      if (a.kind != ArgKind::kInt && a.kind != ArgKind::kSymbols) continue;
      if (ints++ == s.msg_flags_int) at = &a;
    }
    ASSERT_NE(at, nullptr) << s.name;
    ASSERT_EQ(at->symbols.size(), 1u) << s.name;
    EXPECT_EQ(at->symbols[0], SymbolKind::kMsgFlag) << s.name;
  }
}

// ENOTSOCK is about the call's first fd: a call that needs a socket takes
// one first. read, write and close work on any fd, so they do not.
TEST(Calls, CallsThatNeedASocketTakeAnFdFirst) {
  for (const CallSpec& s : AllCalls()) {
    if (!s.needs_socket) continue;
    ASSERT_FALSE(s.args.empty()) << s.name;
    EXPECT_EQ(s.args[0].kind, ArgKind::kFd) << s.name;
  }
  EXPECT_TRUE(SpecOf(Call::kGetsockopt).needs_socket);
  EXPECT_FALSE(SpecOf(Call::kRead).needs_socket);
  EXPECT_FALSE(SpecOf(Call::kEpollCtl).needs_socket);
}

TEST(Calls, DerivedFactsMatchTheCallsTheyDescribe) {
  EXPECT_EQ(SpecOf(Call::kAccept).FdsMade(), 1);
  EXPECT_EQ(SpecOf(Call::kPipe).FdsMade(), 2);
  EXPECT_EQ(SpecOf(Call::kRecvmsg).FdsMade(), -1);
  EXPECT_EQ(SpecOf(Call::kWrite).FdsMade(), 0);
  EXPECT_TRUE(PassesFdToKernel(SpecOf(Call::kRead)));
  EXPECT_FALSE(PassesFdToKernel(SpecOf(Call::kPoll)));
  EXPECT_FALSE(PassesFdToKernel(SpecOf(Call::kSocket)));
  EXPECT_TRUE(SpecOf(Call::kClose).closes_fd);
  EXPECT_EQ(SpecOf(Call::kRecv).blocking, Blocking::kOnSocket);
  EXPECT_EQ(SpecOf(Call::kBind).blocking, Blocking::kNever);
  EXPECT_EQ(DescribeArgs(SpecOf(Call::kRecvmsg)),
            "fd, size, flags[, rights=N][, creds]");
  EXPECT_EQ(DescribeArgs(SpecOf(Call::kSocket)), "domain, type[, protocol]");
}

}  // namespace
}  // namespace sockspec
