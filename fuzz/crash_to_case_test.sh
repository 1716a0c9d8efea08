#!/usr/bin/env bash
# A fuzzer finding becomes a case end to end. With a fault library preloaded
# (faults/fault_preload.cc) the socket misbehaves for ops_fuzzer and for the
# harness alike: ops_fuzzer aborts on an input, crash_to_case (under the same
# fault, so the recorded steps match) turns it into a case, and `sockspec run`
# fails that case at its divergent step with the fault and passes it without:
# the divergence came from the implementation, and the case pins it down.
# sizes_fuzzer's inputs convert too (--fuzzer=sizes_fuzzer).
# Args: OPS_FUZZER CRASH_TO_CASE SOCKSPEC FAULT_LIB CORPUS_DIR SIZES_CORPUS_DIR
set -euo pipefail
fuzzer=$1 convert=$2 sockspec=$3 lib=$4 corpus=$5 sizes=$6
tmp=${TEST_TMPDIR:?}/crash_to_case
mkdir -p "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
with_fault() { local f=$1; shift; LD_PRELOAD=$PWD/$lib SOCKSPEC_FAULT=$f "$@"; }
# expect STATUS OUT CMD...: runs CMD (stdout+stderr to OUT), checks its status.
expect() {
  local want=$1 out=$2; shift 2
  local got=0
  "$@" > "$out" 2>&1 || got=$?
  [[ $got == "$want" ]] || { cat "$out" >&2; fail "$* exited $got, expected $want"; }
}
has() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks: $2"; }; }

# check_case FAULT CASE LINE: the case is valid, passes on the real kernel,
# and fails under FAULT at LINE, the step after the divergence comment.
check_case() {
  local fault=$1 case=$2 line=$3
  sed -n "$((line - 1))p" "$case" | grep -q '^# ops_fuzzer diverged here: ' ||
    fail "$case: line $((line - 1)) is not the divergence comment"
  expect 0 "$tmp/check.out" "$sockspec" check "$case"
  expect 0 "$tmp/clean.out" "$sockspec" run "$case"
  has "$tmp/clean.out" "1 passed, 0 failed"
  expect 1 "$tmp/fault.out" with_fault "$fault" "$sockspec" run "$case"
  has "$tmp/fault.out" "FAIL  $case"
  has "$tmp/fault.out" "$case:$line:1: P: "
  has "$tmp/fault.out" "0 passed, 1 failed"
}

# A finding aborts: 134 from the replay build; a libFuzzer build
# (--config=fuzz) catches the abort and exits with its -error_exitcode, 77.
finding=134
if "$fuzzer" -help=1 2>&1 | grep -q '^Usage:'; then finding=77; fi

# 1. reorder-bytes over the seed corpus: the first input ops_fuzzer aborts on.
found=
for input in $(find -L "$corpus" -type f | sort); do
  status=0
  with_fault reorder-bytes "$fuzzer" "$input" > "$tmp/replay.out" 2>&1 || status=$?
  if ((status != 0)); then found=$input; break; fi
done
[[ -n $found ]] || fail "no seed input diverges under reorder-bytes"
((status == finding)) || fail "ops_fuzzer signalled a finding with status $status, not $finding"
has "$tmp/replay.out" "divergence at step"
has "$tmp/replay.out" "it matches no nearby offset: data corrupted"
case1=$tmp/out/reorder.case  # crash_to_case makes the folder
expect 0 "$tmp/convert.out" with_fault reorder-bytes "$convert" "$found" --out="$case1"
has "$tmp/convert.out" "crash_to_case: wrote $case1: "
line=$(sed -n 's/.*the divergent step is at line \([0-9]*\):.*/\1/p' "$tmp/convert.out")
[[ -n $line ]] || fail "crash_to_case named no divergent line"
has "$case1" "source \"fuzz/ops_fuzzer input $(sha1sum < "$found" | cut -d' ' -f1)\""
has "$case1" 'title "Found by ops_fuzzer: '
has "$case1" "covers B05"
check_case reorder-bytes "$case1" "$line"
has "$tmp/fault.out" "first difference at byte 0"

# 2. merge-datagrams on a crafted input: SOCK_DGRAM; a sends 5 bytes, then 7;
# b's recvmsg(b, 100, 0) must return the first datagram alone.
printf '\x01\x00\x05\x00\x00\x07\x00\x05\x64\x20' > "$tmp/dgram.in"
expect "$finding" "$tmp/replay.out" with_fault merge-datagrams "$fuzzer" "$tmp/dgram.in"
has "$tmp/replay.out" ">   3. recvmsg(b, 100, 0) = 12"
case2=$tmp/merge.case
expect 0 "$tmp/convert.out" with_fault merge-datagrams "$convert" "$tmp/dgram.in" --out="$case2"
has "$tmp/convert.out" "the divergent step is at line 16: recvmsg(b, 100, 0): expected 5 (the next datagram from a has 5 bytes), got 12"
has "$case2" "covers B04"
has "$case2" "P: send(a, from_a[5:12], 0) = 7"
has "$case2" "P: recvmsg(b, 100, 0) = from_a[0:5] flags 0"
check_case merge-datagrams "$case2" 16
has "$tmp/fault.out" "$case2:16:1: P: recvmsg(b, 100, 0): expected \"\\0\\xa7N\\xf5\\x9c\" flags 0, got 12 "

# 3. Without the fault the input does not diverge: no case unless --force,
# and then one that passes.
expect 1 "$tmp/convert.out" "$convert" "$tmp/dgram.in" --out="$tmp/none.case"
has "$tmp/convert.out" "crash_to_case: no divergence: all 3 operations"
[[ ! -e $tmp/none.case ]] || fail "a case was written without --force"
expect 0 "$tmp/convert.out" "$convert" "$tmp/dgram.in" --force --out="$tmp/none.case"
has "$tmp/none.case" "P: recvmsg(b, 100, 0) = from_a[0:5] flags 0"
expect 0 "$tmp/clean.out" "$sockspec" run "$tmp/none.case"

# 4. sizes_fuzzer: every seed, as the equivalent operations, is a case that
# passes; under reorder-bytes the stream one fails at a read of b.
for seed in "$sizes"/*; do
  expect 0 "$tmp/convert.out" "$convert" --fuzzer=sizes_fuzzer --force "$seed" \
    --out="$tmp/sizes-$(basename "$seed").case"
  has "$tmp/sizes-$(basename "$seed").case" "source \"fuzz/sizes_fuzzer input "
done
expect 0 "$tmp/clean.out" "$sockspec" run "$tmp"/sizes-*.case
expect 1 "$tmp/fault.out" with_fault reorder-bytes "$sockspec" run "$tmp/sizes-stream-small-writes-small-reads.case"
has "$tmp/fault.out" "P: recv(b, "
expect 2 "$tmp/convert.out" "$convert" --fuzzer=case_parser_fuzzer "$tmp/dgram.in"

# 5. Every version 3, 4 and 5 seed (fds passed as tokens, control buffers,
# SO_PASSCRED, epoll, options read back, SO_PEEK_OFF; named sockets with
# bind, listen, connect, accept, sendto, recvfrom, get*name; MSG_OOB send and
# recv, SIOCATMARK, SO_OOBINLINE, EPOLLET sets) is a case that passes here.
# An operation on a socket whose accept() failed runs on fd -1 in
# ops_fuzzer: `badfd` in the case. A stream read that skips a taken
# out-of-band byte (a newer mark pending) returns two slices of the payload.
n=0
for seed in "$corpus"/v3-* "$corpus"/v4-* "$corpus"/v5-*; do
  expect 0 "$tmp/convert.out" "$convert" --force "$seed" --out="$tmp/ops/$(basename "$seed").case"
  n=$((n + 1))
done
((n >= 33)) || fail "only $n version 3, 4 and 5 seeds in $corpus"
has "$tmp/ops/v4-stream-listen-connect-accept-pathname.case" 'P: bind(s2, path("p0")) = 0'
has "$tmp/ops/v4-poll-of-a-failed-accept-is-ignored.case" 'P: connect(badfd, path("p0")) = EBADF'
has "$tmp/ops/v5-stream-oob-peek-and-oobinline.case" 'P: recvmsg(b, 10, MSG_OOB|MSG_PEEK) = from_a[6:7] flags MSG_OOB'
has "$tmp/ops/v5-stream-oob-newer-mark-replaces-the-older.case" 'P: recvmsg(b, 10, 0) = from_a[6:8] + from_a[9:11] flags 0'
has "$tmp/ops/v5-stream-epollet-edges.case" 'EPOLLIN|EPOLLPRI|EPOLLOUT|EPOLLRDHUP|EPOLLET) = 0'
expect 0 "$tmp/clean.out" "$sockspec" run "$tmp/ops"
has "$tmp/clean.out" "$n passed, 0 failed"

echo "PASS: $found and a crafted datagram input became failing cases; sizes_fuzzer, version 3, 4 and 5 seeds became passing cases"
