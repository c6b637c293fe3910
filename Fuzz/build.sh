#!/bin/sh
# Builds the libFuzzer targets in Fuzz/Targets/ into .build-fuzz/.
#
# Each Muse module a target needs is compiled once (whole-module, -O, -enable-testing) with
# libFuzzer's coverage instrumentation and AddressSanitizer; each Fuzz/Targets/<name>.swift (one
# `@_cdecl("LLVMFuzzerTestOneInput")` function, -parse-as-library) is then linked against those
# objects and libFuzzer's main. SwiftPM is not used: its products would also need a `main`, and
# one sanitizer flag would rebuild the whole package.
#
# Usage: Fuzz/build.sh [target ...]   (default: every target)
set -eu
cd "$(dirname "$0")/.."
OUT=.build-fuzz
SWIFTC=${SWIFTC:-swiftc}
CLANG=${CLANG:-clang}
mkdir -p "$OUT"
FLAGS="-O -sanitize=fuzzer,address -parse-as-library -enable-testing -enforce-exclusivity=unchecked -swift-version 5 -I $OUT"
for c in Sources/C*/; do FLAGS="$FLAGS -I $c"; [ -d "${c}include" ] && FLAGS="$FLAGS -I ${c}include"; done
# MuseTraining imports CMPI (Open MPI's headers and library live outside the default paths).
for f in $(pkg-config --cflags-only-I ompi-c 2>/dev/null); do FLAGS="$FLAGS -Xcc $f"; done
for f in $(pkg-config --libs-only-L ompi-c 2>/dev/null); do FLAGS="$FLAGS $f"; done

# module NAME DEPENDENCY... : compile Sources/NAME into $OUT/NAME.o + NAME.swiftmodule when stale.
module() {
    name=$1; shift
    for dep in "$@"; do module_once "$dep"; done
    sources=$(find "Sources/$name" -name '*.swift' | sort)
    stale=no
    [ -f "$OUT/$name.o" ] || stale=yes
    [ $stale = no ] && [ -n "$(find "Sources/$name" -name '*.swift' -newer "$OUT/$name.o")" ] && stale=yes
    for dep in "$@"; do [ "$OUT/$dep.o" -nt "$OUT/$name.o" ] && stale=yes; done
    [ $stale = yes ] || return 0
    echo "fuzz: compiling $name" >&2
    # shellcheck disable=SC2086
    $SWIFTC $FLAGS -module-name "$name" -wmo -c $sources \
        -emit-module -emit-module-path "$OUT/$name.swiftmodule" -o "$OUT/$name.o"
}
# cmodule NAME : compile the C target Sources/NAME (its .c files, headers in include/) into one
# relocatable $OUT/NAME.o when stale, with the same instrumentation.
cmodule() {
    name=$1
    if [ -f "$OUT/$name.o" ] && [ -z "$(find "Sources/$name" -type f -newer "$OUT/$name.o")" ]; then return 0; fi
    echo "fuzz: compiling $name" >&2
    parts=""
    for source in Sources/"$name"/*.c; do
        part="$OUT/$name-$(basename "$source" .c).o"
        $CLANG -O2 -fsanitize=fuzzer-no-link,address -I "Sources/$name/include" -c "$source" -o "$part"
        parts="$parts $part"
    done
    ld -r -o "$OUT/$name.o" $parts
}
module_once() {
    case " ${DONE:-} " in *" $1 "*) return 0 ;; esac
    case $1 in
        MuseSupport) module MuseSupport ;;
        MuseMIDI) module MuseMIDI MuseSupport ;;
        MuseEncoding) module MuseEncoding MuseSupport MuseMIDI ;;
        MuseAudio) module MuseAudio MuseSupport ;;
        MuseSynth) module MuseSynth MuseSupport MuseMIDI MuseAudio ;;
        CMuseKernels) cmodule CMuseKernels ;;
        MuseCore) module MuseCore MuseSupport CMuseKernels ;;
        MuseTraining) module MuseTraining MuseSupport MuseCore ;;
        MuseText) module MuseText MuseSupport MuseCore MuseTraining ;;
        MuseImage) module MuseImage MuseSupport MuseCore MuseTraining ;;
        *) echo "fuzz: unknown module $1" >&2; exit 1 ;;
    esac
    DONE="${DONE:-} $1"
}
# The modules each target links, in dependency order (first line of each target file:
# `// fuzz-modules: A B C`).
modules_of() { sed -n 's|^// fuzz-modules: ||p' "Fuzz/Targets/$1.swift"; }

targets=${*:-$(ls Fuzz/Targets | sed 's/\.swift$//')}
for target in $targets; do
    mods=$(modules_of "$target")
    objects=""
    for m in $mods; do module_once "$m"; objects="$objects $OUT/$m.o"; done
    exe="$OUT/fuzz-$target"
    stale=yes
    if [ -f "$exe" ] && [ ! "Fuzz/Targets/$target.swift" -nt "$exe" ]; then
        stale=no
        for o in $objects; do [ "$o" -nt "$exe" ] && stale=yes; done
    fi
    [ $stale = no ] && continue
    echo "fuzz: linking $exe" >&2
    rm -f "$exe"
    # shellcheck disable=SC2086
    $SWIFTC $FLAGS -module-name "Fuzz_$target" "Fuzz/Targets/$target.swift" $objects -o "$exe" 2>&1 \
        | grep -v "Cannot export local symbol" >&2 || true
    [ -x "$exe" ] || { echo "fuzz: $exe failed to build" >&2; exit 1; }
done
