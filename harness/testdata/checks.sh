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
