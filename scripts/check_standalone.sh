#!/usr/bin/env bash
# Fails, printing file:line:text of each offence, when a tracked text file names something that
# exists only on one machine: the shared folder beside a checkout, a root, home or work folder, or
# Muse's cache folder. A clone must stand on its own; `make test` runs this before building.
#   scripts/check_standalone.sh
# Outside a git checkout (an unpacked archive) it checks every text file but build, venv and output
# folders. Binary files (MIDI, WAV, safetensors fixtures) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
# Written so that this file does not match itself.
pattern='\.\./shared|/(root|work|home)/|\.cache/mus[e]'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  hits=$(git grep -n -I -E "$pattern" || true)
else
  hits=$(grep -rnIE "$pattern" . --exclude-dir='.build*' --exclude-dir=.swiftpm --exclude-dir=.git \
           --exclude-dir=.venv-peers --exclude-dir=output --exclude-dir=runs | sed 's|^\./||' || true)
fi
if [ -n "$hits" ]; then
  echo "$hits"
  echo "check_standalone: $(echo "$hits" | wc -l) line(s) above name a path outside the repository or of one machine" >&2
  exit 1
fi
