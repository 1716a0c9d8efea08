#!/usr/bin/env bash
# What CI runs (through .ci/run): the README's test command, the same tests
# under AddressSanitizer, the OSS-Fuzz build check, the suite and the tests
# in unfriendly environments, a short libFuzzer run of every fuzzer, the suite
# under gVisor, a short flake check under load, and last the README's main
# command, whose closing line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# A failing step stops the script; the Bazel server must not outlive it.
trap 'bazel shutdown >/dev/null 2>&1 || true' EXIT

echo "=== one name per thing: no namespace-level name declared in two files"
python3 ci/duplicate_names.py

echo "=== tests (README command 2)"
bash ci/test.sh

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

echo "=== flake check: every case test 5 times under stress-ng (ci/stress.sh)"
bash ci/stress.sh 5

echo "=== the conformance suite (README command 1)"
bash ci/suite.sh
