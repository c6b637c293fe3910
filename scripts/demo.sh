#!/usr/bin/env bash
# The demo `make demo` runs after set-up, the release build and the corpora:
# statistics of each corpus; one tune transposed and quantized; then a small melody RNN trained on
# the O'Neill's tunes for a minute or two (resumed if runs/demo-melody holds a checkpoint),
# four melodies generated from a primer, written as MIDI and rendered through the SoundFont to WAV,
# with a spectrogram and a piano-roll picture of the first.
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
echo "== train a small melody RNN on O'Neill's tunes (basic_rnn, 2x128 LSTM)"
"$MUSE" train melody-rnn --corpus corpora/oneills --output runs/demo-melody \
  --num-steps "${DEMO_STEPS:-1500}" --batch-size 64 --eval-every 500 --checkpoint-every 250 --seed 1

echo
echo "== generate four melodies from a primer"
rm -rf output/melodies
"$MUSE" generate melody-rnn --bundle runs/demo-melody --primer-melody "[60, -2, 62, -2, 64, -2, 65, -2]" \
  --num-outputs 4 --num-steps 128 --temperature 1.0 --output-dir output/melodies --seed 1 --normalize -1
first=$(ls output/melodies/*.wav | head -1)
"$MUSE" spectrogram "$first" -o "${first%.wav}.png"
"$MUSE" midi roll "${first%.wav}.mid" -o "${first%.wav}-roll.png"
"$MUSE" midi info "${first%.wav}.mid" | head -6

echo
echo "demo: wrote"
echo "  output/demo-transposed.mid, output/demo-transposed-quantized.mid (+ .json)"
ls output/melodies/* | sed 's/^/  /'
echo "play one with: .build/release/muse play $first"
