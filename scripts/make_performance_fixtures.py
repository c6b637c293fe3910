#!/usr/bin/env python3
"""Performance events (Performance RNN / Music Transformer) from note_seq's own functions, for
Tests/MuseEncodingTests/PerformanceEncodingTests.swift.

Pinned peers (asserted below):
    pip install note-seq==0.0.5 pretty_midi==0.2.11.post0 mido==1.3.3
(note-seq 0.0.5 installs without TensorFlow; a warning about ffmpeg is harmless.)

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_performance_fixtures.py

What it writes under Tests/MuseEncodingTests/Fixtures/performance/:

- `*.mid`: small MIDI files written here with mido (humanised piano with sustain pedal, a band with
  drums, long rests and out-of-piano-range pitches, dense chords), plus four pieces copied from
  MuseMIDI's own fixtures.
- `midi_cases.json`: for each file, note_seq's reading (`midi_file_to_note_sequence`), then for
  each pipeline variant the notes after sustain, the events of `performance_lib.Performance`, the
  class indices of `PerformanceOneHotEncoding` and `Performance.to_sequence()` of the indices.
- `sequence_cases.json`: hand-made NoteSequences (edge cases of ordering, quantization, sustain,
  long rests) through the same functions, and hand-made index lists through `to_sequence`.
- `bach_hashes.json`: for every chorale of corpora/bach (built by scripts/build_corpora.sh), the
  64-bit FNV-1a digest of the MIDI file and of note_seq's class indices. The chorales' encodings may not be
  committed (see corpora/README.md), so only their digests are; the Swift test skips a chorale
  whose MIDI bytes differ.

The pipeline is the one of Magenta's performance models: optional drum removal (note_seq itself
keeps drum notes in a Performance; Muse removes them by default, and the `with_drums` variant
proves the unfiltered path too), for the piano encoding removal of pitches outside 21...108 (as
score2perf's `filter_invalid_notes`), `apply_sustain_control_changes`,
`quantize_note_sequence_absolute(ns, 100)`, `Performance(q, num_velocity_bins=32,
max_shift_steps=100)` over all instruments merged, `PerformanceOneHotEncoding`.
"""
import importlib.metadata
import json
import os
import random
import shutil
import sys
import warnings

warnings.filterwarnings("ignore")
import mido  # noqa: E402
import note_seq  # noqa: E402
from note_seq import performance_lib, sequences_lib  # noqa: E402
from note_seq.performance_encoder_decoder import PerformanceOneHotEncoding  # noqa: E402
from note_seq.performance_lib import PerformanceEvent  # noqa: E402
from note_seq.protobuf import music_pb2  # noqa: E402

for package, pinned in [("note-seq", "0.0.5"), ("pretty_midi", "0.2.11.post0"), ("mido", "1.3.3")]:
    found = importlib.metadata.version(package)
    assert found == pinned, f"{package} {found} installed, fixtures are pinned to {pinned}"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "MuseEncodingTests", "Fixtures", "performance")
MIDI_FIXTURES = os.path.join(ROOT, "Tests", "MuseMIDITests", "Fixtures", "midi")
BACH = os.path.join(ROOT, "corpora", "bach")

STEPS_PER_SECOND = 100
MAX_SHIFT_STEPS = 100
VELOCITY_BINS = 32
TYPE_NAMES = {PerformanceEvent.NOTE_ON: "NOTE_ON", PerformanceEvent.NOTE_OFF: "NOTE_OFF",
              PerformanceEvent.TIME_SHIFT: "TIME_SHIFT", PerformanceEvent.VELOCITY: "VELOCITY"}
VARIANTS = {
    # name: (drop drums, min pitch, max pitch)
    "performance": (True, 0, 127),
    "piano": (True, 21, 108),
    "with_drums": (False, 0, 127),
}


# ----------------------------------------------------------------------------------------------
# The pipeline, in note_seq's functions.

def encoding(min_pitch, max_pitch):
    return PerformanceOneHotEncoding(num_velocity_bins=VELOCITY_BINS, max_shift_steps=MAX_SHIFT_STEPS,
                                     min_pitch=min_pitch, max_pitch=max_pitch)


def prepare(ns, drop_drums, min_pitch, max_pitch):
    """Drum and pitch-range filtering, then sustain: the sequence Performance is made from."""
    ns = music_pb2.NoteSequence.FromString(ns.SerializeToString())
    keep = [n for n in ns.notes if not (drop_drums and n.is_drum) and min_pitch <= n.pitch <= max_pitch]
    if len(keep) < len(ns.notes):
        kept = [music_pb2.NoteSequence.Note.FromString(n.SerializeToString()) for n in keep]
        del ns.notes[:]
        ns.notes.extend(kept)
    return sequences_lib.apply_sustain_control_changes(ns)


def performance_of(ns, variant):
    drop_drums, lo, hi = VARIANTS[variant]
    sustained = prepare(ns, drop_drums, lo, hi)
    quantized = sequences_lib.quantize_note_sequence_absolute(sustained, STEPS_PER_SECOND)
    performance = performance_lib.Performance(quantized, num_velocity_bins=VELOCITY_BINS,
                                              max_shift_steps=MAX_SHIFT_STEPS)
    return sustained, quantized, performance


def decode(indices, lo, hi):
    """note_seq's decoding of class indices: a fresh Performance, then to_sequence()."""
    enc = encoding(lo, hi)
    performance = performance_lib.Performance(steps_per_second=STEPS_PER_SECOND, num_velocity_bins=VELOCITY_BINS,
                                              max_shift_steps=MAX_SHIFT_STEPS)
    for i in indices:
        performance.append(enc.decode_event(i))
    return performance.to_sequence()


def notes_json(ns, quantized=False):
    out = []
    for n in ns.notes:
        row = [n.pitch, n.velocity, n.start_time, n.end_time, n.instrument, n.program, n.is_drum]
        if quantized:
            row += [n.quantized_start_step, n.quantized_end_step]
        out.append(row)
    return out


def events_json(performance):
    return [[TYPE_NAMES[e.event_type], e.event_value] for e in performance]


def variant_json(ns, variant, with_events=True):
    """Everything note_seq computes on the way. Files leave out the event names (`with_events`
    False): the indices pin them, since the tables test pins every index's event."""
    _, lo, hi = VARIANTS[variant]
    sustained, quantized, performance = performance_of(ns, variant)
    indices = [encoding(lo, hi).encode_event(e) for e in performance]
    decoded = decode(indices, lo, hi)
    out = {
        "sustained_notes": notes_json(sustained),
        "sustained_total_time": sustained.total_time,
        "quantized_notes": [[n.quantized_start_step, n.quantized_end_step] for n in quantized.notes],
        "total_quantized_steps": quantized.total_quantized_steps,
        "indices": indices,
        # Performance's program and is_drum (None when mixed), used by to_sequence(program=None).
        "program": performance.program, "is_drum": performance.is_drum,
        "decoded": {"notes": notes_json(decoded), "total_time": decoded.total_time},
    }
    if with_events:
        out["events"] = events_json(performance)
    return out


# ----------------------------------------------------------------------------------------------
# Small MIDI files (humanised, so times fall between the 10 ms steps).

M = mido.Message
MM = mido.MetaMessage


def absolute_track(events, name=None):
    """A MidiTrack from (absolute tick, message) pairs (stable order at equal ticks)."""
    t = mido.MidiTrack()
    if name is not None:
        t.append(MM("track_name", name=name, time=0))
    now = 0
    for tick, msg in sorted(events, key=lambda e: e[0]):
        t.append(msg.copy(time=tick - now))
        now = tick
    return t


def write_midi(path, tracks, ticks_per_beat=480, bpm=None):
    f = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    conductor = [] if bpm is None else [(0, MM("set_tempo", tempo=mido.bpm2tempo(bpm)))]
    f.tracks.append(absolute_track(conductor + [(0, MM("time_signature", numerator=4, denominator=4))]))
    f.tracks.extend(tracks)
    f.save(path)


def note(events, start, length, pitch, velocity, channel=0):
    start = max(start, 0)
    events.append((start, M("note_on", note=pitch, velocity=velocity, channel=channel)))
    events.append((start + max(length, 0), M("note_off", note=pitch, velocity=0, channel=channel)))


def cc(events, tick, value, control=64, channel=0):
    events.append((tick, M("control_change", control=control, value=value, channel=channel)))


def pedal_piano(path):
    """Eight bars of arpeggiated chords under a melody, pedalled each bar (values 127/100/64 down,
    0/30/63 up), with jittered timing, re-struck notes inside the pedal and a pedal held to the end."""
    rng = random.Random(14)
    events = []
    chords = [[48, 55, 64, 67], [45, 52, 60, 64], [41, 48, 57, 60], [43, 50, 59, 62]] * 2
    beat = 480
    for bar, chord in enumerate(chords):
        t0 = bar * 4 * beat
        jit = lambda: rng.randint(-18, 18)  # noqa: E731
        cc(events, max(t0 + 20 + jit(), 0), [127, 100, 64][bar % 3])
        for k, pitch in enumerate(chord):  # left-hand arpeggio, short notes held by the pedal
            note(events, max(t0 + k * beat // 2 + jit(), 0), 200 + jit(), pitch, rng.randint(35, 80))
        for k in range(4):  # melody
            pitch = chord[-1] + 12 + [0, 2, 4, 2][(k + bar) % 4]
            note(events, t0 + k * beat + jit(), beat - 60 + jit(), pitch, rng.randint(60, 112))
        if bar % 2 == 1:  # re-strike a bass note inside the pedal
            note(events, t0 + 3 * beat + 240 + jit(), 120, chord[0], rng.randint(40, 70))
        if bar < len(chords) - 1:
            cc(events, t0 + 4 * beat - 10 + jit(), [0, 30, 63][bar % 3])
    cc(events, len(chords) * 4 * beat + 100, 127)  # pedal pressed after the last note, never released
    write_midi(path, [absolute_track(events, name="Piano")], bpm=92)


def band_with_drums(path):
    """Piano (pedalled), bass and a drum kit (with a stray pedal CC on the drum channel) over four bars."""
    rng = random.Random(7)
    piano, bass, drums = [], [], []
    beat = 480
    piano.append((0, M("program_change", program=0, channel=0)))
    bass.append((0, M("program_change", program=33, channel=1)))
    cc(drums, 0, 127, channel=9)
    for bar in range(4):
        t0 = bar * 4 * beat
        root = [40, 45, 43, 38][bar]
        cc(piano, t0 + 5, 127)
        for k in range(4):
            for p in (root + 24, root + 28, root + 31):
                note(piano, t0 + k * beat + rng.randint(0, 12), 180, p, rng.randint(50, 90))
            note(bass, t0 + k * beat + rng.randint(-5, 5), beat - 30, root + (7 if k % 2 else 0), rng.randint(70, 100), channel=1)
            note(drums, t0 + k * beat, 60, 42, rng.randint(60, 90), channel=9)
            note(drums, t0 + k * beat + 240, 60, 42, rng.randint(40, 70), channel=9)
            note(drums, t0 + k * beat, 90, 36 if k % 2 == 0 else 38, rng.randint(90, 120), channel=9)
        cc(piano, t0 + 4 * beat - 3, 0)
    write_midi(path, [absolute_track(piano, name="Piano"), absolute_track(bass, name="Bass"),
                      absolute_track(drums, name="Drums")], bpm=118)


def long_rests(path):
    """Rests longer than one time shift (1.00 s exactly, 2.37 s, 3.005 s), a tempo change, and
    pitches below and above the piano's 21...108."""
    beat = 480  # 120 qpm: 960 ticks per second until the tempo change
    events = []
    note(events, 0, 240, 60, 80)
    note(events, 240 + 960, 240, 62, 80)                 # 1.00 s rest
    note(events, 240 + 960 + 240 + 2275, 100, 12, 60)    # 2.37 s rest, pitch 12 (below the piano)
    note(events, 240 + 960 + 240 + 2275, 480, 64, 127)
    note(events, 5000, 300, 115, 1)                      # above the piano, velocity 1
    note(events, 5000 + 300 + 2885, 480, 21, 33)        # 3.005 s rest, lowest piano key
    note(events, 9000, 500, 108, 64)                     # highest piano key
    f = mido.MidiFile(type=1, ticks_per_beat=beat)
    f.tracks.append(absolute_track([(0, MM("set_tempo", tempo=500000)), (8500, MM("set_tempo", tempo=650000))]))
    f.tracks.append(absolute_track(events, name="Rests"))
    f.save(path)


def dense_chords(path):
    """Block chords with one shared onset and staggered releases, very short notes (< 5 ms), one
    pitch on two channels at once, and notes a few milliseconds apart that share a step."""
    rng = random.Random(3)
    events, second = [], []
    beat = 480
    for k in range(12):
        t0 = k * beat
        chord = [57 + (k * 5) % 12 + d for d in (0, 4, 7, 12, 16)]
        vel = rng.randint(20, 120)
        for j, p in enumerate(chord):
            note(events, t0 + (j % 2) * 3, beat - 40 * j, p, min(127, vel + 9 * j))
        note(events, t0 + 200, 2, 96, 90)  # 2 ticks ~ 2 ms: quantizes to zero length, lengthened to 1 step
        note(second, t0 + 1, beat // 2, chord[0], 70, channel=1)  # same pitch, other part
    write_midi(path, [absolute_track(events, name="Chords"), absolute_track(second, name="Doubling")], bpm=120)


def make_midi_files():
    os.makedirs(OUT, exist_ok=True)
    made = {"pedal_piano": pedal_piano, "band_with_drums": band_with_drums, "long_rests": long_rests,
            "dense_chords": dense_chords}
    for name, fn in made.items():
        fn(os.path.join(OUT, name + ".mid"))
    copied = ["piece_piano_pedal", "piece_band", "piece_quartet", "overlapping_same_pitch"]
    for name in copied:
        shutil.copyfile(os.path.join(MIDI_FIXTURES, name + ".mid"), os.path.join(OUT, name + ".mid"))
    return list(made) + copied


def midi_cases(names):
    cases = []
    for name in names:
        ns = note_seq.midi_file_to_note_sequence(os.path.join(OUT, name + ".mid"))
        has_drums = any(n.is_drum for n in ns.notes)
        case = {"name": name, "notes": notes_json(ns), "variants": {}}
        for variant in VARIANTS:
            if variant == "with_drums" and not has_drums:
                continue
            case["variants"][variant] = variant_json(ns, variant, with_events=False)
        piano, full = case["variants"]["piano"], case["variants"]["performance"]
        if piano["sustained_notes"] == full["sustained_notes"]:
            # Same notes: only the indices differ (by the pitch offsets); keep just those.
            case["variants"]["piano"] = {"indices": piano["indices"], "same_notes_as": "performance"}
        cases.append(case)
    return cases


# ----------------------------------------------------------------------------------------------
# Hand-made NoteSequences: each note (pitch, velocity, start s, end s, instrument, is_drum),
# control changes (time s, number, value, instrument).

def seq(notes, ccs=()):
    ns = music_pb2.NoteSequence()
    for pitch, velocity, start, end, instrument, is_drum in notes:
        n = ns.notes.add(pitch=pitch, velocity=velocity, start_time=start, end_time=end,
                         instrument=instrument, program=0, is_drum=is_drum)
        ns.total_time = max(ns.total_time, n.end_time)
    for time, number, value, instrument in ccs:
        ns.control_changes.add(time=time, control_number=number, control_value=value, instrument=instrument)
    return ns


def sequence_cases():
    N = lambda p, v, s, e, i=0, d=False: (p, v, s, e, i, d)  # noqa: E731
    C = lambda t, v, i=0, n=64: (t, n, v, i)  # noqa: E731
    raw = {
        "empty": ([], []),
        "chord_velocities_and_pitch_order": ([N(67, 90, 0.0, 0.5), N(60, 40, 0.0, 0.5), N(64, 40, 0.0, 0.25),
                                              N(72, 127, 0.0, 1.0)], []),
        # Same step, but start times differ by 3 ms: sorted by start time first, then pitch.
        "same_step_sorted_by_start_time": ([N(70, 80, 0.101, 0.3), N(60, 80, 0.104, 0.3), N(65, 81, 0.101, 0.2)], []),
        # An offset and an onset on one step: ordered by note index, not by kind.
        "offset_and_onset_share_a_step": ([N(60, 80, 0.0, 0.5), N(62, 80, 0.5, 1.0), N(59, 80, 0.3, 0.5),
                                           N(61, 80, 0.5, 0.5 + 1e-9)], []),
        "zero_and_sub_step_lengths": ([N(60, 80, 0.2, 0.2), N(62, 80, 0.101, 0.104), N(64, 80, 0.3, 0.305),
                                       N(65, 80, 0.304, 0.3049)], []),
        "rounding_half_steps": ([N(60, 80, 0.005, 0.015), N(61, 80, 0.0149999, 0.025000001), N(62, 80, 1.115, 1.125)], []),
        "long_rests": ([N(60, 64, 0.0, 0.1), N(61, 64, 1.1, 1.2), N(62, 64, 3.2, 3.3), N(63, 64, 5.31, 5.32),
                        N(64, 64, 6.32, 8.57)], []),
        "first_note_late": ([N(60, 100, 2.5, 2.75)], []),
        "velocity_bins_edges": ([N(60, v, 0.01 * k, 0.01 * k + 0.5) for k, v in enumerate([1, 4, 5, 8, 9, 124, 125, 126, 127, 100])], []),
        "identical_notes": ([N(60, 80, 0.0, 0.5), N(60, 80, 0.0, 0.5), N(64, 80, 0.25, 0.5)], []),
        "same_pitch_overlaps": ([N(60, 80, 0.0, 1.0), N(60, 90, 0.5, 0.75), N(60, 100, 0.6, 1.5)], []),
        "instruments_merged": ([N(60, 80, 0.0, 0.5, 0), N(60, 50, 0.25, 0.75, 1), N(48, 70, 0.1, 0.9, 2)], []),
        "sustain_extends_to_pedal_up": ([N(60, 80, 0.1, 0.3), N(64, 80, 0.2, 0.4), N(67, 80, 1.0, 1.2)],
                                        [C(0.05, 127), C(0.8, 0)]),
        "sustain_restrike_ends_previous": ([N(60, 80, 0.1, 0.2), N(60, 90, 0.5, 0.6), N(62, 80, 0.55, 0.65)],
                                           [C(0.0, 100), C(1.0, 10)]),
        "sustain_restrike_same_start_removes": ([N(60, 80, 0.1, 0.2), N(60, 90, 0.1, 0.3), N(64, 80, 0.1, 0.15)],
                                                [C(0.0, 127), C(0.9, 0)]),
        "sustain_threshold_63_64": ([N(60, 80, 0.1, 0.2), N(62, 80, 0.5, 0.6), N(64, 80, 1.0, 1.1)],
                                    [C(0.0, 63), C(0.4, 64), C(0.7, 63), C(0.9, 64), C(1.5, 0)]),
        "sustain_never_released": ([N(60, 80, 0.1, 0.2), N(64, 80, 0.3, 0.5)], [C(0.0, 127), C(0.25, 0, 1), C(0.6, 30, 2)]),
        "sustain_events_at_note_times": ([N(60, 80, 0.2, 0.4), N(62, 80, 0.4, 0.6), N(64, 80, 0.6, 0.8)],
                                         [C(0.4, 127), C(0.6, 0), C(0.6, 127), C(0.2, 0)]),
        "sustain_per_instrument": ([N(60, 80, 0.1, 0.2, 0), N(60, 80, 0.1, 0.2, 1), N(72, 80, 0.3, 0.4, 1)],
                                   [C(0.0, 127, 1), C(1.0, 0, 1), C(0.0, 127, 0, 67)]),
        "sustain_skips_drums": ([N(36, 100, 0.1, 0.15, 9, True), N(60, 80, 0.1, 0.2, 0)],
                                [C(0.0, 127, 9), C(0.0, 127, 0), C(2.0, 0, 0), C(2.0, 0, 9)]),
        "pedal_down_while_note_sounds": ([N(60, 80, 0.0, 0.5), N(67, 80, 0.6, 0.7)], [C(0.3, 127), C(1.2, 0)]),
    }
    cases = []
    for name, (notes, ccs) in raw.items():
        ns = seq(notes, ccs)
        case = {"name": name, "notes": [list(n) for n in notes], "control_changes": [list(c) for c in ccs],
                "variants": {}}
        for variant in ("performance", "with_drums") if any(n[5] for n in notes) else ("performance",):
            case["variants"][variant] = variant_json(ns, variant)
        cases.append(case)

    # Index lists through to_sequence (decoding), including malformed ones a sampler may produce.
    enc = encoding(0, 127)
    on, off = (lambda p: p), (lambda p: 128 + p)
    shift = lambda s: 256 + s - 1  # noqa: E731
    vel = lambda b: 356 + b - 1  # noqa: E731
    decode_raw = {
        "no_velocity_event_uses_100": [on(60), shift(50), off(60)],
        "velocity_changes": [vel(10), on(60), vel(32), on(64), shift(25), off(60), off(64), vel(1), on(67), shift(100), off(67)],
        "off_without_on_is_ignored": [off(61), on(60), shift(10), off(62), off(60), shift(5), on(61), shift(5), off(61)],
        "zero_duration_is_dropped": [on(60), off(60), shift(3), on(62), shift(3), off(62)],
        "same_pitch_twice_first_in_first_out": [on(60), shift(10), vel(20), on(60), shift(10), off(60), shift(10), off(60)],
        "unclosed_notes_end_at_last_step": [on(72), shift(10), on(60), on(72), shift(20), on(65), off(60), shift(7)],
        "unclosed_zero_length_dropped": [on(60), shift(10), on(62)],
        "only_shifts": [shift(100), shift(1)],
    }
    decode_cases = []
    for name, indices in decode_raw.items():
        events = [enc.decode_event(i) for i in indices]
        decoded = decode(indices, 0, 127)
        decode_cases.append({"name": name, "indices": indices,
                             "events": [[TYPE_NAMES[e.event_type], e.event_value] for e in events],
                             "notes": notes_json(decoded), "total_time": decoded.total_time})

    # The encodings' tables: every class index decoded, for both pitch ranges.
    tables = {}
    for variant, lo, hi in (("performance", 0, 127), ("piano", 21, 108)):
        e = encoding(lo, hi)
        tables[variant] = {"num_classes": e.num_classes,
                           "events": [[TYPE_NAMES[ev.event_type], ev.event_value]
                                      for ev in (e.decode_event(i) for i in range(e.num_classes))]}
    return {"sequences": cases, "decodes": decode_cases, "tables": tables}


# ----------------------------------------------------------------------------------------------

def fnv1a64(data):
    """64-bit FNV-1a of bytes, as 16 hex digits (the Swift test computes the same)."""
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def bach_hashes():
    if not os.path.isdir(BACH):
        print(f"{BACH} not built: skipping bach_hashes.json (scripts/build_corpora.sh bach)", file=sys.stderr)
        return None
    rows = []
    for name in sorted(f for f in os.listdir(BACH) if f.endswith(".mid")):
        path = os.path.join(BACH, name)
        with open(path, "rb") as fh:
            midi_hash = fnv1a64(fh.read())
        ns = note_seq.midi_file_to_note_sequence(path)
        row = {"file": name, "midi_fnv1a64": midi_hash}
        for variant in ("performance", "piano"):
            _, lo, hi = VARIANTS[variant]
            _, _, performance = performance_of(ns, variant)
            indices = [encoding(lo, hi).encode_event(e) for e in performance]
            row[variant] = {"count": len(indices),
                            "fnv1a64": fnv1a64(",".join(map(str, indices)).encode())}
        rows.append(row)
    return {"note": "64-bit FNV-1a of the MIDI bytes, and of note_seq's class indices joined by ',' (ASCII)", "chorales": rows}


def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
        fh.write("\n")


def main():
    names = make_midi_files()
    dump("midi_cases.json", {"steps_per_second": STEPS_PER_SECOND, "max_shift_steps": MAX_SHIFT_STEPS,
                             "num_velocity_bins": VELOCITY_BINS, "cases": midi_cases(names)})
    dump("sequence_cases.json", sequence_cases())
    hashes = bach_hashes()
    if hashes is not None:
        dump("bach_hashes.json", hashes)
    for f in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, f)):>8}  {f}")


if __name__ == "__main__":
    main()
