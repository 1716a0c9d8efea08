#!/usr/bin/env bash
# The whole case library on this kernel and inside one gVisor sandbox,
# compared instance by instance, with the conformance report written to
# ${REPORT_DIR:-bazel-report}/conformance.{txt,html,md,xml}: ci/systems.sh
# with its default system. Needs root and runsc (bash ci/setup.sh).
# Usage: bash ci/gvisor.sh [BAZEL_BUILD_FLAGS...]
set -euo pipefail
exec bash "$(dirname "$0")/systems.sh" --under=gvisor "$@"
