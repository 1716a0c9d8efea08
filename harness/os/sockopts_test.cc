#include "harness/os/sockopts.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <sys/socket.h>

#include <map>

#include "gtest/gtest.h"
#include "harness/os/uapi_socket.h"

namespace sockspec {
namespace {

TEST(Sockopts, StructOptionsHaveTheirShapes) {
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_LINGER).shape, OptionShape::kLinger);
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_RCVTIMEO).shape, OptionShape::kTimeval);
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_SNDTIMEO_NEW).shape, OptionShape::kTimeval);
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_PEERCRED).shape, OptionShape::kUcred);
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_PEERGROUPS).shape, OptionShape::kGids);
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_PEERPIDFD).shape, OptionShape::kPidfd);
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_ERROR).shape, OptionShape::kErrno);
  EXPECT_EQ(OptionOf(IPPROTO_TCP, TCP_INFO).shape, OptionShape::kBytes);
}

TEST(Sockopts, UnlistedOptionsAndLevelsAreInts) {
  EXPECT_EQ(OptionOf(SOL_SOCKET, SO_SNDBUF).shape, OptionShape::kInt);
  EXPECT_EQ(OptionOf(IPPROTO_TCP, TCP_NODELAY).shape, OptionShape::kInt);
  // SO_RCVTIMEO and TCP_REPAIR_QUEUE are both 20: the level tells them apart.
  EXPECT_EQ(OptionOf(IPPROTO_TCP, SO_RCVTIMEO).shape, OptionShape::kInt);
  EXPECT_EQ(OptionOf(12345, 1).shape, OptionShape::kInt);
}

TEST(Sockopts, LevelsNameTheirOptionKinds) {
  EXPECT_EQ(OptionKindOfLevel(SOL_SOCKET), SymbolKind::kSockOpt);
  EXPECT_EQ(OptionKindOfLevel(SOL_TCP), SymbolKind::kTcpOption);
  EXPECT_EQ(OptionKindOfLevel(IPPROTO_IPV6), SymbolKind::kIpv6Option);
  EXPECT_EQ(OptionKindOfLevel(SOL_IP), SymbolKind::kIpOption);
  EXPECT_EQ(OptionKindOfLevel(9999), std::nullopt);
}

TEST(Sockopts, ValuesPrintAsTheCaseLanguageWritesThem) {
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_RCVTIMEO), EncodeTimeval(1, 500000)),
            "timeval(1, 500000)");
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_LINGER), EncodeLinger(true, 5)),
            "linger(on, 5)");
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_ERROR), EncodeInt(ECONNRESET)),
            "errno(ECONNRESET)");
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_ERROR), EncodeInt(0)), "0");
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_TYPE), EncodeInt(SOCK_DGRAM)),
            "SOCK_DGRAM");
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_PEERGROUPS), EncodeGids({0, 27})),
            "gids(0, 27)");
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_PEERGROUPS), ""), "gids()");
  EXPECT_EQ(OptionValueText(OptionOf(IPPROTO_TCP, TCP_CONGESTION), std::string("cubic\0", 6)),
            "\"cubic\\x00\"");
}

TEST(Sockopts, ShortWritesReadAsZeroExtended) {
  // getsockopt(SO_TYPE, optlen=2) gets two bytes of the int.
  EXPECT_EQ(OptionInt(OptionOf(SOL_SOCKET, SO_TYPE), std::string("\x05\x00", 2)), 5);
  EXPECT_EQ(OptionInt(OptionOf(SOL_SOCKET, SO_SNDBUF), ""), 0);
  EXPECT_EQ(OptionValueText(OptionOf(SOL_SOCKET, SO_LINGER), EncodeInt(1)),
            "linger(on, 0)");
}

TEST(Sockopts, NaturalLengthsAreTheStructSizes) {
  EXPECT_EQ(NaturalOptlen(OptionShape::kInt), 4u);
  EXPECT_EQ(NaturalOptlen(OptionShape::kTimeval), 16u);
  EXPECT_EQ(NaturalOptlen(OptionShape::kLinger), 8u);
  EXPECT_EQ(NaturalOptlen(OptionShape::kUcred), 12u);
}

// The constants Linux added after Debian 12's headers carry the 6.18 uapi's
// values (uapi_socket.h static_asserts them against newer headers).
TEST(Sockopts, NewerConstantsHaveTheUapiValues) {
  EXPECT_EQ(LookupSymbol("SO_PASSPIDFD", SymbolKind::kSockOpt), 76);
  EXPECT_EQ(LookupSymbol("SO_PEERPIDFD", SymbolKind::kSockOpt), 77);
  EXPECT_EQ(LookupSymbol("SO_PASSRIGHTS", SymbolKind::kSockOpt), 83);
  EXPECT_EQ(LookupSymbol("SO_INQ", SymbolKind::kSockOpt), 84);
  EXPECT_EQ(LookupSymbol("SCM_INQ", SymbolKind::kCmsgType), 84);
  EXPECT_EQ(LookupSymbol("SCM_PIDFD", SymbolKind::kCmsgType), 4);
  EXPECT_EQ(LookupSymbol("SCM_SECURITY", SymbolKind::kCmsgType), 3);
  EXPECT_EQ(LookupSymbol("SCM_CREDENTIALS", SymbolKind::kCmsgType), 2);
  EXPECT_EQ(LookupSymbol("TCP_IS_MPTCP", SymbolKind::kTcpOption), 43);
  EXPECT_EQ(LookupSymbol("IP_LOCAL_PORT_RANGE", SymbolKind::kIpOption), 51);
}

TEST(Sockopts, HeaderConstantsAreSymbolsWithTheHeadersValues) {
  EXPECT_EQ(LookupSymbol("SO_NO_CHECK", SymbolKind::kSockOpt), SO_NO_CHECK);
  EXPECT_EQ(LookupSymbol("SO_BUSY_POLL", SymbolKind::kSockOpt), SO_BUSY_POLL);
  EXPECT_EQ(LookupSymbol("SO_RCVTIMEO_NEW", SymbolKind::kSockOpt), SO_RCVTIMEO_NEW);
  EXPECT_EQ(LookupSymbol("SO_PEERGROUPS", SymbolKind::kSockOpt), SO_PEERGROUPS);
  EXPECT_EQ(LookupSymbol("TCP_NODELAY", SymbolKind::kTcpOption), TCP_NODELAY);
  EXPECT_EQ(LookupSymbol("IPV6_V6ONLY", SymbolKind::kIpv6Option), IPV6_V6ONLY);
  EXPECT_EQ(LookupSymbol("IPPROTO_TCP", SymbolKind::kProtocol), IPPROTO_TCP);
  EXPECT_EQ(LookupSymbol("SOL_TCP", SymbolKind::kLevel), SOL_TCP);
  EXPECT_EQ(LookupSymbol("AF_VSOCK", SymbolKind::kDomain), AF_VSOCK);
  EXPECT_EQ(LookupSymbol("MSG_ZEROCOPY", SymbolKind::kMsgFlag), MSG_ZEROCOPY);
  EXPECT_EQ(LookupSymbol("SIOCATMARK", SymbolKind::kIoctl), SIOCATMARK);
}

// A name listed twice (the hand-written table and the generated one, or two
// branches adding it) must mean the same thing both times.
TEST(Sockopts, RepeatedSymbolNamesAgree) {
  std::map<std::string_view, const Symbol*> seen;
  for (const Symbol& s : AllSymbols()) {
    auto [it, fresh] = seen.emplace(s.name, &s);
    if (fresh) continue;
    EXPECT_EQ(it->second->value, s.value) << s.name;
    EXPECT_EQ(it->second->kind, s.kind) << s.name;
  }
}

}  // namespace
}  // namespace sockspec
