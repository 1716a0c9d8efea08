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

# Several systems: the host, then two wrappers that change nothing.
"$sockspec" run --under='command:env' --under='command:env SOCKSPEC_SECOND=1' \
  --html="$work/systems.html" "$@" > "$work/systems.txt" 2>&1
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
[[ $order == "differ wrong-expectation.case agree passes.case " ]] \
  || fail "systems page groups in order '$order', want the differing case first"
ladders=$(grep -o '<table class="ladder">' <<<"$dom" | wc -l)
[[ $ladders == 4 ]] || fail "$ladders step ladders, want 4 (2 instances x 2 systems)"
page=systems.html browse --screenshot="$out_dir/systems.png" > "$work/shot2.out" 2>&1 \
  || fail "chromium --screenshot systems.html: $(tail -3 "$work/shot2.out")"
[[ $(head -c 8 "$out_dir/systems.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] \
  || fail "systems.png is not a PNG"

if ((failures > 0)); then
  echo "$failures checks failed"
  exit 1
fi
echo "PASS: matrix of $rows rows rendered; screenshots in $out_dir/report.png and systems.png"
