#!/usr/bin/env bash
# Runs each libFuzzer target (built by Fuzz/build.sh) for FUZZ_SECONDS (default 60) at low
# priority (nice FUZZ_NICE, default 10), from its committed seeds in Fuzz/corpus/<target>/ plus what
# earlier runs found (.build-fuzz/corpus/<target>/, never committed). A crash, a leak, an
# allocation over 256 MB or a hang over 1 s fails the target and leaves the input in
# .build-fuzz/crashes/; the script then exits non-zero. Prints one line per target: executions,
# coverage, result.
#
# libFuzzer's -timeout is wall-clock time, and on a loaded machine a niced fuzzer can wait more than
# a second for the CPU on an input that needs a millisecond. So a timeout is replayed alone: if the
# input takes under 1 s of CPU it was the machine, not a hang, and fuzzing continues for the rest
# of the time (counted as "slowdowns"); otherwise it is a real hang and fails.
#
# Usage: Fuzz/run.sh [target ...]   FUZZ_SECONDS=600 Fuzz/run.sh midi
set -u
cd "$(dirname "$0")/.."
OUT=.build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
targets=${*:-$(ls Fuzz/Targets | sed 's/\.swift$//')}
mkdir -p "$OUT/crashes" "$OUT/logs"
failed=0
# ASan keeps freed memory in a quarantine (256 MB by default) that counts against -rss_limit_mb:
# after ~200k runs fuzz-safetensors tripped the limit with 24 MB live (its input replays in 58 MB).
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=32}"
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0"
for target in $targets; do
    exe="$OUT/fuzz-$target"
    [ -x "$exe" ] || { echo "$target: not built (Fuzz/build.sh $target)"; failed=1; continue; }
    mkdir -p "$OUT/corpus/$target"
    log="$OUT/logs/$target.log"
    : > "$log"
    start=$(date +%s)
    runs=0 slowdowns=0 result=ok
    while :; do
        left=$(( SECONDS_EACH - ($(date +%s) - start) ))
        [ $left -gt 0 ] || break
        part="$OUT/logs/$target.part.log"
        nice -n "${FUZZ_NICE:-10}" "$exe" -max_total_time="$left" -rss_limit_mb=256 -malloc_limit_mb=256 -timeout=1 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$OUT/crashes/$target-" \
            "$OUT/corpus/$target" "Fuzz/corpus/$target" > "$part" 2>&1
        status=$?
        cat "$part" >> "$log"
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$part" | tail -1)
        runs=$(( runs + ${n:-0} ))
        [ $status -eq 0 ] && break
        input=$(sed -n "s|.*Test unit written to \(.*\)$|\1|p" "$part" | tail -1)
        if grep -q "libFuzzer: timeout" "$part" && [ -n "$input" ]; then
            cpu=$( { TIMEFORMAT='%U %S'; time "$exe" -rss_limit_mb=256 -malloc_limit_mb=256 "$input" > /dev/null 2>&1; } 2>&1 | awk '{print $1 + $2}')
            if awk "BEGIN { exit !($cpu < 1) }"; then
                slowdowns=$(( slowdowns + 1 ))
                mv "$input" "$OUT/crashes/slowdown-$(basename "$input")"
                continue
            fi
            result="HANG (${cpu} s CPU on replay: $input)"
        else
            result="FAILED (exit $status: ${input:-see $log})"
        fi
        failed=1
        break
    done
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    printf '%-12s %10s executions  %-10s %s%s\n' "$target" "$runs" "${cov:-}" "$result" \
        "$([ $slowdowns -gt 0 ] && echo " ($slowdowns wall-clock timeouts under load; each replayed in < 1 s CPU)")"
done
exit $failed
