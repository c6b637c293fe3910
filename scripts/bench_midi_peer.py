#!/usr/bin/env python3
"""Peer side of `bench-midi`: parses the listed MIDI files with pretty_midi and symusic.

Pinned peers:
    pip install pretty_midi==0.2.11.post0 mido==1.3.3 symusic==0.6.0

Usage: bench_midi_peer.py FILE_LIST [REPEATS] [PRETTY_MIDI_FILES]
FILE_LIST holds one path per line. Prints one JSON object: for each peer, the best wall time in
seconds over REPEATS passes (pretty_midi: one pass, it is slow), the best CPU time of this process
(steadier than wall time on a shared machine), files read, files that failed, and notes found.
Each pass reads every file from its path, as Muse's benchmark does. pretty_midi reads only the
first PRETTY_MIDI_FILES files when given (it takes seconds per dense file).
"""
import importlib.metadata
import json
import sys
import time
import warnings

for package, pinned in [("pretty_midi", "0.2.11.post0"), ("mido", "1.3.3"), ("symusic", "0.6.0")]:
    found = importlib.metadata.version(package)
    assert found == pinned, f"{package} {found} installed, benchmark is pinned to {pinned}"

import pretty_midi  # noqa: E402
import symusic  # noqa: E402

warnings.simplefilter("ignore")


def run(name, load, count, paths, repeats):
    best, best_cpu, notes, failed = float("inf"), float("inf"), 0, 0
    for _ in range(repeats):
        notes, failed = 0, 0
        start, start_cpu = time.perf_counter(), time.process_time()
        for path in paths:
            try:
                notes += count(load(path))
            except Exception:  # a peer's own parse error: counted, not fatal
                failed += 1
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return {"seconds": best, "cpu_seconds": best_cpu, "files": len(paths) - failed, "failed": failed, "notes": notes}


def main():
    with open(sys.argv[1]) as fh:
        paths = [line.rstrip("\n") for line in fh if line.strip()]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    pretty_midi_files = int(sys.argv[3]) if len(sys.argv) > 3 and int(sys.argv[3]) > 0 else len(paths)
    result = {
        "symusic": run("symusic", symusic.Score, lambda s: sum(len(t.notes) for t in s.tracks), paths, repeats),
        "pretty_midi": run("pretty_midi", pretty_midi.PrettyMIDI, lambda p: sum(len(i.notes) for i in p.instruments),
                           paths[:pretty_midi_files], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
