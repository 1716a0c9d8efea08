#!/usr/bin/env bash
# sockspec check / run / record with placeholders, end to end: check warns
# (exit 0), run fails showing the observed answer, record prints a diff and
# writes nothing, record --write rewrites the file, which then passes.
set -uo pipefail
sockspec=$1
data=$(dirname "$2")
source "$(dirname "$3")/checks.sh"
out=$TEST_TMPDIR/out
dir=$(mktemp -d "$TEST_TMPDIR/record.XXXXXX")
cp "$data/seed.case" "$dir/seed.case"
case=$dir/seed.case
cp "$case" "$dir/before"

"$sockspec" check "$case" >"$out" 2>&1
expect check 0 $?
contains check "$case:16:41: warning: result not yet known ('= ?')"
contains check "A: getsockopt(a, SOL_SOCKET, SO_TYPE) = ?     # which type this row is"
contains check "1 case files OK"

"$sockspec" run "$case" >"$out" 2>&1
expect run 1 $?
contains run "$case:16:1: A: getsockopt(a, SOL_SOCKET, SO_TYPE): expected ? (not yet known), got SOCK_STREAM"
contains run "0 passed, 9 failed"

"$sockspec" record "$case" >"$out" 2>"$out.err"
expect record 0 $?
cmp -s "$case" "$dir/before" || { echo "FAIL record wrote the file"; fails=$((fails + 1)); }
contains record "--- a/$case"
contains record "+A: getsockopt(a, SOL_SOCKET, SO_TYPE) = \$TYPE # which type this row is"
contains record "+B: read(b, 200) = m[0:60] + w2"
out=$out.err
contains record-summary "sockspec record: 7 placeholders filled, 0 need a person's eye; nothing written"

out=$TEST_TMPDIR/out
"$sockspec" record --write "$case" >"$out" 2>&1
expect write 0 $?
contains write "1 file(s) rewritten"
cmp -s "$case" "$data/seed.recorded.case" || { echo "FAIL --write: file differs from the expected"; diff "$case" "$data/seed.recorded.case"; fails=$((fails + 1)); }
ls "$dir" | grep -q sockspec- && { echo "FAIL a temporary file was left"; fails=$((fails + 1)); }

"$sockspec" run "$case" >"$out" 2>&1
expect rerun 0 $?
contains rerun "9 passed, 0 failed"

cp "$data/mixed.case" "$dir/mixed.case"
"$sockspec" record --write "$dir/mixed.case" >"$out" 2>&1
expect mixed 1 $?
contains mixed "needs a person's eye: $dir/mixed.case:14:33: B: recv(b, 100, MSG_DONTWAIT): matrix rows answer differently: TYPE=SOCK_STREAM: m[60:]; TYPE=SOCK_DGRAM, SOCK_SEQPACKET: EAGAIN"

"$sockspec" run --explain --filter=SOCK_DGRAM/socketpair "$case" >"$out" 2>&1
expect explain 0 $?
contains explain "read(b, 200) -> m[0:60] + w2"

rm -rf "$dir"
exit $((fails > 0))
