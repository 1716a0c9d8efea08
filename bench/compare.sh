#!/usr/bin/env bash
# The README's Performance figures, measured side by side in one run:
#   bash bench/compare.sh [ROUNDS]
# Builds (-c opt) sockspec, bench/plain_case and bench/case_cost, then
# alternates for ROUNDS rounds (default 5):
#   plain     bench/plain_case: eof-waits-for-every-copy [SOCK_STREAM/socketpair] by hand
#   harness   bench/case_cost: the same instance through RunPlan, in process,
#             its peers kept across instances (PeerPool), as sockspec run does
#   fresh     bench/case_cost --fresh-peers: every peer forked anew
#   jobs=1    sockspec run --jobs=1 cases   (the whole suite; also with
#             --fresh-peers)
#   jobs=2    sockspec run --jobs=2 cases
#   by hand x2  two bench/plain_case at once, one on each of two CPUs
# and both per-instance programs again pinned to one CPU (taskset), as
# `sockspec run` pins each job and its peers (--spread-cpus undoes it),
# and prints the medians: per-instance wall (best round of each program) and
# CPU microseconds and their ratio, and the suite's wall seconds with the
# speed-up of two jobs, beside what a second CPU gives the hand-written
# program itself (two copies at once against one alone: the most two jobs
# of the same kind of work can gain on this machine). Alternating means
# both sides see the same load.
# With perf installed (linux-perf), each per-instance program also runs under
# `perf stat -e task-clock,page-faults` (the process and its children): task
# clock and page faults per instance, the figures least distorted by load.
# SOCKSPEC_BAZEL_STARTUP passes startup options (e.g. --output_base=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
read -r -a startup <<< "${SOCKSPEC_BAZEL_STARTUP:-}"
bazel "${startup[@]}" build -c opt //harness:sockspec //bench:plain_case //bench:case_cost \
  2>/dev/null
bin=$(bazel "${startup[@]}" info -c opt bazel-bin 2>/dev/null)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case_file=cases/close/eof-waits-for-every-copy.case
# The first two CPUs this script may run on: the first for the pinned
# rounds, both for two copies at once (cpu2 is "" with only one allowed).
read -r cpu cpu2 < <(awk '/^Cpus_allowed_list/ {
  n = split($2, ranges, ",")
  for (i = 1; i <= n && k < 2; i++) {
    if (split(ranges[i], ab, "-") < 2) ab[2] = ab[1]
    for (c = ab[1] + 0; c <= ab[2] + 0 && k < 2; c++) { printf "%s%d", k ? " " : "", c; k++ }
  }
  print ""
}' /proc/self/status)

# "best_us cpu_us" from a plain_case / case_cost report.
figures() { sed -n 's/.*best round \([0-9.]*\) us), CPU \([0-9.]*\) us.*/\1 \2/p'; }
wall() {  # wall seconds of a command, its output discarded
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}
# `perf stat`'s "task_us faults" per instance, appended to $1, for the
# command that follows; without perf, the command alone.
perfstat() {
  local into=$1
  shift
  if ! command -v perf >/dev/null; then "$@"; return; fi
  perf stat -x, -o "$tmp/perf" -e task-clock,page-faults "$@"
  # 1000 iterations: the task clock in ms is the microseconds per instance.
  awk -F, '$3 == "task-clock" { t = $1 } $3 == "page-faults" { f = $1 }
           END { printf "%.1f %.1f\n", t, f / 1000 }' "$tmp/perf" >>"$into"
}
# The hand-written program on $cpu and $cpu2 at once; fails if either does.
plain_on_both() {
  taskset -c "$cpu" "$bin/bench/plain_case" --iterations=1000 &
  local first=$!
  taskset -c "$cpu2" "$bin/bench/plain_case" --iterations=1000 || return 1
  wait "$first"
}
for ((r = 0; r < rounds; r++)); do
  perfstat "$tmp/plain.perf" "$bin/bench/plain_case" --iterations=1000 | figures >>"$tmp/plain"
  perfstat "$tmp/harness.perf" "$bin/bench/case_cost" --iterations=1000 "$case_file" \
    SOCK_STREAM/socketpair | figures >>"$tmp/harness"
  "$bin/bench/case_cost" --fresh-peers --iterations=1000 "$case_file" \
    SOCK_STREAM/socketpair | figures >>"$tmp/fresh"
  taskset -c "$cpu" "$bin/bench/plain_case" --iterations=1000 | figures >>"$tmp/plain_pinned"
  taskset -c "$cpu" "$bin/bench/case_cost" --iterations=1000 "$case_file" \
    SOCK_STREAM/socketpair | figures >>"$tmp/harness_pinned"
  if [[ -n $cpu2 ]]; then
    # The hand-written program alone, then two copies at once, one per CPU.
    wall taskset -c "$cpu" "$bin/bench/plain_case" --iterations=1000 >>"$tmp/plain_one"
    wall plain_on_both >>"$tmp/plain_two"
  fi
  wall "$bin/harness/sockspec" run --jobs=1 cases >>"$tmp/jobs1"
  wall "$bin/harness/sockspec" run --jobs=1 --fresh-peers cases >>"$tmp/jobs1_fresh"
  wall "$bin/harness/sockspec" run --jobs=2 cases >>"$tmp/jobs2"
done
median() {  # median of column $1 of file $2
  sort -n -k"$1","$1" "$2" | awk -v c="$1" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
pw=$(median 1 "$tmp/plain"); pc=$(median 2 "$tmp/plain")
hw=$(median 1 "$tmp/harness"); hc=$(median 2 "$tmp/harness")
ppw=$(median 1 "$tmp/plain_pinned"); ppc=$(median 2 "$tmp/plain_pinned")
hpw=$(median 1 "$tmp/harness_pinned"); hpc=$(median 2 "$tmp/harness_pinned")
fw=$(median 1 "$tmp/fresh"); fc=$(median 2 "$tmp/fresh")
j1=$(median 1 "$tmp/jobs1"); j2=$(median 1 "$tmp/jobs2"); j1f=$(median 1 "$tmp/jobs1_fresh")
echo "medians of $rounds alternating rounds ($(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)):"
awk -v pw="$pw" -v pc="$pc" -v hw="$hw" -v hc="$hc" -v j1="$j1" -v j2="$j2" \
    -v ppw="$ppw" -v ppc="$ppc" -v hpw="$hpw" -v hpc="$hpc" -v cpu="$cpu" \
    -v fw="$fw" -v fc="$fc" -v j1f="$j1f" 'BEGIN {
  printf "  one instance, by hand      %7.1f us wall  %7.1f us CPU\n", pw, pc
  printf "  one instance, harness      %7.1f us wall  %7.1f us CPU  (%.2fx wall, %.2fx CPU)\n", hw, hc, hw / pw, hc / pc
  printf "  harness, fresh peers       %7.1f us wall  %7.1f us CPU  (%.2fx wall, %.2fx CPU)\n", fw, fc, fw / pw, fc / pc
  printf "  by hand, on CPU %-3d        %7.1f us wall  %7.1f us CPU\n", cpu, ppw, ppc
  printf "  harness, on CPU %-3d        %7.1f us wall  %7.1f us CPU  (%.2fx wall, %.2fx CPU)\n", cpu, hpw, hpc, hpw / ppw, hpc / ppc
  printf "  whole suite, --jobs=1      %7.3f s      (fresh peers: %.3f s, %.2fx)\n", j1, j1f, j1f / j1
  printf "  whole suite, --jobs=2      %7.3f s      (%.2fx faster)\n", j2, j1 / j2
}'
if [[ -s $tmp/plain_two ]]; then
  p1=$(median 1 "$tmp/plain_one"); p2=$(median 1 "$tmp/plain_two")
  awk -v p1="$p1" -v p2="$p2" -v c1="$cpu" -v c2="$cpu2" 'BEGIN {
    printf "  by hand, 1000 instances    %7.3f s on CPU %d; two at once on CPUs %d and %d: %.3f s (%.2fx the work per second)\n", p1, c1, c1, c2, p2, 2 * p1 / p2
  }'
fi
if [[ -s $tmp/plain.perf ]]; then
  pt=$(median 1 "$tmp/plain.perf"); pf=$(median 2 "$tmp/plain.perf")
  ht=$(median 1 "$tmp/harness.perf"); hf=$(median 2 "$tmp/harness.perf")
  awk -v pt="$pt" -v pf="$pf" -v ht="$ht" -v hf="$hf" 'BEGIN {
    printf "  perf stat, by hand         %7.1f us task-clock  %5.1f page faults per instance\n", pt, pf
    printf "  perf stat, harness         %7.1f us task-clock  %5.1f page faults  (%.2fx task-clock)\n", ht, hf, ht / pt
  }'
fi
