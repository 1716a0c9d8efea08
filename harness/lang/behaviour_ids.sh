#!/usr/bin/env bash
# Writes the C++ source of BehaviourIds() (behaviour_ids.h) from the
# catalogue, cases/behaviours.tsv: one id per line that starts with B.
# Used by //harness/lang:behaviour_ids_cc and fuzz/oss_fuzz_build.sh.
#   bash harness/lang/behaviour_ids.sh cases/behaviours.tsv > behaviour_ids.cc
set -euo pipefail
echo "// Generated from $1 by harness/lang/behaviour_ids.sh; do not edit."
echo '#include "harness/lang/behaviour_ids.h"'
echo 'namespace sockspec {'
echo 'const std::vector<std::string>& BehaviourIds() {'
echo '  static const auto* const kIds = new std::vector<std::string>{'
awk -F'\t' '/^B[0-9]+\t/ { printf "      \"%s\",\n", $1 }' "$1"
echo '  };'
echo '  return *kIds;'
echo '}'
echo '}  // namespace sockspec'
