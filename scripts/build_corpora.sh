#!/usr/bin/env bash
# Builds the corpora of corpora/README.md into git-ignored folders corpora/<name>/: the MIDI ones
# here, the text ones through scripts/build_text_corpora.sh. The data's licences do not allow
# committing it, so the MIDI corpora are built from the pinned music21 wheel (only unzipped;
# music21 itself is never installed or run).
#
#   scripts/build_corpora.sh                 oneills ryans bach text (the defaults)
#   scripts/build_corpora.sh oneills essen   just these (essen is opt-in: non-commercial licence)
#   scripts/build_corpora.sh text kjv        the text corpora: text = shakespeare tang300; kjv is
#                                            opt-in (scripts/build_text_corpora.sh builds these)
#
# Idempotent: a corpus whose folder holds a .complete stamp for this recipe is left alone, so a
# second run takes well under a second. ABC books go through Debian's abc2midi (one .mid per tune);
# Bach chorales (MusicXML) go through `muse corpus import-musicxml`, so the muse binary must be
# built first (MUSE_BIN, default .build/release/muse).
set -euo pipefail
cd "$(dirname "$0")/.."

MUSIC21_VERSION=10.5.1
WHEEL=music21-${MUSIC21_VERSION}-py3-none-any.whl
CACHE=corpora/.cache
MUSE_BIN=${MUSE_BIN:-.build/release/muse}
JOBS=${JOBS:-$(nproc)}
STAMP="music21-${MUSIC21_VERSION} recipe-1"

corpora=("$@")
[ ${#corpora[@]} -gt 0 ] || corpora=(oneills ryans bach text)

# Text corpora go to their own builder; the MIDI ones stay here.
text=() midi=()
for c in "${corpora[@]}"; do
  case "$c" in
    text) text+=(shakespeare tang300) ;;
    shakespeare|tang300|kjv) text+=("$c") ;;
    *) midi+=("$c") ;;
  esac
done
[ ${#text[@]} -eq 0 ] || scripts/build_text_corpora.sh "${text[@]}"
corpora=("${midi[@]}")

done_already() { [ -f "corpora/$1/.complete" ] && [ "$(cat "corpora/$1/.complete")" = "$STAMP" ]; }

need=()
for c in "${corpora[@]}"; do done_already "$c" || need+=("$c"); done
[ ${#need[@]} -eq 0 ] && exit 0

mkdir -p "$CACHE"
if [ ! -f "$CACHE/$WHEEL" ]; then
  echo "corpora: downloading $WHEEL (20 MB, PyPI) ..." >&2
  python3 -m pip download -q --no-deps --only-binary=:all: "music21==${MUSIC21_VERSION}" -d "$CACHE"
fi

# abc_book NAME FOLDER-IN-WHEEL [EXCLUDE-REGEX]: every tune of every .abc file -> corpora/NAME/*.mid
abc_book() {
  local name=$1 folder=$2 exclude=${3:-'^$'}
  local dest="corpora/$name" tmp="corpora/.tmp-$name"
  rm -rf "$tmp" && mkdir -p "$tmp"
  unzip -q -o -j "$CACHE/$WHEEL" "music21/corpus/$folder/*.abc" -d "$tmp"
  (cd "$tmp" && ls *.abc | grep -Ev "$exclude" | while read -r f; do mv "$f" "${f%.abc}_.abc"; done)
  rm -f "$tmp"/*[^_].abc 2>/dev/null || true
  # abc2midi writes <stem>N.mid beside its input, N the tune's X: number; warnings are expected.
  (cd "$tmp" && ls *_.abc | xargs -P "$JOBS" -I{} abc2midi {} -silent >/dev/null 2>&1) || true
  rm -f "$tmp"/*.abc
  local n; n=$(ls "$tmp" | grep -c '\.mid$' || true)
  [ "$n" -gt 0 ] || { echo "corpora: abc2midi produced no MIDI for $name" >&2; exit 1; }
  rm -rf "$dest" && mv "$tmp" "$dest"
  echo "$STAMP" > "$dest/.complete"
  echo "corpora: $name: $n MIDI files" >&2
}

bach() {
  local dest=corpora/bach tmp=corpora/.tmp-bach
  [ -x "$MUSE_BIN" ] || { echo "corpora: bach needs the muse binary ($MUSE_BIN); run 'make build' first" >&2; exit 1; }
  rm -rf "$tmp" && mkdir -p "$tmp/xml" "$tmp/mid"
  unzip -q -o -j "$CACHE/$WHEEL" "music21/corpus/bach/*.mxl" -d "$tmp/mxl"
  # .mxl is a zip holding one score .xml (and META-INF/container.xml naming it).
  for f in "$tmp"/mxl/*.mxl; do
    b=$(basename "$f" .mxl)
    unzip -p "$f" -x 'META-INF/*' > "$tmp/xml/$b.xml"
  done
  "$MUSE_BIN" corpus import-musicxml "$tmp/xml" --output "$tmp/mid" >&2
  rm -rf "$dest" && mv "$tmp/mid" "$dest" && rm -rf "$tmp"
  echo "$STAMP" > "$dest/.complete"
  echo "corpora: bach: $(ls "$dest" | grep -c '\.mid$') MIDI files" >&2
}

for c in "${need[@]}"; do
  case "$c" in
    oneills) abc_book oneills oneills1850 ;;
    ryans)   abc_book ryans ryansMammoth ;;
    essen)   abc_book essen essenFolksong '^test' ;;
    bach)    bach ;;
    *) echo "corpora: unknown corpus '$c' (known: oneills ryans bach essen text shakespeare tang300 kjv)" >&2; exit 2 ;;
  esac
done
