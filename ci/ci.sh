#!/usr/bin/env bash
# What CI runs (through .ci/run): the README's test command, the same tests
# under AddressSanitizer, the OSS-Fuzz build check, the suite and the tests
# in unfriendly environments, a short libFuzzer run of every fuzzer, the suite
# under gVisor, the suite on this kernel, gVisor and a Debian kernel under
# qemu in one report, a short flake check under load, and last the README's main
# command, whose closing line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# A failing step stops the script; the Bazel server must not outlive it.
trap 'bazel shutdown >/dev/null 2>&1 || true' EXIT

echo "=== one name per thing: no namespace-level name declared in two files"
python3 ci/duplicate_names.py

echo "=== Debian's 6.1 kernel for the tests tagged qemu (they skip without it)"
bash ci/kernel.sh 6.1

echo "=== tests (README command 2)"
bash ci/test.sh

echo "=== Bazel's sharding splits the suite: shards disjoint, together every instance (ci/shards.sh)"
bash ci/shards.sh

echo "=== tests under AddressSanitizer"
bash ci/test.sh --config=asan

echo "=== the OSS-Fuzz build script, run as OSS-Fuzz would (manual: not in //...)"
bazel test //fuzz:oss_fuzz_build_test

echo "=== environments as skips: ulimit -n 1024, no IPv6, an ordinary user (ci/environments.sh)"
bash ci/environments.sh --bazel

echo "=== libFuzzer smoke runs"
bash ci/fuzz.sh --smoke

echo "=== the suite under gVisor, compared with this kernel (report in bazel-report/)"
bash ci/gvisor.sh

echo "=== the suite on this kernel, gVisor and Debian's 6.1 under qemu (TCG), one report in bazel-report/systems.{txt,xml,html}"
bazel build --config=static //harness:sockspec
# A copy: the next step's build overwrites bazel-bin with another config.
mkdir -p bazel-report
static=bazel-report/sockspec-static
install -m 755 "$(bazel info --config=static bazel-bin)/harness/sockspec" "$static"
kernel=$(bash ci/kernel.sh 6.1)
XML_OUTPUT_FILE=bazel-report/systems.xml \
  "$static" run --under=gvisor --under=qemu:"$kernel" --html=bazel-report/systems.html cases |
  tee bazel-report/systems.txt

echo "=== flake check: every case test 5 times under stress-ng (ci/stress.sh)"
bash ci/stress.sh 5

echo "=== the conformance suite (README command 1)"
bash ci/suite.sh
