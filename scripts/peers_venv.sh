#!/usr/bin/env bash
# Makes the Python venv of the peers that fixture generators and benchmarks compare Muse with
# (scripts/peers-requirements.txt, plus FluidSynth and two GM SoundFonts from Debian), and prints
# the venv's python as its last line:
#   PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_dsp_fixtures.py
# The venv is .venv-peers/ at the repository root unless MUSE_PEERS_VENV names another folder.
# Installs only what is missing or not at its pinned version, so a second run takes well under a
# second. PyTorch is the CPU build: pip takes it from wherever it is configured to look, else from
# PyTorch's CPU index. The tests and CI never need any of this (the fixtures are committed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
requirements=$root/scripts/peers-requirements.txt
venv=${MUSE_PEERS_VENV:-$root/.venv-peers}
python=$venv/bin/python

# Debian peers: FluidSynth (the synthesizer's peer), the two fonts the synth fixtures render with,
# and the venv module when the system python lacks it.
debs=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
command -v fluidsynth >/dev/null || debs+=(fluidsynth)
for p in fluid-soundfont-gm timgm6mb-soundfont; do installed "$p" || debs+=("$p"); done
python3 -c "import ensurepip" 2>/dev/null || debs+=(python3-venv)
if [ ${#debs[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "peers_venv: need root (or sudo) to install: ${debs[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "peers_venv: installing ${debs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends "${debs[@]}" >&2
fi

# True when the venv has every pinned distribution at its pinned version; else says which is not.
pins_satisfied() {
  [ -x "$python" ] || { echo "no python in $venv" >&2; return 1; }
  "$python" - "$requirements" <<'PY'
import importlib.metadata as metadata, sys
for line in open(sys.argv[1]):
    name, _, version = line.split("#", 1)[0].strip().partition("==")
    if name:
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{name} is missing")
        if found != version:
            sys.exit(f"{name} is {found}, not {version}")
PY
}

if ! pins_satisfied 2>/dev/null; then
  echo "peers_venv: installing the pinned peers into $venv" >&2
  [ -x "$python" ] || python3 -m venv "$venv" >&2
  torch=$(grep -oE '^torch==[^[:space:]#]+' "$requirements")
  # Everything but PyTorch, with dependencies.
  "$python" -m pip install -q -r <(grep -vE '^torch==' "$requirements") >&2
  # PyTorch alone, without dependencies (they are pinned in the file).
  "$python" -m pip install -q --no-deps "$torch" >&2 ||
    "$python" -m pip install -q --no-deps --index-url https://download.pytorch.org/whl/cpu "$torch" >&2
  if ! reason=$(pins_satisfied 2>&1); then
    echo "peers_venv: $venv is still not as pinned: $reason" >&2
    exit 1
  fi
fi
echo "$python"
