#!/usr/bin/env bash
# The demo `make demo` runs after set-up, the release build and the corpora:
# statistics of each corpus; one tune transposed and quantized; then a small melody RNN trained on
# the O'Neill's tunes for about three minutes (resumed if runs/demo-melody holds a checkpoint),
# four melodies generated from a primer, written as MIDI and rendered through the SoundFont to WAV,
# with a spectrogram and a piano-roll picture of the first; then the audio corpus (built if missing),
# a spectrogram VAE trained on it for about a minute (resumed if runs/demo-specvae holds a
# checkpoint), and an interpolation between two corpus clips of contrasting instruments written to
# output/interpolation.wav and output/interpolation.png.
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
  --num-steps "${DEMO_STEPS:-1000}" --batch-size 64 --eval-every 500 --checkpoint-every 250 --seed 1

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
echo "== audio: the rendered corpus (many General MIDI programs) and recordings"
[ -d corpora/audio/oneills ] || MUSE="$MUSE" scripts/build_audio_corpus.sh
echo
echo "== train a spectrogram VAE (latent sequence, one 64-value latent per 2 frames) on corpora/audio"
"$MUSE" train spec-vae --audio corpora/audio --output runs/demo-specvae \
  --num-steps "${DEMO_SPEC_STEPS:-2000}" --eval-every 1000 --checkpoint-every 500 --seed 1
# Two clips of contrasting instruments: a piano tune and a trumpet tune (the rendered names carry
# the General MIDI program), else any two clips.
pick() { find corpora/audio -name "*-$1.wav" | sort | head -1; }
a=$(pick gm000); b=$(pick gm056)
[ -n "$a" ] || a=$(find corpora/audio -name '*.wav' | sort | head -1)
[ -n "$b" ] || b=$(find corpora/audio -name '*.wav' | sort | tail -1)
echo
echo "== interpolate from $a to $b"
"$MUSE" evaluate spec-vae --bundle runs/demo-specvae "$a"
"$MUSE" evaluate spec-vae --bundle runs/demo-specvae "$b" | sed -n 2,3p
"$MUSE" interpolate --bundle runs/demo-specvae "$a" "$b" --steps 5 --seconds 3 -o output/interpolation.wav --png output/interpolation.png
"$MUSE" interpolate --bundle runs/demo-specvae "$a" "$b" --mode morph --seconds 6 -o output/morph.wav --png output/morph.png

echo
echo "== style transfer without a pretrained network: china.jpg in the style of flower.jpg (random filters, L-BFGS)"
scripts/build_pictures.sh
"$MUSE" style-transfer corpora/pictures/china.jpg corpora/pictures/flower.jpg -o output/style-transfer.png \
  --size "${DEMO_STYLE_SIZE:-160}" --steps "${DEMO_STYLE_STEPS:-40}" --filters 64 --log-every 10

echo
echo "== text: a char-rnn (2x128 LSTM) on the 300 Tang poems, then poems from it, with their verse lengths"
"$MUSE" text verses corpora/tang300
"$MUSE" train char-rnn --text corpora/tang300 --output runs/demo-tang --max-iters "${DEMO_TEXT_STEPS:-1000}" \
  --eval-interval 250 --seed 1
"$MUSE" generate char-rnn --bundle runs/demo-tang --num-samples 3 --max-new-tokens 300 --line-lengths --seed 1 \
  | tee output/tang-poems.txt
echo
echo "== text: nanoGPT's small GPT on Shakespeare (its CPU settings, 2,000 iterations), continuing \"ROMEO:\""
gpt_steps=${DEMO_GPT_STEPS:-2000}
"$MUSE" train gpt --text corpora/shakespeare --output runs/demo-gpt --max-iters "$gpt_steps" \
  --lr-decay-iters "$gpt_steps" --eval-interval 500 --eval-iters 20 --seed 1
"$MUSE" generate gpt --bundle runs/demo-gpt --start "ROMEO:" --num-samples 2 --max-new-tokens 300 --seed 1 \
  | tee output/shakespeare.txt

echo
echo "== pictures: a convolutional VAE with a 2-number latent on Fashion-MNIST; samples and the latent manifold"
"$MUSE" train image-vae --output runs/demo-image-vae --num-steps "${DEMO_IMAGE_STEPS:-2000}" --sample-every 1000 \
  --checkpoint-every 1000 --eval-every 1000 --seed 1
"$MUSE" sample image-vae --bundle runs/demo-image-vae --grid 8x8 --seed 1 -o output/image-vae-samples.png \
  --manifold output/image-vae-manifold.png

echo
echo "demo: wrote"
echo "  output/demo-transposed.mid, output/demo-transposed-quantized.mid (+ .json)"
ls output/melodies/* | sed 's/^/  /'
echo "  output/interpolation.wav, output/interpolation.png (5 steps from $(basename "$a") to $(basename "$b"))"
echo "  output/morph.wav, output/morph.png (one clip turning from the first into the second)"
echo "  output/style-transfer.png (corpora/pictures/china.jpg painted in the style of flower.jpg)"
echo "  output/tang-poems.txt (char-rnn poems and their verse lengths), output/shakespeare.txt (GPT samples)"
echo "  output/image-vae-samples.png, output/image-vae-manifold.png (Fashion-MNIST pictures decoded from the latent plane)"
echo "play one with: .build/release/muse play $first"
echo "play the interpolation with: .build/release/muse play output/interpolation.wav"
