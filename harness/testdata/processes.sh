# Sourced by the shell tests that interrupt a run: whether any of its
# processes is left.

running() {  # running TEXT: whether a process's command line contains TEXT
  local f arg
  for f in /proc/[0-9]*/cmdline; do
    while IFS= read -r -d '' arg; do
      [[ $arg == *"$1"* ]] && return 0
    done 2>/dev/null <"$f"
  done
  return 1
}

gone() {  # gone TEXT: waits until no process's command line contains TEXT;
          # false if one still does after 20 s
  local i
  for ((i = 0; i < 400; i++)); do
    running "$1" || return 0
    sleep 0.05
  done
  return 1
}
