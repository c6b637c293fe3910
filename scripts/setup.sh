#!/usr/bin/env bash
# Installs the Debian packages Muse needs, only those that are missing, without prompts.
# Safe to run again: a second run with everything present takes about a second.
#   scripts/setup.sh            system packages
#   scripts/setup.sh kjv        and bible-kjv, for the opt-in King James corpus
# Runs as root (CI, containers) or through sudo when available.
set -euo pipefail

PACKAGES=(
  libsndfile1-dev      # MuseAudio: WAV/FLAC/OGG read and write
  libvorbis-dev        # MuseAudio: Ogg Vorbis headers checked before libsndfile opens them (also a libsndfile1-dev dependency)
  libsoxr-dev          # MuseAudio: resampling as librosa's default (soxr "HQ")
  libsamplerate0-dev   # MuseAudio: libsamplerate's resampling qualities
  libfftw3-dev         # MuseDSP: FFT plans (single precision fftwf_)
  libasound2-dev       # MuseAudio: ALSA playback
  libopenblas-dev      # MuseCore: cblas_sgemm
  libpng-dev           # MuseDSP, MuseImage: PNG pictures (libpng's simplified API)
  zlib1g-dev           # MuseImage: gzip-compressed IDX files
  libopenmpi-dev       # MuseTraining: data-parallel training over Open MPI (MPI_Allreduce)
  openmpi-bin          # mpirun, to start `muse train` on several processes or machines
  libturbojpeg0-dev    # MuseImage: JPEG decoding through libjpeg-turbo's TurboJPEG API
  dataset-fashion-mnist # MuseImage: Fashion-MNIST (MIT), /usr/share/datasets/fashion-mnist
  fluid-soundfont-gm   # MuseSynth: FluidR3_GM.sf2, the default SoundFont
  abcmidi              # scripts/build_corpora.sh: abc2midi turns the folk ABC books into MIDI
  unzip                # scripts/build_corpora.sh: the corpus wheel is a zip
  python3-pip          # scripts/build_corpora.sh: `pip download` of the pinned corpus wheel (nothing is installed)
  fortunes-zh          # scripts/build_text_corpora.sh: the 300 Tang poems (tang300)
  chromium             # Tests/MuseStudioTests only: headless browser test of `muse studio` (never used by muse itself)
)
for extra in "$@"; do
  case "$extra" in
    kjv) PACKAGES+=(bible-kjv) ;;  # scripts/build_text_corpora.sh kjv: the King James Bible
    *) echo "setup: unknown option '$extra' (known: kjv)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
