#!/usr/bin/env bash
# Builds every benchmark in release (a build folder of its own, without -enable-testing) and runs
# each beside its peer in the same run. The peers are Python programs (pretty_midi, symusic,
# librosa, PyTorch) and FluidSynth: scripts/peers_venv.sh makes their venv (once) and names its
# python; MUSE_PEER_PYTHON overrides it.
#   make bench                 all benchmarks
#   scripts/bench.sh midi dsp  just these (bench-midi, bench-dsp)
# Each benchmark writes its rows (ours, peer, ratio, floor) to output/bench/<name>.tsv; the run ends
# with one table of every row there, also written as output/bench.md, and a chart output/bench.png.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${MUSE_PEER_PYTHON:-}" ]; then MUSE_PEER_PYTHON=$(scripts/peers_venv.sh | tail -1); fi
export MUSE_PEER_PYTHON
MUSE_BIN=.build/release/muse scripts/build_corpora.sh oneills ryans bach 2>/dev/null || scripts/build_corpora.sh oneills ryans
all=$(sed -n 's/.*executableTarget(name: "bench-\([a-z-]*\)".*/\1/p' Package.swift)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=($all)
failed=()
for name in "${wanted[@]}"; do
  swift build -c release --scratch-path .build-bench --product "bench-$name" >&2
  echo "== bench-$name"
  ".build-bench/release/bench-$name" || failed+=("bench-$name")
  echo
done
swift build -c release --scratch-path .build-bench --product muse-bench-report >&2
echo "== summary"
.build-bench/release/muse-bench-report table $all
if [ ${#failed[@]} -gt 0 ]; then echo "bench: failed: ${failed[*]}" >&2; exit 1; fi
