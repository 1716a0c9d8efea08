#!/usr/bin/env bash
# No flakes: every case test RUNS times (default 100) while stress-ng keeps
# both cores busy, then the totals. Any failed run is a flake to fix: the
# harness never depends on timing (blocking is seen in /proc, deadlines only
# bound hangs).
#   ci/stress.sh [RUNS] [extra bazel test options]
# BAZEL overrides the command (e.g. BAZEL="bazel --output_base=/tmp/ob").
# STRESS_SECONDS bounds the load (default 3600); it is also killed on exit.
# STRESS_TARGETS picks the tests (default //cases/...; e.g. "//..." for all).
#   ci/stress.sh --suite [RUNS]
# runs every instance of the library RUNS times (default 10) in one sockspec
# process (`sockspec run --repeat=RUNS --jobs=2 cases`) under the same load:
# the same instances without Bazel's start-up per test run, CI's flake check.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=0
if [[ ${1:-} == --suite ]]; then
  suite=1
  shift
fi
runs=${1:-$((suite ? 10 : 100))}
shift || true
bazel=${BAZEL:-bazel}
bash ci/setup.sh

stress-ng --cpu 2 --timeout "${STRESS_SECONDS:-3600}s" --quiet &
stress_pid=$!
log=$(mktemp)
cleanup() {
  kill "$stress_pid" 2>/dev/null || true
  wait "$stress_pid" 2>/dev/null || true
  rm -f "$log"
  $bazel shutdown >/dev/null 2>&1 || true
}
trap cleanup EXIT

start=$(date +%s)
status=0
if ((suite)); then
  $bazel build "$@" //harness:sockspec
  "$($bazel info "$@" bazel-bin)/harness/sockspec" run --repeat="$runs" --jobs=2 cases || status=$?
  echo "=== stress: every instance x $runs runs under stress-ng --cpu 2;" \
    "wall $(($(date +%s) - start))s; sockspec exit $status"
  exit "$status"
fi
# shellcheck disable=SC2086  # a list of target patterns
$bazel test ${STRESS_TARGETS:-//cases/...} --runs_per_test="$runs" --test_output=errors \
  --test_summary=short "$@" 2>&1 | tee "$log" || status=$?
wall=$(($(date +%s) - start))

targets=$(grep -cE '^//\S+ +(PASSED|FAILED|FLAKY)' "$log" || true)
failed_targets=$(grep -cE '^//\S+ +(FAILED|FLAKY)' "$log" || true)
failed_runs=$({ grep -oE 'failed in [0-9]+ out of' "$log" || true; } | awk '{s += $3} END {print s + 0}')
if ((failed_targets > 0 && failed_runs == 0)); then failed_runs="(all of $failed_targets targets)"; fi
echo "=== stress: $targets targets x $runs runs = $((targets * runs)) runs under stress-ng --cpu 2;" \
  "failed runs: $failed_runs; failing targets: $failed_targets; wall ${wall}s; bazel exit $status"
exit "$status"
