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
# second, and fuzzer / plain. Operations per second is the fair figure: the
# fuzzer's mutated inputs are not the corpus's lengths.
# SOCKSPEC_BAZEL_STARTUP passes startup options (e.g. --output_base=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${2:-3}
read -r -a startup <<< "${SOCKSPEC_BAZEL_STARTUP:-}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

b() { bazel "${startup[@]}" "$@" --symlink_prefix=/ -c opt --config=clang; }
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

# Figures per round: "SEQUENCES_PER_S OPERATIONS_PER_S".
plain() {
  "$tmp/ops_loop" --seconds="$seconds" "$@" "$tmp/corpus" |
    sed -E 's/.*: ([0-9]+) sequences\/s, ([0-9]+) operations\/s/\1 \2/'
}
fuzz() {
  rm -rf "$tmp/new" && mkdir "$tmp/new"
  "$tmp/ops_fuzzer" -max_total_time="$seconds" -seed="$1" -max_len=512 \
    -dict=fuzz/ops_fuzzer.dict "$tmp/new" "$tmp/corpus" 2>&1 |
    sed -nE 's/^ops_fuzzer: .*: ([0-9]+) inputs\/s, ([0-9]+) operations\/s/\1 \2/p'
}
for ((r = 1; r <= rounds; ++r)); do
  plain >> "$tmp/plain"
  plain --model >> "$tmp/model"
  fuzz "$r" >> "$tmp/fuzzer"
done
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for kind in plain model fuzzer; do
  seqs=$(cut -d' ' -f1 "$tmp/$kind" | median)
  ops=$(cut -d' ' -f2 "$tmp/$kind" | median)
  printf '%-7s %8s sequences/s %9s operations/s  (rounds: %s)\n' "$kind" \
    "$seqs" "$ops" "$(cut -d' ' -f2 "$tmp/$kind" | tr '\n' ' ')"
  eval "${kind}_seqs=$seqs ${kind}_ops=$ops"
done
awk -v fo="$fuzzer_ops" -v po="$plain_ops" -v fs="$fuzzer_seqs" \
  -v ps="$plain_seqs" -v mo="$model_ops" 'BEGIN {
  printf "fuzzer/plain: %.0f%% of the operations/s (%.0f%% of the sequences/s)\n",
         100 * fo / po, 100 * fs / ps
  printf "model/plain on identical sequences: %.0f%% of the operations/s\n",
         100 * mo / po }'
bazel "${startup[@]}" shutdown > /dev/null 2>&1 || true
