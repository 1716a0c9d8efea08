#!/usr/bin/env bash
# End to end under qemu: `sockspec run --under=qemu:KERNEL` boots a Debian
# kernel with the initramfs sockspec builds (its /init is the static
# sockspec), reads the results back from the second serial port, names the
# guest linux-VERSION-qemu; a guest that panics part way, one that goes
# silent and one that never boots each give an error naming the cause while
# keeping the results that finished. Needs qemu-system-x86_64 and a kernel
# fetched by ci/kernel.sh (its cache: $SOCKSPEC_KERNEL_CACHE or
# ~/.cache/sockspec/kernels); skips with a message without them.
# Usage: qemu_e2e_test.sh SOCKSPEC_STATIC PASSES_CASE NINE_INSTANCE_CASE
set -uo pipefail

sockspec=$1 passes=$2 nine=$3
if ! command -v qemu-system-x86_64 > /dev/null; then
  echo "SKIP: qemu-system-x86_64 is not installed (bash ci/setup.sh installs it)"; exit 0
fi
home=$(getent passwd "$(id -u)" | cut -d: -f6)
cache=${SOCKSPEC_KERNEL_CACHE:-$home/.cache/sockspec/kernels}
kernel=$(ls "$cache"/linux-image-6.1.*/boot/vmlinuz-* "$cache"/*/boot/vmlinuz-* 2>/dev/null | head -n 1)
if [[ -z "$kernel" ]]; then
  echo "SKIP: no kernel in $cache (bash ci/kernel.sh 6.1 fetches one)"; exit 0
fi
echo "kernel: $kernel"

work=${TEST_TMPDIR:-$(mktemp -d)}
[[ -n ${TEST_TMPDIR:-} ]] || trap 'rm -rf "$work"' EXIT
export TMPDIR=$work
source "$(dirname "$passes")/checks.sh"
source "$(dirname "$passes")/processes.sh"
release=$(basename "$kernel" | sed 's/^vmlinuz-//')
system=linux-$(echo "$release" | grep -oE '^[0-9.]*[0-9](-[0-9]+)?')-qemu
# Seven scenarios, each booting the kernel at most once, dealt to the shards.
shard_scenarios

# A normal run: both systems named, every instance back and the same.
if my_scenario; then
  run boots 0 run --under=qemu:"$kernel" --accel=tcg "$passes" "$nine"
  file_contains boots "$out" "vs $system (Linux $release under qemu (tcg, 1 vCPU, init after "
  file_contains boots "$out" "10 same, 0 skipped, 0 recorded, 0 xfail, 0 differs"
fi

# The kernel panics after 3 results (a test hook of the guest's init:
# sysrq c): the error names the panic, the 3 results are compared, the 7
# others carry the error.
if my_scenario; then
  run panics 2 run --under=qemu:"$kernel" --accel=tcg --append=sockspec.test_panic_after=3 \
    "$passes" "$nine"
  file_contains panics "$err" "$system: kernel failure while running: Kernel panic - not syncing: sysrq triggered crash (3 of 10 results kept); console tail:"
  file_contains panics "$out" "3 same, 0 skipped, 0 recorded, 0 xfail, 0 differs"
  file_contains panics "$out" "7 error"
fi

# The guest goes silent after 2 results: the run deadline names it.
if my_scenario; then
  run silent 2 run --under=qemu:"$kernel" --accel=tcg --append=sockspec.test_hang_after=2 \
    --run-timeout=15 "$passes" "$nine"
  file_contains silent "$err" "$system: the guest did not finish within 15 s (2 of 10 instances reported) (2 of 10 results kept)"
  file_contains silent "$out" "2 same, 0 skipped, 0 recorded, 0 xfail, 0 differs"
fi

# An interrupted run leaves nothing behind: SIGTERM while the guest is silent
# after its first result (no deadline near), then no qemu (its command line
# names the working directory) and nothing in the temporary root.
if my_scenario; then
  root=$work/interrupt
  mkdir -p "$root"
  TMPDIR=$root "$sockspec" run --under=qemu:"$kernel" --accel=tcg \
    --append=sockspec.test_hang_after=1 --run-timeout=600 "$passes" "$nine" \
    > "$work/interrupt.out" 2>&1 &
  pid=$!
  reported() { grep -qs '"verdict"' "$root"/sockspec-qemu.*/results.jsonl; }
  for ((i = 0; i < 2400; i++)); do reported && break; sleep 0.05; done  # bounded: 120 s
  reported || { echo "FAIL interrupt: the guest reported nothing"; fails=$((fails + 1)); }
  kill -TERM "$pid"
  wait "$pid"
  code=$?
  out=$work/interrupt.out
  expect interrupt 143 $code
  left=$(find "$root" -mindepth 1)
  [[ -z $left ]] || { echo "FAIL interrupt: left behind: $left"; fails=$((fails + 1)); }
  gone "$root" || { echo "FAIL interrupt: qemu is left"; fails=$((fails + 1)); }
fi

# A kernel that cannot find its init panics while booting; nothing is kept.
if my_scenario; then
  run noinit 2 run --under=qemu:"$kernel" --accel=tcg --append=rdinit=/nonexistent "$passes"
  file_contains noinit "$err" "$system: kernel failure while booting: Kernel panic - not syncing:"
  file_contains noinit "$err" "(0 of 1 results kept)"
fi

# The issue's spelling, --under=qemu --kernel=PATH, is the same guest.
if my_scenario; then
  run kernel_option 0 run --under=qemu --kernel="$kernel" --accel=tcg "$passes"
  file_contains kernel_option "$out" "1 same, 0 skipped, 0 recorded"
fi

# Not a kernel at all: refused before anything runs.
if my_scenario; then
  run notkernel 2 run --under=qemu:"$passes" "$passes"
  file_contains notkernel "$err" "is not a bzImage (no HdrS header)"
fi

if ((fails > 0)); then echo "$fails failed"; exit 1; fi
echo "all passed"
