#!/usr/bin/env bash
# Command 1 of the README: sets up what is missing, then runs the whole
# conformance suite on this machine's kernel and prints a summary.
# Extra arguments go to `sockspec run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
status=0
bazel build //harness:sockspec
"$(bazel info bazel-bin)/harness/sockspec" run --jobs=2 cases "$@" || status=$?
bazel shutdown >/dev/null 2>&1 || true
exit "$status"
