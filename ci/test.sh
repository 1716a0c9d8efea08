#!/usr/bin/env bash
# Command 2 of the README: sets up what is missing, then runs every test.
# Extra arguments go to `bazel test` (e.g. --config=asan).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
status=0
bazel test //... "$@" || status=$?
bazel shutdown >/dev/null 2>&1 || true
exit "$status"
