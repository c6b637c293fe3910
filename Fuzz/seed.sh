#!/bin/sh
# Copies the fixture part of the fuzzers' seed corpora into Fuzz/corpus/<target>/ (the generated
# part comes from scripts/make_fuzz_seeds.py). Run once when fixtures change; the result is committed.
set -eu
cd "$(dirname "$0")/.."
C=Fuzz/corpus
mkdir -p $C/midi $C/musicxml $C/mxl $C/soundfont $C/audio $C/safetensors $C/npy $C/bundle $C/melodycache $C/idx $C/png $C/jpeg $C/vocab
for f in Tests/MuseMIDITests/Fixtures/midi/*.mid; do
    [ "$(wc -c < "$f")" -le 4096 ] && cp "$f" $C/midi/
done
cp Tests/MuseMIDITests/Fixtures/mxl/*.mxl $C/mxl/
cp Tests/MuseCoreTests/Fixtures/interop.safetensors $C/safetensors/
cp Tests/MuseTrainingTests/Fixtures/training.safetensors $C/safetensors/
cp Tests/MuseCoreTests/Fixtures/interop.npy $C/npy/
cp Tests/MuseImageTests/Fixtures/tiny_labels.npy $C/npy/
cp Tests/MuseImageTests/Fixtures/png_l_8.npy $C/npy/
cp Tests/MuseImageTests/Fixtures/tiny-images-idx3-ubyte $C/idx/
gzip -dc Tests/MuseImageTests/Fixtures/tiny-labels-idx1-ubyte.gz > $C/idx/tiny-labels-idx1-ubyte
cp Tests/MuseImageTests/Fixtures/*.png $C/png/
cp Tests/MuseImageTests/Fixtures/*.jpg $C/jpeg/
