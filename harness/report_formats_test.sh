#!/usr/bin/env bash
# The machine-readable formats checked by their consumers' rules: --format=ktap
# passes a strict KTAP version 1 checker (testdata/ktap_check.py, after the
# kernel's Documentation/dev-tools/ktap.rst), --format=junit validates
# against a JUnit schema (testdata/junit.xsd, with xmllint; skipped without
# it), with failures, --repeat and a comparison with a guest.
# Usage: report_formats_test.sh SOCKSPEC KTAP_CHECK JUNIT_XSD PASSES_CASE WRONG_CASE
set -uo pipefail

sockspec=$1 ktap_check=$2 xsd=$3 passes=$4 wrong=$5
work=${TEST_TMPDIR:-$(mktemp -d)}
[[ -n ${TEST_TMPDIR:-} ]] || trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

"$sockspec" run --format=ktap --repeat=2 "$passes" "$wrong" > "$work/run.ktap"
[[ $? == 1 ]] || fail "ktap: exit code, want 1 (a case fails)"
python3 "$ktap_check" < "$work/run.ktap" || fail "ktap: not valid KTAP: $(head -5 "$work/run.ktap")"
grep -qx "1..6" "$work/run.ktap" || fail "ktap: plan is not 1..6"
grep -qx "ok 2 $passes (repeat 2)" "$work/run.ktap" || fail "ktap: repeat names: $(cat "$work/run.ktap")"
grep -q "^not ok 3 $wrong \[SOCK_STREAM\]$" "$work/run.ktap" || fail "ktap: no failing line"
grep -q "^# $wrong:12:1: B: read(b, 10): expected" "$work/run.ktap" || fail "ktap: no diagnostic"

"$sockspec" run --format=tap "$passes" "$wrong" > "$work/run.tap"
grep -qx "TAP version 13" "$work/run.tap" || fail "tap: no version line"
grep -qx "ok 1 - $passes" "$work/run.tap" || fail "tap: $(cat "$work/run.tap")"

if ! command -v xmllint > /dev/null; then
  echo "SKIP junit: xmllint is not installed (Debian's libxml2-utils)"
else
  "$sockspec" run --format=junit --repeat=2 "$passes" "$wrong" > "$work/run.xml"
  xmllint --noout --schema "$xsd" "$work/run.xml" 2> "$work/xmllint.err" ||
    fail "junit: $(cat "$work/xmllint.err")"
  grep -q 'name="SOCK_STREAM (repeat 2)"' "$work/run.xml" || fail "junit: repeat names"
  # The comparison with a guest (any wrapper will do) as JUnit, too.
  "$sockspec" run --format=junit --under='command:env' "$passes" > "$work/cmp.xml"
  xmllint --noout --schema "$xsd" "$work/cmp.xml" 2> "$work/xmllint.err" ||
    fail "junit comparison: $(cat "$work/xmllint.err")"
fi

if [[ $failures -gt 0 ]]; then echo "$failures failed"; exit 1; fi
echo "all passed"
