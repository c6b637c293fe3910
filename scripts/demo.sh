#!/usr/bin/env bash
# The demo `make demo` runs after set-up, the release build and the corpora:
# statistics of each corpus, then one tune transposed and quantized into output/.
set -euo pipefail
cd "$(dirname "$0")/.."
MUSE=${MUSE:-.build/release/muse}
mkdir -p output

for corpus in corpora/oneills corpora/ryans corpora/bach; do
  [ -d "$corpus" ] || continue
  echo "== $corpus"
  "$MUSE" corpus stats "$corpus"
  echo
done

tune=corpora/oneills/0001-0050_1.mid
echo "== one tune: $tune"
"$MUSE" midi info "$tune"
"$MUSE" midi transpose "$tune" --semitones 5 -o output/demo-transposed.mid
"$MUSE" midi quantize output/demo-transposed.mid --steps-per-quarter 4 -o output/demo-transposed-quantized.mid
"$MUSE" midi dump output/demo-transposed-quantized.mid --json > output/demo-transposed-quantized.json
echo
echo "demo: wrote output/demo-transposed.mid, output/demo-transposed-quantized.mid and its NoteSequence JSON"
