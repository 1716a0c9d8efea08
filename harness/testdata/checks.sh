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
