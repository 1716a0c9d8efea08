#!/usr/bin/env bash
# ops_fuzzer's differential mode against a kernel under qemu, end to end
# through DiffRunner (fuzz/ops_triage --under=qemu:KERNEL): Debian's 6.1
# boots once with the static //fuzz:ops_server as /init, inputs go in and
# results come back over the guest's second serial port. Checks: the seed
# corpus and an input of every byte value (the channel is binary-clean) give
# the same results as this machine; a known input differs with its
# signature and its case gets the `on linux < HOST` line; a guest that
# panics and one that goes silent are errors naming the cause with the
# console's tail; a dynamic server is refused; nothing is left behind.
# Needs qemu-system-x86_64 and a 6.1 kernel fetched by ci/kernel.sh (its
# cache: $SOCKSPEC_KERNEL_CACHE or ~/.cache/sockspec/kernels; ci/ci.sh
# fetches it before the tests run); skips with a message without them.
# Usage: qemu_diff_e2e_test.sh OPS_TRIAGE OPS_SERVER_STATIC CHECKS_SH SEED_DIR DIFFERS_INPUT
set -uo pipefail

triage=$1 server=$2 checks=$3 seeds=$4 differs=$5
if ! command -v qemu-system-x86_64 > /dev/null; then
  echo "SKIP: qemu-system-x86_64 is not installed (bash ci/setup.sh installs it)"; exit 0
fi
home=$(getent passwd "$(id -u)" | cut -d: -f6)
cache=${SOCKSPEC_KERNEL_CACHE:-$home/.cache/sockspec/kernels}
kernel=$(ls "$cache"/linux-image-6.1.*/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$kernel" ]]; then
  echo "SKIP: no 6.1 kernel in $cache (bash ci/kernel.sh 6.1 fetches one)"; exit 0
fi
echo "kernel: $kernel"

work=${TEST_TMPDIR:-$(mktemp -d)}
[[ -n ${TEST_TMPDIR:-} ]] || trap 'rm -rf "$work"' EXIT
# The guests' files (initramfs, console) go here and must be gone at the end.
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
source "$checks"
sockspec=$triage
export SOCKSPEC_OPS_SERVER=$server
release=$(basename "$kernel" | sed 's/^vmlinuz-//')
system=linux-$(echo "$release" | grep -oE '^[0-9.]*[0-9](-[0-9]+)?')-qemu
host=$(uname -r | grep -oE '^[0-9]+\.[0-9]+')

# Every byte value, twice, as one input: whatever program it decodes to, a
# frame the serial line mangled would desynchronise the answers.
mkdir -p "$work/inputs"
for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done > "$work/inputs/all-bytes"
cat "$work/inputs/all-bytes" "$work/inputs/all-bytes" > "$work/inputs/all-bytes-twice"
cp "$seeds"/* "$work/inputs/"
# This seed reaches a known difference (a DGRAM send: EMSGSIZE on 6.18,
# ENOTCONN on 6.1, the signature of cases/fuzz/linux-6.1-write-sock-dgram-
# host-emsgsize-guest-enotconn.case); the differing input below checks that.
rm "$work/inputs/v4-dgram-emsgsize-before-enotconn"
# 6.1 predates the out-of-band fixes of 2024-2025 (taken skbs, SIOCATMARK,
# the SIOCINQ count): four of the version-5 out-of-band stream seeds differ
# there (SIOCATMARK, SIOCINQ, a read's count), so these seeds stay out.
rm "$work/inputs"/v5-stream-oob-*
n=$(ls "$work/inputs" | wc -l)

# Five scenarios, each booting the kernel at most once, dealt to the shards.
shard_scenarios

# Where 6.1 and this machine agree: the same results, step by step.
if my_scenario; then
  run agree 0 --under=qemu:"$kernel" "$work/inputs"
  file_contains agree "$out" "ops_triage: $n inputs, host $(uname -r), qemu:$kernel $release"
  file_contains agree "$out" "0 distinct signatures from 0 differing inputs; $n inputs showed no difference"
fi

# A DGRAM send after the dead peer's ECONNREFUSED and a shutdown: EPIPE on
# 6.18, ENOTCONN on 6.1 (B298; the versions between are not checked). On a
# host older than 6.18 the check is left out, and says so.
if my_scenario; then
  mkdir -p "$work/differs"
  cp "$differs" "$work/differs/"
  if [[ $(printf '%s\n' 6.18 "$host" | sort -V | head -n 1) == 6.18 ]]; then
    run differs 1 --under=qemu:"$kernel" --cases="$work/cases" "$work/differs"
    file_contains differs "$out" "| write SOCK_DGRAM: host EPIPE, guest ENOTCONN | 1 | 4 ops |"
    file_contains differs "$out" "linux-6.1-write-sock-dgram-host-epipe-guest-enotconn.case"
    file_contains differs "$work/cases/linux-6.1-write-sock-dgram-host-epipe-guest-enotconn.case" \
      "   on linux < $host = ENOTCONN because \"observed on Linux $release under qemu by fuzz/ops_triage;"
    file_contains differs "$work/cases/linux-6.1-write-sock-dgram-host-epipe-guest-enotconn.case" \
      "source \"fuzz/ops_fuzzer --under=qemu:vmlinuz-$release, minimised by fuzz/ops_triage"
  else
    echo "host $host is older than 6.18: the B298 difference is not checked"
  fi
fi

# The kernel panics after its second answer (sockspec.test_panic_after,
# qemu_init.h): the error names the panic and shows the console.
if my_scenario; then
  SOCKSPEC_QEMU_APPEND=sockspec.test_panic_after=2 \
    run panics 2 --under=qemu:"$kernel" "$work/inputs"
  file_contains panics "$err" "the ops server under qemu:$kernel did not answer (ended, or silent for 300 s): $system: kernel failure: Kernel panic - not syncing: sysrq triggered crash; console tail:"
fi

# The guest goes silent after its first answer: the deadline (a backstop,
# shortened here) names it.
if my_scenario; then
  SOCKSPEC_QEMU_APPEND=sockspec.test_hang_after=1 SOCKSPEC_DIFF_DEADLINE=10 \
    run silent 2 --under=qemu:"$kernel" "$work/inputs"
  file_contains silent "$err" "did not answer (ended, or silent for 10 s): $system: the guest stopped answering (qemu still runs); console tail:"
fi

# A server that is not static cannot be a kernel's /init.
if my_scenario; then
  SOCKSPEC_OPS_SERVER=$triage run dynamic 2 --under=qemu:"$kernel" "$work/inputs"
  file_contains dynamic "$err" "is not statically linked: build one with \`bazel build --config=static //fuzz:ops_server\`"
fi

# Nothing left: no guest directory, no qemu.
left=$(ls -A "$TMPDIR")
if [[ -n $left ]]; then echo "FAIL leftovers in TMPDIR: $left"; fails=$((fails + 1)); fi

if ((fails > 0)); then echo "$fails failed"; exit 1; fi
echo "all passed"
