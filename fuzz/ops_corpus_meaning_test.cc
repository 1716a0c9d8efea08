// The input encoding keeps its meaning: every version-0 seed decodes to what
// it decoded to before version 1 existed (fuzz/ops_fuzzer.decoded, which
// also lists the version-5 seeds), each
// v1-NAME seed to the same program as NAME, and an operation code that a
// version does not define is skipped without disturbing what follows.
#include <dirent.h>

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/model/fuzz_ops.h"

namespace sockspec {
namespace {

constexpr char kCorpus[] = "fuzz/corpus/ops_fuzzer";

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string Listing(const OpsProgram& p) {
  std::string s = std::string(model::SockTypeName(p.type)) + "\n";
  for (const model::ModelOp& op : p.ops) s += "  " + op.ToString() + "\n";
  return s;
}

// name -> listing, from fuzz/ops_fuzzer.decoded.
std::map<std::string, std::string> Golden() {
  std::ifstream in("fuzz/ops_fuzzer.decoded");
  std::map<std::string, std::string> out;
  std::string line, name;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {
      const size_t colon = line.find(": ");
      name = line.substr(0, colon);
      out[name] = line.substr(colon + 2) + "\n";
    } else {
      out[name] += line + "\n";
    }
  }
  return out;
}

std::vector<std::string> CorpusNames() {
  std::vector<std::string> names;
  DIR* d = opendir(kCorpus);
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  closedir(d);
  return names;
}

// How many operations of `p` an older version than `version` has: an
// operation is of the version its own encoding needs.
size_t OpsBefore(const OpsProgram& p, int version) {
  size_t n = 0;
  for (const model::ModelOp& op : p.ops) {
    OpsProgram one;
    one.type = p.type;
    one.ops = {op};
    if (OpsEncodingVersion(EncodeOps(one)) < version) ++n;
  }
  return n;
}

TEST(OpsCorpus, VersionZeroSeedsDecodeAsTheyAlwaysDid) {
  const std::map<std::string, std::string> golden = Golden();
  int v0 = 0;
  for (const auto& [name, listing] : golden) {
    if (name.rfind("v5-", 0) == 0) continue;  // VersionFiveSeeds...
    ++v0;
    const std::vector<uint8_t> bytes = ReadBytes(std::string(kCorpus) + "/" + name);
    ASSERT_FALSE(bytes.empty()) << name;
    EXPECT_EQ(OpsEncodingVersion(bytes), 0) << name;
    EXPECT_EQ(Listing(DecodeOps(bytes)), listing) << name;
  }
  EXPECT_EQ(v0, 11);
}

// Version 5 (codes 25 to 29): every v5- seed decodes to its listing in
// fuzz/ops_fuzzer.decoded and round-trips; read as version 4 it is its
// operations of older codes alone.
TEST(OpsCorpus, VersionFiveSeedsDecodeToTheirListingAndVersion4SkipsTheirCodes) {
  const std::map<std::string, std::string> golden = Golden();
  int v5 = 0;
  for (const std::string& name : CorpusNames()) {
    if (name.rfind("v5-", 0) != 0) continue;
    ++v5;
    std::vector<uint8_t> bytes = ReadBytes(std::string(kCorpus) + "/" + name);
    EXPECT_EQ(OpsEncodingVersion(bytes), 5) << name;
    const OpsProgram p = DecodeOps(bytes);
    ASSERT_EQ(golden.count(name), 1u) << name << " is not in fuzz/ops_fuzzer.decoded";
    EXPECT_EQ(Listing(p), golden.at(name)) << name;
    EXPECT_EQ(Listing(DecodeOps(EncodeOps(p))), Listing(p)) << name;
    bytes[3] = 4;
    EXPECT_EQ(DecodeOps(bytes).ops.size(), OpsBefore(p, 5)) << name;
  }
  EXPECT_EQ(v5, 13);
}

TEST(OpsCorpus, EveryVersionOneSeedMeansItsVersionZeroOriginal) {
  int v1 = 0;
  for (const std::string& name : CorpusNames()) {
    if (name.rfind("v1-", 0) != 0) continue;
    ++v1;
    const std::vector<uint8_t> bytes = ReadBytes(std::string(kCorpus) + "/" + name);
    EXPECT_EQ(OpsEncodingVersion(bytes), 1) << name;
    const std::vector<uint8_t> original =
        ReadBytes(std::string(kCorpus) + "/" + name.substr(3));
    EXPECT_EQ(Listing(DecodeOps(bytes)), Listing(DecodeOps(original))) << name;
    EXPECT_EQ(EncodeOps(DecodeOps(bytes)), bytes) << name;
  }
  EXPECT_EQ(v1, 11);
}

// Version 3 (codes 8 to 15) did not change what a version 1 or 2 input
// means: read as version 2, a v3- seed is its operations of codes below 8.
TEST(OpsCorpus, Version3SeedsRoundTripAndVersion2SkipsTheirNewCodes) {
  int v3 = 0;
  for (const std::string& name : CorpusNames()) {
    if (name.rfind("v3-", 0) != 0) continue;
    ++v3;
    std::vector<uint8_t> bytes = ReadBytes(std::string(kCorpus) + "/" + name);
    EXPECT_EQ(OpsEncodingVersion(bytes), 3) << name;
    const OpsProgram p = DecodeOps(bytes);
    EXPECT_EQ(Listing(DecodeOps(EncodeOps(p))), Listing(p)) << name;
    bytes[3] = 2;
    EXPECT_EQ(DecodeOps(bytes).ops.size(), OpsBefore(p, 3)) << name;
  }
  EXPECT_EQ(v3, 13);
}

TEST(OpsCodec, AnUnknownOperationCodeIsSkippedWithItsArguments) {
  // Version 1, SOCK_DGRAM: send(a, 5), code 100 with 3 argument bytes that
  // would decode as operations, poll(b).
  const std::vector<uint8_t> with = {0xf5, 'S', 'X', 1, 1,    0x00, 2, 5,
                                     0x02, 200, 3,   0x00, 0x05, 0x07, 0x07, 0};
  const std::vector<uint8_t> without = {0xf5, 'S', 'X', 1, 1, 0x00, 2, 5,
                                        0x02, 0x07, 0};
  EXPECT_EQ(Listing(DecodeOps(with)),
            "SOCK_DGRAM\n  send(a, 5, MSG_NOSIGNAL)\n"
            "  poll(b, POLLIN|POLLOUT|POLLRDHUP)\n");
  EXPECT_EQ(Listing(DecodeOps(with)), Listing(DecodeOps(without)));
}

TEST(OpsCodec, EncodeThenDecodeGivesTheProgramBack) {
  uint32_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bytes(1 + i % 50);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>((x = x * 1103515245 + 12345) >> 16);
    const OpsProgram p = DecodeOps(bytes);
    EXPECT_EQ(Listing(DecodeOps(EncodeOps(p))), Listing(p));
  }
}

}  // namespace
}  // namespace sockspec
