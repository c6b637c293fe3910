#!/bin/sh
# Builds the audio corpus for `muse train spec-vae`: the bundled MIDI corpora rendered through
# MuseSynth (`muse corpus render`, FluidR3_GM when installed, else the built-in instruments),
# each file on a General MIDI program picked per file (`--program random`: pianos, mallets, organs,
# guitars, basses, strings, brass, reeds, pipes, synths, drums, ...), the first SECONDS of each
# file, mono 22050 Hz WAV, into corpora/audio/<corpus>/ (git-ignored).
# usage: scripts/build_audio_corpus.sh [LIMIT_PER_CORPUS] [SECONDS]   (defaults 300 files, 8 s)
set -eu
cd "$(dirname "$0")/.."
limit="${1:-300}"
seconds="${2:-8}"
muse="${MUSE:-.build/release/muse}"
[ -x "$muse" ] || make build
seed=1
for corpus in oneills ryans; do
    [ -d "corpora/$corpus" ] || scripts/build_corpora.sh "$corpus"
    "$muse" corpus render "corpora/$corpus" -o "corpora/audio/$corpus" --limit "$limit" --seconds "$seconds" --program random --seed "$seed"
    seed=$((seed + 1))
done
# Openly licensed Debian recordings (sound-theme-freedesktop: CC-BY-SA/CC-BY/GPL per
# file, gnome-audio: CC-BY-SA-2.0/CC-BY-3.0, sound-icons: GPL-2+), installed from Debian when
# missing (as root, or with sudo), then linked in as they are.
missing=""
for p in sound-theme-freedesktop gnome-audio sound-icons; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || echo "audio corpus: could not install$missing; continuing with the rendered MIDI only" >&2
fi
mkdir -p corpora/audio/recordings
for dir in /usr/share/sounds/freedesktop /usr/share/sounds/gnome /usr/share/sounds/sound-icons; do
    [ -d "$dir" ] || continue
    find "$dir" -type f \( -name '*.wav' -o -name '*.oga' -o -name '*.ogg' \) -exec ln -sf {} corpora/audio/recordings/ \;
done
echo "audio corpus: $(find corpora/audio -name '*.wav' -o -name '*.oga' -o -name '*.ogg' | wc -l) files in corpora/audio"
