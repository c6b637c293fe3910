#!/usr/bin/env bash
# Renders the MuseSynth fixture MIDI files with FluidSynth (the peer) and stores their features.
#   scripts/make_synth_fixtures.sh   (python: $MUSE_PEER_PYTHON, else the venv of scripts/peers_venv.sh)
#   fluidsynth 2.3.1 (Debian package), /usr/share/sounds/sf2/FluidR3_GM.sf2 (fluid-soundfont-gm);
#   python peers pinned in make_synth_fixtures.py (mido 1.3.3, numpy 2.4.6, soundfile 0.14.0).
# FluidSynth runs with its defaults (gain 0.2, 4th-order interpolation, polyphony 256) and reverb and
# chorus off, writing 32-bit float WAV so the comparison is not blurred by 16-bit dither.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${MUSE_PEER_PYTHON:-$(scripts/peers_venv.sh | tail -1)}
SF2=${SF2:-/usr/share/sounds/sf2/FluidR3_GM.sf2}
# A second, unrelated font (Debian timgm6mb-soundfont) shows the match is not tuned to one font.
SF2B=${SF2B:-/usr/share/sounds/sf2/TimGM6mb.sf2}
OUT=Tests/MuseSynthTests/Fixtures
fluidsynth --version | grep -q "runtime version 2.3.1" || { echo "need fluidsynth 2.3.1" >&2; exit 1; }
WAV=$(mktemp -d)
trap 'rm -rf "$WAV"' EXIT
mkdir -p "$OUT/midi" "$OUT/fluidsynth" "$OUT/fluidsynth-timgm6mb"
"$PY" scripts/make_synth_fixtures.py midi "$OUT/midi" -
for pair in "$SF2:fluidsynth" "$SF2B:fluidsynth-timgm6mb"; do
  font=${pair%%:*}; dir=${pair##*:}
  for mid in "$OUT"/midi/*.mid; do
    name=$(basename "$mid" .mid)
    fluidsynth -ni -q -g 0.2 -R 0 -C 0 -r 44100 -O float -T wav -F "$WAV/$name.wav" "$font" "$mid" >/dev/null
  done
  "$PY" scripts/make_synth_fixtures.py features "$OUT/midi" "$WAV" "$OUT/$dir"
done
du -sh "$OUT"
