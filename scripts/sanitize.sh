#!/usr/bin/env bash
# Builds and runs the test suite under a sanitizer, in its own build folder (.build-address,
# .build-thread) so the release build is untouched.
#   scripts/sanitize.sh address|thread [swift test --filter pattern]
# ThreadSanitizer cannot see inside OpenBLAS's and FFTW's own (uninstrumented) threads; races it
# reports there are listed in scripts/tsan.supp with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
sanitizer=${1:?usage: scripts/sanitize.sh address|thread [filter]}
filter=${2:-}
build=(-c release -Xswiftc -enable-testing --sanitize="$sanitizer" --build-path ".build-$sanitizer")
swift build "${build[@]}" -j "${JOBS:-$(nproc)}" --build-tests || exit $?
# Tests that cannot run under a sanitizer's runtime read this and skip with the reason.
export MUSE_SANITIZER=$sanitizer
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$PWD/scripts/tsan.supp:halt_on_error=0:report_signal_unsafe=0}
# AddressSanitizer finds a use after free only when the block is really freed: large tensor
# blocks go to the system, not to TensorMemory's cache. ThreadSanitizer keeps the cache, to check its lock.
if [ "$sanitizer" = address ]; then export MUSE_TENSOR_CACHE_MB=${MUSE_TENSOR_CACHE_MB:-0}; fi
swift test "${build[@]}" --skip-build ${filter:+--filter "$filter"}
status=$?
echo "sanitize $sanitizer: exit $status"
exit $status
