#!/usr/bin/env bash
# Builds corpora/pictures/: the two CC BY 2.0 photographs scikit-learn's wheel carries
# (sklearn/datasets/images/china.jpg and flower.jpg, see that folder's README.txt for authors and
# licence), the demo's style-transfer content and style. The wheel is only downloaded
# (`pip download --no-deps`, pinned) and unzipped; scikit-learn is never installed or run, and the
# photographs are never committed. Idempotent: a built folder carries a .complete stamp.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.9.1
CACHE=corpora/.cache
DEST=corpora/pictures
STAMP="scikit-learn-${VERSION} recipe-1"
if [ -f "$DEST/.complete" ] && [ "$(cat "$DEST/.complete")" = "$STAMP" ]; then exit 0; fi

mkdir -p "$CACHE"
wheel=$(ls "$CACHE"/scikit_learn-"$VERSION"-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ]; then
  echo "pictures: downloading scikit-learn==$VERSION (one wheel, ~10 MB, PyPI) ..." >&2
  # One fixed wheel (any platform's wheel holds the same photographs).
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
    --python-version 3.11 --implementation cp --abi cp311 "scikit-learn==${VERSION}" -d "$CACHE"
  wheel=$(ls "$CACHE"/scikit_learn-"$VERSION"-*.whl | head -1)
fi
rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
unzip -q -o -j "$wheel" sklearn/datasets/images/china.jpg sklearn/datasets/images/flower.jpg \
  sklearn/datasets/images/README.txt -d "$DEST.tmp"
echo "$STAMP" > "$DEST.tmp/.complete"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
echo "pictures: $DEST/china.jpg, $DEST/flower.jpg (CC BY 2.0, from the scikit-learn $VERSION wheel)" >&2
