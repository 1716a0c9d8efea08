#!/usr/bin/env bash
# The sockspec command end to end: exit codes, where failures and errors
# point, and the text, JUnit and JSON reports.
set -uo pipefail
sockspec=$1
data=$(dirname "$2")
out=$TEST_TMPDIR/out
source "$data/checks.sh"

"$sockspec" run "$data/passes.case" >"$out" 2>&1
expect pass 0 $?
contains pass "1 passed, 0 failed"

"$sockspec" run "$data/wrong-expectation.case" >"$out" 2>&1
expect wrong 1 $?
contains wrong "FAIL  $data/wrong-expectation.case [SOCK_STREAM]"
contains wrong "$data/wrong-expectation.case:12:1: B: read(b, 10): expected \"never written\", got 0"
contains wrong "0 passed, 2 failed"

"$sockspec" run "$data/bad-syntax.case" >"$out" 2>&1
expect syntax 2 $?
contains syntax "$data/bad-syntax.case:7:4: error: unknown call 'frobnicate'"
contains syntax "A: frobnicate(a) = 0"
contains syntax "   ^"

"$sockspec" run --format=junit "$data/wrong-expectation.case" "$data/passes.case" >"$out" 2>&1
expect junit 1 $?
contains junit '<testsuites tests="3" failures="2" errors="0">'
contains junit '<testcase name="SOCK_SEQPACKET"'
contains junit '<failure message='

"$sockspec" run --format=json --output="$out" "$data/passes.case"
expect json 0 $?
contains json '"summary": {"pass": 1, "fail": 0, "error": 0, "skip": 0'

"$sockspec" run --list "$data/wrong-expectation.case" >"$out" 2>&1
expect list 0 $?
contains list "$data/wrong-expectation.case [SOCK_SEQPACKET]"

"$sockspec" run --filter=SEQPACKET --jobs=2 --repeat=3 "$data/wrong-expectation.case" >"$out" 2>&1
expect filter 1 $?
contains filter "0 passed, 3 failed"

"$sockspec" run --filter SEQPACKET --jobs 2 "$data/wrong-expectation.case" >"$out" 2>&1
expect spaced 1 $?
contains spaced "0 passed, 1 failed"

"$sockspec" run --jobs=0 "$data" >"$out" 2>&1
expect usage 2 $?
contains usage "sockspec: --jobs: '0' is not a whole number >= 1 (see sockspec run --help)"
[[ $(wc -l < "$out") == 1 ]] || { echo "FAIL usage: not one line"; cat "$out"; fails=$((fails + 1)); }

"$sockspec" run --bogus "$data/passes.case" >"$out" 2>&1
expect bogus 2 $?
contains bogus "sockspec: unknown option '--bogus' (see sockspec run --help)"
[[ $(wc -l < "$out") == 1 ]] || { echo "FAIL bogus: not one line"; cat "$out"; fails=$((fails + 1)); }

"$sockspec" run --jobs >"$out" 2>&1
expect novalue 2 $?
contains novalue "--jobs"
[[ $(wc -l < "$out") == 1 ]] || { echo "FAIL novalue: not one line"; cat "$out"; fails=$((fails + 1)); }

"$sockspec" frobnicate >"$out" 2>&1
expect command 2 $?
contains command "sockspec: unknown command 'frobnicate' (see sockspec --help)"

"$sockspec" run --under=qemu "$data/passes.case" >"$out" 2>&1
expect under 2 $?
contains under "sockspec: --under: unknown guest 'qemu' (known: gvisor)"

# Help and --version: exit 0, on stdout, and say something useful.
"$sockspec" --help >"$out" 2>/dev/null
expect help 0 $?
contains help "Usage: sockspec"
contains help "check"
"$sockspec" help run >"$out" 2>/dev/null
expect help_run 0 $?
contains help_run "Usage: sockspec run"
contains help_run "--under NAME"
for command in run check report; do
  "$sockspec" $command --help >"$out" 2>/dev/null
  expect "${command}_help" 0 $?
  contains "${command}_help" "Usage: sockspec $command"
done
"$sockspec" --version >"$out" 2>/dev/null
expect version 0 $?
contains version "sockspec 0."

"$sockspec" >"$out" 2>&1
expect nocommand 2 $?
contains nocommand "Usage: sockspec"

"$sockspec" run "$data/no-such.case" >"$out" 2>&1
expect missing 2 $?
contains missing "no-such.case"

if ((fails > 0)); then echo "$fails checks failed"; exit 1; fi
echo "all sockspec CLI checks passed"
