#!/usr/bin/env bash
# Renders the conformance report in a real headless browser (Debian's
# chromium): the page loads from file://, its DOM holds the matrix table with
# one row per instance, and a screenshot is saved as a test output. Then the
# several-systems page (the host and two `--under=command:env` systems, no
# root or kernel needed): differences first, the differences-only switch, a
# step ladder, and its screenshot.
# Usage: html_report_browser_test.sh SOCKSPEC_STATIC CASE...
set -uo pipefail

sockspec=$1
shift
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z $chromium ]]; then
  echo "SKIP: chromium is not installed (bash ci/setup.sh installs it)"
  exit 0
fi

# Scratch space: Bazel's $TEST_TMPDIR, or a private directory removed on exit.
if [[ -n ${TEST_TMPDIR:-} ]]; then
  work=$TEST_TMPDIR
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
# What a person looks at afterwards is kept: Bazel collects its outputs
# directory; a run outside Bazel gets one of its own and says where.
out_dir=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sockspec-outputs.XXXXXX")}
# Chromium needs a writable HOME and profile; the sandbox gives neither.
export HOME=$work
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

"$sockspec" report --html="$work/report.html" --markdown="$out_dir/report.md" "$@" \
  > "$work/report.txt" 2>&1
code=$?
[[ $code == 1 ]] || fail "report: exit code $code, want 1 (one case fails on purpose)"
cp "$work/report.html" "$out_dir/report.html"
instances=$("$sockspec" run --list "$@" | wc -l)

browse() {  # browse CHROMIUM_ARGS... (the page: $page, report.html by default)
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --disable-dev-shm-usage --user-data-dir="$(mktemp -d "$work/profile.XXXX")" \
    --window-size=1400,1000 "$@" "file://$work/${page:-report.html}"
}

browse --dump-dom > "$work/dom.html" 2> "$work/dom.err" || fail "chromium --dump-dom: $(tail -3 "$work/dom.err")"
grep -q '<table id="matrix">' "$work/dom.html" || fail "the DOM has no table#matrix"
rows=$(sed -n '/<table id="matrix">/,/<\/table>/p' "$work/dom.html" | sed -n '/<tbody>/,/<\/tbody>/p' | grep -o '<tr>' | wc -l)
[[ $rows == "$instances" ]] || fail "matrix has $rows rows, want $instances (one per instance)"
grep -q 'class="cell fail"' "$work/dom.html" || fail "no cell is coloured as a failure"
grep -q 'class="cell pass"' "$work/dom.html" || fail "no cell is coloured as a pass"

browse --screenshot="$out_dir/report.png" > "$work/shot.out" 2>&1 || fail "chromium --screenshot: $(tail -3 "$work/shot.out")"
size=$(stat -c %s "$out_dir/report.png" 2>/dev/null || echo 0)
((size > 10000)) || fail "screenshot $out_dir/report.png is $size bytes"
# PNG signature.
[[ $(head -c 8 "$out_dir/report.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] \
  || fail "report.png is not a PNG"

# Several systems: the host, then two wrappers that change nothing; one more
# case whose ladder has a blocked call, its wake, then a wrong expectation.
cat > "$work/wakes-then-wrong.case" <<'CASE'
title "A blocked read, woken by A's write, then a deliberately wrong expectation"
covers B42
source "harness self-test"

socketpair(AF_UNIX, SOCK_STREAM) = a, b
peer A holds a
peer B holds b

B: read(b, 10) blocks
A: write(a, "x") = 1
B: wakes = "x"
A: write(a, "y") = 2
CASE
"$sockspec" run --under='command:env' --under='command:env SOCKSPEC_SECOND=1' \
  --html="$work/systems.html" "$@" "$work/wakes-then-wrong.case" > "$work/systems.txt" 2>&1
code=$?
[[ $code == 1 ]] || fail "systems: exit code $code, want 1: $(tail -3 "$work/systems.txt")"
cp "$work/systems.html" "$out_dir/systems.html"
page=systems.html browse --dump-dom > "$work/systems-dom.html" 2> "$work/systems-dom.err" \
  || fail "chromium --dump-dom systems.html: $(tail -3 "$work/systems-dom.err")"
dom=$(tr -d '\n' < "$work/systems-dom.html")
grep -q '<input type="checkbox" id="only"><label for="only">differences only</label>' <<<"$dom" \
  || fail "the systems page has no differences-only switch"
grep -q '<th>case / instance</th><th>linux-[0-9.]*</th><th>linux-[0-9.]* (env)</th><th>linux-[0-9.]* (env SOCKSPEC_SECOND=1)</th>' <<<"$dom" \
  || fail "the systems page's header is not host, env, env SOCKSPEC_SECOND=1"
# Differences first: the failing case's group (differ) before the passing one (agree).
order=$(grep -o '<tbody class="[a-z]*"><tr class="case"><td colspan="4"><a href="[^"]*">[^<]*' <<<"$dom" \
  | sed 's/.*<tbody class="\([a-z]*\)".*>\([^>]*\)$/\1 \2/' | sed 's|[^ ]*/||' | tr '\n' ' ')
[[ $order == "differ wrong-expectation.case differ wakes-then-wrong.case agree passes.case " ]] \
  || fail "systems page groups in order '$order', want the differing cases first"
ladders=$(grep -o '<table class="ladder">' <<<"$dom" | wc -l)
[[ $ladders == 6 ]] || fail "$ladders step ladders, want 6 (3 instances x 2 systems)"
# The ladder: B's read blocked until line 11, B asleep while A writes, the
# wake naming who woke it, and the parting step highlighted.
grep -qF '<td class="asleep">read(b, 10) → blocks (seen asleep after' <<<"$dom" \
  || fail "no ladder marks B's read as asleep"
grep -qF '<b>blocked</b>, woken at line 11</td>' <<<"$dom" || fail "no ladder says where B's read woke"
grep -qF '<td class="sleeping">⋮ asleep</td><td>write(a, "x") → 1</td>' <<<"$dom" \
  || fail "no ladder shows B asleep beside A's write"
grep -qF '<div class="woke">woken by A: write(a, "x") (line 10)</div>' <<<"$dom" \
  || fail "no ladder says who woke B"
grep -qF '<tr class="parted"><td>12</td><td></td><td></td><td>write(a, "y") → 1 (expected 2)</td></tr>' <<<"$dom" \
  || fail "no ladder highlights where the system parted (line 12)"
page=systems.html browse --screenshot="$out_dir/systems.png" > "$work/shot2.out" 2>&1 \
  || fail "chromium --screenshot systems.html: $(tail -3 "$work/shot2.out")"
[[ $(head -c 8 "$out_dir/systems.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] \
  || fail "systems.png is not a PNG"

if ((failures > 0)); then
  echo "$failures checks failed"
  exit 1
fi
echo "PASS: matrix of $rows rows rendered; screenshots in $out_dir/report.png and systems.png"
