#!/usr/bin/env bash
# What CI runs (through .ci/run): the README's test command, a gcc build and
# an optimised build of everything, the same tests under ASan + UBSan, the
# OSS-Fuzz build check, the suite and the tests in unfriendly environments,
# a short libFuzzer run of every fuzzer, the suite on this kernel, gVisor
# and a Debian kernel under qemu in one report, a flake check under load,
# the README's main command, whose closing line is "N passed, N failed",
# and last a check that nothing was left behind. Each step's wall time is
# printed at the end (also when a step fails), so a step that grows shows up
# here first.
set -euo pipefail
cd "$(dirname "$0")/.."

# The test step's Bazel disk cache: the environments step's cold build as
# nobody reads it instead of compiling everything again.
ci_tmp=$(mktemp -d)
timings=()
current=
finish() {
  local code=$?
  bazel shutdown >/dev/null 2>&1 || true
  rm -rf "$ci_tmp"
  [[ -n $current ]] && timings+=("$(printf '%6s  %s' FAILED "$current")")
  echo "=== wall time per step (s)"
  printf '%s\n' "${timings[@]}"
  echo "total $SECONDS s"
  exit "$code"
}
trap finish EXIT

step() {  # step TITLE COMMAND...: runs COMMAND under a header, times it
  current=$1
  shift
  echo "=== $current"
  local start=$SECONDS
  "$@"
  timings+=("$(printf '%6d  %s' $((SECONDS - start)) "$current")")
  current=
}

step "one name per thing: no namespace-level name declared in two files" \
  python3 ci/duplicate_names.py

step "Debian's 6.1 kernel for the tests tagged qemu (they skip without it)" \
  bash ci/kernel.sh 6.1

# What is there before the steps run (the packages and the kernel image
# are in place): the last step checks that they left nothing beside it.
bash ci/leftovers.sh snapshot "$ci_tmp/before"

step "tests (README command 2)" \
  bash ci/test.sh --disk_cache="$ci_tmp/disk-cache"

# clang is the default compiler; every source must build with gcc too (its
# own output directory: nothing of the default build is evicted).
step "every target built with gcc (--config=gcc)" \
  bazel build --config=gcc //...

# The benchmarks and ci/faults.sh build -c opt, which adds
# -D_FORTIFY_SOURCE=1 (it once broke the fault library's build with clang).
step "every target built optimised (-c opt)" \
  bazel build -c opt //...

step "Bazel's sharding splits the suite: shards disjoint, together every instance (ci/shards.sh)" \
  bash ci/shards.sh

# --config=fuzz is ASan and UBSan together, the fuzzers' own build: the
# fuzz smoke runs below reuse its objects instead of compiling them again.
step "tests under AddressSanitizer and UndefinedBehaviorSanitizer (--config=fuzz)" \
  bash ci/test.sh --config=fuzz

step "the OSS-Fuzz build script, run as OSS-Fuzz would (manual: not in //...)" \
  bazel test //fuzz:oss_fuzz_build_test

step "environments as skips: ulimit -n 1024, no IPv6, an ordinary user (ci/environments.sh)" \
  bash ci/environments.sh --bazel --disk-cache="$ci_tmp/disk-cache"

step "libFuzzer smoke runs" \
  bash ci/fuzz.sh --smoke

step "the suite on this kernel, gVisor and Debian's 6.1 under qemu (TCG), one report in bazel-report/conformance.{txt,xml,html,md} (ci/systems.sh)" \
  bash ci/systems.sh --under=gvisor --under=qemu:6.1

step "flake check: every instance 5 times under stress-ng (ci/stress.sh --suite 5)" \
  bash ci/stress.sh --suite 5

step "the conformance suite (README command 1)" \
  bash ci/suite.sh

step "nothing left behind: no process, no temporary file, the checkout unchanged (ci/leftovers.sh)" \
  bash ci/leftovers.sh check "$ci_tmp/before" "$ci_tmp"
