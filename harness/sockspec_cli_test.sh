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
python3 - "$out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))["summary"]
assert (s["pass"], s["fail"], s["error"], s["skip"]) == (1, 0, 0, 0), s
PY
expect json-summary 0 $?

# A title that is not UTF-8 and observed bytes that look like a report's own
# separators: both documents parse, and the record's cells hold the bytes.
bad="$data/invalid-utf8-title.case"
"$sockspec" run --format=json --output="$out" "$bad"
expect utf8-json 1 $?
python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))["results"][0]
assert r["title"] == "Bad \ufffd\ufffd bytes \ufffd in a title", r["title"]
f = r["failure"]
assert f["kind"] == "mismatch", f
assert f["call"] == 'read(b, 40)', f
assert f["expected"] == '"other"', f
assert f["observed"].startswith('20 "k: expected 1, got 2"'), f
PY
expect utf8-json-parses 0 $?
"$sockspec" run --format=junit --output="$out" "$bad"
expect utf8-junit 1 $?
python3 - "$out" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.find("testsuite/testcase/failure") is not None
PY
expect utf8-junit-parses 0 $?

# Recorded answers travel with the outcome, as written, only where the
# platform's answer was needed (the write's; the read's agrees).
"$sockspec" run --platform=gvisor --format=json --output="$out" \
    "$data/recorded-answer-differs.case" "$data/recorded-answer-agrees.case"
expect recorded 0 $?
python3 - "$out" <<'PY'
import json, sys
differs, agrees = json.load(open(sys.argv[1]))["results"]
assert agrees["recorded"] == [], agrees
[a] = differs["recorded"]
assert a["call"] == 'write(a, "k = v #1")', a
assert (a["default_answer"], a["platform_answer"]) == ("7", "8"), a
assert a["source"] == "self-test: the recorded answer is this kernel's", a
PY
expect recorded-as-written 0 $?

"$sockspec" run --list "$data/wrong-expectation.case" >"$out" 2>&1
expect list 0 $?
contains list "$data/wrong-expectation.case [SOCK_SEQPACKET]"

"$sockspec" run --filter='*SEQPACKET*' --jobs=2 --repeat=3 "$data/wrong-expectation.case" >"$out" 2>&1
expect filter 1 $?
contains filter "0 passed, 3 failed"

"$sockspec" run --filter '*SEQPACKET*' --jobs 2 "$data/wrong-expectation.case" >"$out" 2>&1
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

"$sockspec" run --under=bochs "$data/passes.case" >"$out" 2>&1
expect under 2 $?
contains under "sockspec: --under: unknown guest 'bochs' (known: command:CMD, gvisor, qemu:KERNEL)"

"$sockspec" run --under=qemu "$data/passes.case" >"$out" 2>&1
expect under-qemu 2 $?
contains under-qemu "sockspec: --under=qemu: qemu needs a kernel: --under=qemu:PATH"

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
