#include "harness/os/symbols.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include "gtest/gtest.h"

namespace sockspec {
namespace {

TEST(Symbols, LooksUpSocketConstantsByKind) {
  EXPECT_EQ(LookupSymbol("AF_UNIX", SymbolKind::kDomain), AF_UNIX);
  EXPECT_EQ(LookupSymbol("SOCK_SEQPACKET", SymbolKind::kSockType),
            SOCK_SEQPACKET);
  EXPECT_EQ(LookupSymbol("SOCK_NONBLOCK", SymbolKind::kSockFlag),
            SOCK_NONBLOCK);
  EXPECT_EQ(LookupSymbol("MSG_PEEK", SymbolKind::kMsgFlag), MSG_PEEK);
  EXPECT_EQ(LookupSymbol("SO_PEERCRED", SymbolKind::kSockOpt), SO_PEERCRED);
  EXPECT_EQ(LookupSymbol("POLLRDHUP", SymbolKind::kPollEvent), POLLRDHUP);
  EXPECT_EQ(LookupSymbol("SIGPIPE", SymbolKind::kSignal), SIGPIPE);
}

TEST(Symbols, DoesNotFindASymbolUnderAnotherKind) {
  EXPECT_FALSE(LookupSymbol("MSG_PEEK", SymbolKind::kSockType).has_value());
  EXPECT_EQ(FindSymbol("NOT_A_SYMBOL"), nullptr);
}

TEST(Symbols, KnowsTheCommonErrnoNamesAndTheirAliases) {
  EXPECT_EQ(LookupSymbol("EAGAIN", SymbolKind::kErrno), EAGAIN);
  EXPECT_EQ(LookupSymbol("EWOULDBLOCK", SymbolKind::kErrno), EAGAIN);
  EXPECT_EQ(LookupSymbol("EOPNOTSUPP", SymbolKind::kErrno), EOPNOTSUPP);
  EXPECT_EQ(LookupSymbol("ECONNRESET", SymbolKind::kErrno), ECONNRESET);
  int count = 0;
  for (const Symbol& s : AllSymbols()) count += s.kind == SymbolKind::kErrno;
  EXPECT_GE(count, 130);
}

TEST(Symbols, ReverseLookupGivesTheCanonicalName) {
  EXPECT_EQ(SymbolName(SymbolKind::kErrno, EAGAIN), "EAGAIN");
  EXPECT_EQ(SymbolName(SymbolKind::kErrno, EOPNOTSUPP), "EOPNOTSUPP");
  EXPECT_EQ(SymbolName(SymbolKind::kDomain, AF_UNIX), "AF_UNIX");
  EXPECT_EQ(SymbolName(SymbolKind::kErrno, 99999), "");
}

TEST(Symbols, RendersFlagWordsAsText) {
  EXPECT_EQ(FlagsToText(SymbolKind::kMsgFlag, MSG_TRUNC | MSG_CTRUNC),
            "MSG_CTRUNC|MSG_TRUNC");
  EXPECT_EQ(FlagsToText(SymbolKind::kMsgFlag, 0), "0");
  EXPECT_EQ(FlagsToText(SymbolKind::kPollEvent, POLLIN | POLLHUP),
            "POLLIN|POLLHUP");
}

TEST(Symbols, RendersUnnamedBitsAsHex) {
  EXPECT_EQ(FlagsToText(SymbolKind::kSockFlag, SOCK_NONBLOCK | 0x1),
            "SOCK_NONBLOCK|0x1");
}

TEST(Symbols, SuggestsTheClosestNameForATypo) {
  EXPECT_EQ(ClosestSymbol("SOCK_STRAEM", {SymbolKind::kSockType}),
            "SOCK_STREAM");
  EXPECT_EQ(ClosestSymbol("EPIEP", {SymbolKind::kErrno}), "EPIPE");
  EXPECT_EQ(ClosestSymbol("XYZZY_PLUGH", {SymbolKind::kErrno}), "");
}

TEST(Symbols, GivesNoSuggestionForHugeNames) {
  EXPECT_EQ(ClosestName(std::string(100000, 'A'), {"A"}), "");
}

}  // namespace
}  // namespace sockspec
