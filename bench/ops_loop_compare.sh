#!/usr/bin/env bash
# Measures, in one run, ops_fuzzer against the plain loop it cannot beat:
#   bash bench/ops_loop_compare.sh [SECONDS] [ROUNDS]
# Builds (-c opt, clang) ops_fuzzer with libFuzzer and bench/ops_loop, takes
# one corpus (fuzz/corpus/ops_fuzzer plus the local working corpus of
# ci/fuzz.sh, if any), then alternates for ROUNDS rounds of SECONDS each:
#   plain   ops_loop: the corpus's sequences, same syscalls, no model/fuzzer
#   model   ops_loop --model: the same sequences through pattern + model
#   fuzzer  ops_fuzzer fuzzing from that corpus (libFuzzer, no sanitizers)
# and prints the medians: sequences (inputs) per second, operations per
# second, operations per CPU second (user + system time of the process), and
# fuzzer / plain. Operations per second is the fair figure: the fuzzer's
# mutated inputs are not the corpus's lengths. On a shared machine the wall
# clock counts time spent waiting for a core, which other load decides; the
# CPU-second figure leaves that out and spreads far less between rounds.
# SOCKSPEC_BAZEL_STARTUP passes startup options (e.g. --output_base=DIR).
# SOCKSPEC_BENCH_BEFORE=FILE adds a fourth runner to every round: FILE, an
# ops_fuzzer built the same way from an earlier commit (copy it out of
# bazel-bin first), so a change is measured before and after side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${2:-3}
read -r -a startup <<< "${SOCKSPEC_BAZEL_STARTUP:-}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

b() { bazel "${startup[@]}" "$@" --symlink_prefix=/ -c opt; }  # clang: the default
b build --define=sockspec_fuzzing_engine=libfuzzer \
  --copt=-fsanitize=fuzzer-no-link //fuzz:ops_fuzzer 2>/dev/null
bin=$(b info bazel-bin 2>/dev/null)
cp "$bin/fuzz/ops_fuzzer" "$tmp/ops_fuzzer"
b build //bench:ops_loop 2>/dev/null
cp "$bin/bench/ops_loop" "$tmp/ops_loop"

mkdir -p "$tmp/corpus"
cp fuzz/corpus/ops_fuzzer/* "$tmp/corpus/"
work=${SOCKSPEC_FUZZ_DIR:-$HOME/.cache/sockspec/fuzz}/ops_fuzzer/corpus
if [[ -d $work ]] && compgen -G "$work/*" > /dev/null; then
  cp "$work"/* "$tmp/corpus/"
fi
echo "corpus: $(ls "$tmp/corpus" | wc -l) inputs; $rounds rounds of ${seconds}s"

# Figures per round: "SEQUENCES_PER_S OPERATIONS_PER_S OPERATIONS_PER_CPU_S".
TIMEFORMAT='%U %S'
# Runs a command with its output in $tmp/out and $tmp/err and its CPU
# seconds in $tmp/cpu.
timed() {
  if ! { time "$@" > "$tmp/out" 2> "$tmp/err"; } 2> "$tmp/cpu"; then
    echo "ops_loop_compare: $1 failed:" >&2
    tail -n 40 "$tmp/err" "$tmp/out" >&2
    exit 1
  fi
}
# "SEQUENCES_PER_S OPERATIONS_PER_S OPERATIONS" on stdin, per CPU second.
per_cpu() { awk -v c="$(awk '{print $1 + $2}' "$tmp/cpu")" '{printf "%s %s %.0f\n", $1, $2, $3 / c}'; }
plain() {
  timed "$tmp/ops_loop" --seconds="$seconds" "$@" "$tmp/corpus"
  sed -E 's/.* ([0-9]+) operations in .*: ([0-9]+) sequences\/s, ([0-9]+) operations\/s/\2 \3 \1/' \
    "$tmp/out" | per_cpu
}
fuzz() {
  rm -rf "$tmp/new" && mkdir "$tmp/new"
  timed "$1" -max_total_time="$seconds" -seed="$2" -max_len=512 \
    -dict=fuzz/ops_fuzzer.dict "$tmp/new" "$tmp/corpus"
  sed -nE 's/^ops_fuzzer: .* ([0-9]+) operations in .*: ([0-9]+) inputs\/s, ([0-9]+) operations\/s.*/\2 \3 \1/p' \
    "$tmp/err" | per_cpu
}
kinds="plain model fuzzer"
if [[ -n ${SOCKSPEC_BENCH_BEFORE:-} ]]; then
  cp "$SOCKSPEC_BENCH_BEFORE" "$tmp/before_fuzzer"
  kinds="$kinds before"
fi
for ((r = 1; r <= rounds; ++r)); do
  plain >> "$tmp/plain"
  plain --model >> "$tmp/model"
  fuzz "$tmp/ops_fuzzer" "$r" >> "$tmp/fuzzer"
  if [[ $kinds == *before* ]]; then fuzz "$tmp/before_fuzzer" "$r" >> "$tmp/before"; fi
  echo "round $r done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for kind in $kinds; do
  seqs=$(cut -d' ' -f1 "$tmp/$kind" | median)
  ops=$(cut -d' ' -f2 "$tmp/$kind" | median)
  cpu=$(cut -d' ' -f3 "$tmp/$kind" | median)
  printf '%-7s %8s sequences/s %9s operations/s %9s operations/CPU-s  (rounds: %s/ %s)\n' \
    "$kind" "$seqs" "$ops" "$cpu" "$(cut -d' ' -f2 "$tmp/$kind" | tr '\n' ' ')" \
    "$(cut -d' ' -f3 "$tmp/$kind" | tr '\n' ' ')"
  eval "${kind}_seqs=$seqs ${kind}_ops=$ops ${kind}_cpu=$cpu"
done
awk -v fo="$fuzzer_ops" -v po="$plain_ops" -v fs="$fuzzer_seqs" \
  -v ps="$plain_seqs" -v mo="$model_ops" -v fc="$fuzzer_cpu" \
  -v pc="$plain_cpu" -v mc="$model_cpu" 'BEGIN {
  printf "fuzzer/plain: %.0f%% of the operations/s (%.0f%% of the sequences/s), %.0f%% of the operations/CPU-s\n",
         100 * fo / po, 100 * fs / ps, 100 * fc / pc
  printf "model/plain on identical sequences: %.0f%% of the operations/s, %.0f%% of the operations/CPU-s\n",
         100 * mo / po, 100 * mc / pc }'
if [[ $kinds == *before* ]]; then
  awk -v bo="$before_ops" -v po="$plain_ops" -v bc="$before_cpu" \
    -v pc="$plain_cpu" 'BEGIN {
    printf "before/plain: %.0f%% of the operations/s, %.0f%% of the operations/CPU-s\n",
           100 * bo / po, 100 * bc / pc }'
fi
bazel "${startup[@]}" shutdown > /dev/null 2>&1 || true
