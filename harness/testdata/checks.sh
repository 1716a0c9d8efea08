# Shared by the shell tests of the sockspec command: sourced after they set
# $out (the file holding the last command's output). Each check counts a
# failure in $fails and shows the output; the test exits 1 when fails > 0.
fails=0

expect() {  # expect NAME WANT_CODE GOT_CODE
  if [[ $2 != "$3" ]]; then
    echo "FAIL $1: exit code $3, want $2"; cat "$out"; fails=$((fails + 1))
  fi
}

contains() {  # contains NAME TEXT
  if ! grep -qF -- "$2" "$out"; then
    echo "FAIL $1: output lacks: $2"; cat "$out"; fails=$((fails + 1))
  fi
}

run() {  # run NAME WANT_CODE ARGS...: $sockspec ARGS, stdout in $out and
         # stderr in $err (files under $work); checks the exit code
  local name=$1 want=$2
  shift 2
  out=$work/$name.out err=$work/$name.err
  "$sockspec" "$@" > "$out" 2> "$err"
  local code=$?
  if [[ $code != "$want" ]]; then
    echo "FAIL $name: exit code $code, want $want: $(tail -8 "$err")"; fails=$((fails + 1))
  fi
}

file_contains() {  # file_contains NAME FILE TEXT
  if ! grep -qF -- "$3" "$2"; then
    echo "FAIL $1: $2 lacks: $3"; sed 's/^/  | /' "$2" | tail -30; fails=$((fails + 1))
  fi
}

file_lacks() {  # file_lacks NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then
    echo "FAIL $1: $2 holds: $3"; sed 's/^/  | /' "$2" | tail -30; fails=$((fails + 1))
  fi
}

# Bazel sharding for a test made of independent scenarios (shard_count in
# its BUILD rule): call shard_scenarios once, then run a scenario only if
# `my_scenario` is true. Scenarios are dealt to the shards in turn, so each
# runs in exactly one shard; without sharding every scenario runs.
shard_scenarios() {
  scenario_count=0 scenario_shards=${TEST_TOTAL_SHARDS:-1}
  scenario_index=${TEST_SHARD_INDEX:-0}
  [[ -z ${TEST_SHARD_STATUS_FILE:-} ]] || touch "$TEST_SHARD_STATUS_FILE"
  # The sharding is the scenarios'; the commands they run see none (sockspec
  # itself would otherwise run only its share of their instances).
  unset TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE
  echo "shard $scenario_index of $scenario_shards"
}

my_scenario() {
  local mine=$((scenario_count % scenario_shards == scenario_index))
  scenario_count=$((scenario_count + 1))
  ((mine)) && echo "scenario $scenario_count (line ${BASH_LINENO[0]})"
  ((mine))
}
