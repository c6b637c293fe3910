#!/usr/bin/env bash
# Runs every test of the already-built test bundle on both cores and ends with one plain summary
# line ('N passed, N failed'), which XCTest's parallel mode does not print by itself.
#   scripts/run_tests.sh -c release -Xswiftc -enable-testing
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp -d)/xunit.xml
swift test "$@" --skip-build --parallel --num-workers "$(nproc)" --xunit-output "$report"
status=$?
if [ -f "$report" ]; then
  total=$(grep -o '<testcase ' "$report" | wc -l)
  failed=$(grep -o '<failure' "$report" | wc -l)
  skipped=$(grep -o '<skipped' "$report" | wc -l)
  echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit $status
