#!/usr/bin/env bash
# The sanitizer subset of `make test` (the whole suite under ASan and TSan is `make sanitize`,
# about 20 minutes of building on 2 cores): MuseCore's worker pool, in C, stress-tested with
# several concurrent callers under ThreadSanitizer and under AddressSanitizer + UBSan. Seconds.
# A C compiler without the sanitizer runtimes skips the check and says so.
set -uo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sources=(Tests/Sanitizers/worker_pool_stress.c Sources/CMuseKernels/WorkerPool.c)
status=0
for sanitizer in thread address,undefined; do
    exe="$out/stress-${sanitizer%%,*}"
    if ! $CC -O1 -g -fsanitize="$sanitizer" -fno-sanitize-recover=all -I Sources/CMuseKernels/include "${sources[@]}" \
            -o "$exe" -lpthread 2>"$out/cc.log"; then
        echo "sanitize-fast: skipped $sanitizer ($CC cannot build with it: $(head -1 "$out/cc.log"))"
        continue
    fi
    for config in "1 1 0" "1 3 20000" "3 2 1000"; do
        if ! TSAN_OPTIONS="halt_on_error=1" ASAN_OPTIONS="detect_leaks=1" "$exe" $config >"$out/run.log" 2>&1; then
            echo "sanitize-fast: $sanitizer, workers/callers/spin $config: FAILED"
            cat "$out/run.log"
            status=1
        fi
    done
    [ $status -eq 0 ] && echo "sanitize-fast: worker pool under $sanitizer: clean"
done
exit $status
