// The speed limit for fuzz/ops_fuzzer: runs the operation sequences of a
// corpus on real non-blocking socketpairs (and the named sockets of version
// 4) with the same system calls (FuzzSockets::Execute) but no fuzzer, no
// model and no data pattern, and prints
// sequences and operations per second. With --model it runs the same
// sequences through OpsRunner (data pattern and reference model, no
// libFuzzer), which isolates the model's cost.
//
//   bazel-bin/bench/ops_loop --seconds=10 ~/.cache/sockspec/fuzz/ops_fuzzer/corpus
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "harness/model/fuzz_ops.h"
#include "harness/model/fuzz_sockets.h"

namespace {

void Collect(const std::string& path, std::vector<std::string>& out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    fprintf(stderr, "ops_loop: cannot stat %s\n", path.c_str());
    exit(2);
  }
  if (!S_ISDIR(st.st_mode)) {
    out.push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') Collect(path + "/" + e->d_name, out);
  }
  closedir(dir);
}

// One sequence: the same sockets and calls as OpsRunner::Run (named
// sockets of version 4 included), without the pattern or the model.
size_t RunOnce(const sockspec::OpsProgram& p, sockspec::FuzzSockets& sockets,
               const uint8_t* wbuf, uint8_t* rbuf) {
  if (absl::Status s = sockets.Start(p.type); !s.ok()) {
    fprintf(stderr, "ops_loop: %s\n", s.ToString().c_str());
    exit(2);
  }
  for (const sockspec::model::ModelOp& op : p.ops) sockets.Execute(op, wbuf, rbuf);
  return p.ops.size();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  bool model = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--model") == 0) {
      model = true;
    } else if (strncmp(argv[i], "--seconds=", 10) == 0) {
      seconds = atof(argv[i] + 10);
    } else {
      Collect(argv[i], files);
    }
  }
  if (files.empty()) {
    fprintf(stderr,
            "usage: ops_loop [--seconds=N] [--model] CORPUS_DIR_OR_FILE...\n");
    return 2;
  }
  std::vector<sockspec::OpsProgram> programs;
  size_t ops_per_pass = 0;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    programs.push_back(sockspec::DecodeOps(bytes));
    ops_per_pass += programs.back().ops.size();
  }
  sockspec::BlockSigpipe();
  std::vector<uint8_t> wbuf(sockspec::kMaxOpSize, 'x');
  std::vector<uint8_t> rbuf(sockspec::kMaxOpSize);
  sockspec::OpsRunner runner(sockspec::model::ModelLimits::FromKernel());
  absl::StatusOr<std::unique_ptr<sockspec::FuzzSockets>> sockets =
      sockspec::FuzzSockets::Create();
  if (!sockets.ok()) {
    fprintf(stderr, "ops_loop: %s\n", sockets.status().ToString().c_str());
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  uint64_t sequences = 0, ops = 0;
  double elapsed = 0;
  do {
    for (const sockspec::OpsProgram& p : programs) {
      if (!model) {
        ops += RunOnce(p, **sockets, wbuf.data(), rbuf.data());
        continue;
      }
      absl::Status verdict = runner.Run(p);
      if (!verdict.ok()) {
        fprintf(stderr, "%s\n", std::string(verdict.message()).c_str());
        return 1;
      }
      ops += p.ops.size();
    }
    sequences += programs.size();
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            start)
                  .count();
  } while (elapsed < seconds);
  printf("ops_loop%s: %zu sequences (%zu operations) per pass; %llu sequences, "
         "%llu operations in %.1f s: %.0f sequences/s, %.0f operations/s\n",
         model ? " --model" : "", programs.size(), ops_per_pass,
         static_cast<unsigned long long>(sequences),
         static_cast<unsigned long long>(ops), elapsed, sequences / elapsed,
         ops / elapsed);
  return 0;
}
