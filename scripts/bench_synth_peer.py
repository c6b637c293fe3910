#!/usr/bin/env python3
"""Peer side of `bench-synth`: times FluidSynth rendering a MIDI file offline (`fluidsynth -ni -F`).

Pinned peer: fluidsynth 2.3.1 (Debian), run with the same settings as Muse: 44.1 kHz, gain 0.2,
polyphony 256, 4th-order interpolation (synth.interpolation is not a setting in 2.3; 4th order is
its default and what `interp 4` selects), reverb and chorus on or off as asked.

Usage: bench_synth_peer.py SF2 DENSE_MID EMPTY_MID REPEATS EFFECTS(0|1)
Prints JSON: best wall seconds for the dense file and for an empty file (start-up and font load,
subtracted to get the rendering time), and the rendered length in seconds.
"""
import json, os, subprocess, sys, tempfile, time, wave

sf2, dense, empty, repeats, effects = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
version = subprocess.run(["fluidsynth", "--version"], capture_output=True, text=True).stdout
assert "runtime version 2.3.1" in version, version


def run(mid):
    best, frames = float("inf"), 0
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.wav")
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run(["fluidsynth", "-ni", "-q", "-g", "0.2", "-r", "44100", "-R", effects, "-C", effects,
                            "-o", "synth.polyphony=256", "-F", out, sf2, mid],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - t)
            with wave.open(out) as w:
                frames = w.getnframes()
    return best, frames / 44100.0


dense_s, dense_len = run(dense)
empty_s, empty_len = run(empty)
print(json.dumps({"dense_seconds": dense_s, "dense_audio_seconds": dense_len,
                  "empty_seconds": empty_s, "empty_audio_seconds": empty_len}))
