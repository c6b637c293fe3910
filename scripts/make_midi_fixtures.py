#!/usr/bin/env python3
"""Writes small Standard MIDI Files and pretty_midi's reading of them for MuseMIDI's tests.

Pinned peers (assert below):
    pip install pretty_midi==0.2.11.post0 mido==1.3.3

Every .mid in Tests/MuseMIDITests/Fixtures/midi/ is built here with mido (a few byte-patched for
things mido cannot write: unknown chunks, SMPTE division, bad data); each readable one gets a
.json beside it with what pretty_midi makes of it: resolution, tempo changes, time and key
signatures, and per instrument its program, drum flag, name, notes (pitch, velocity, start, end),
control changes and pitch bends, in pretty_midi's own order.

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_midi_fixtures.py
"""
import importlib.metadata
import json
import os
import random
import struct

import mido
import pretty_midi

for package, pinned in [("mido", "1.3.3"), ("pretty_midi", "0.2.11.post0")]:
    found = importlib.metadata.version(package)
    assert found == pinned, f"{package} {found} installed, fixtures are pinned to {pinned}"

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "MuseMIDITests", "Fixtures", "midi")
M = mido.Message
MM = mido.MetaMessage


def track(*events, name=None):
    """A MidiTrack from (delta, message) pairs, end of track appended."""
    t = mido.MidiTrack()
    if name is not None:
        t.append(MM("track_name", name=name, time=0))
    for delta, msg in events:
        t.append(msg.copy(time=delta))
    return t


def midi(tracks, ticks_per_beat=480, type=1):
    f = mido.MidiFile(type=type, ticks_per_beat=ticks_per_beat)
    f.tracks.extend(tracks)
    return f


def on(note, vel=80, ch=0):
    return M("note_on", note=note, velocity=vel, channel=ch)


def off(note, ch=0, vel=0, as_note_on=False):
    if as_note_on:
        return M("note_on", note=note, velocity=0, channel=ch)
    return M("note_off", note=note, velocity=vel, channel=ch)


def tempo(bpm):
    return MM("set_tempo", tempo=mido.bpm2tempo(bpm))


def conductor(*events):
    return track(*events)


def cases():
    files = {}
    # 1. Format 0, one channel, all basic metas.
    files["format0_simple"] = midi([track(
        (0, tempo(100)), (0, MM("time_signature", numerator=3, denominator=4)),
        (0, MM("key_signature", key="G")),
        (0, on(60)), (480, off(60)), (0, on(62, 90)), (240, off(62)), (0, on(64, 100)), (720, off(64)))], type=0)
    # 2. Format 1, conductor + two parts.
    files["format1_two_parts"] = midi([
        conductor((0, tempo(120)), (0, MM("time_signature", numerator=4, denominator=4))),
        track((0, M("program_change", program=40, channel=0)), (0, on(67)), (480, off(67)), (0, on(69)), (480, off(69)), name="Violin"),
        track((0, M("program_change", program=32, channel=1)), (0, on(43, ch=1)), (960, off(43, ch=1)), name="Bass")])
    # 3. Note-on velocity 0 as note-off, with running status throughout.
    files["velocity_zero_off"] = midi([conductor(), track(
        (0, on(60)), (0, on(64)), (0, on(67)), (480, off(60, as_note_on=True)), (0, off(64, as_note_on=True)),
        (0, off(67, as_note_on=True)), (0, on(72)), (240, off(72, as_note_on=True)))])
    # 4. Tempo changes, a repeated tempo (ignored), two tempos at tick 0.
    files["tempo_changes"] = midi([
        conductor((0, tempo(90)), (0, tempo(140)), (960, tempo(60)), (480, tempo(60)), (480, tempo(133.3)),
                  (100, MM("set_tempo", tempo=123457))),
        track(*sum([[(0, on(60 + i % 12)), (170, off(60 + i % 12))] for i in range(21)], []))])
    # 5. Overlapping notes of one pitch: one note-off closes both.
    files["overlapping_same_pitch"] = midi([conductor(), track(
        (0, on(60, 70)), (240, on(60, 90)), (240, off(60)), (240, off(60)), (0, on(62)), (100, on(62, 50)),
        (0, off(62)), (100, off(62)))])
    # 6. Notes left open at the end of a track, and spurious note-offs.
    files["open_and_spurious"] = midi([conductor(), track(
        (0, off(50)), (0, on(60)), (480, off(60)), (0, on(62)), (0, on(64)), (480, off(64)), (100, off(70)))])
    # 7. Zero-length notes; note-off and note-on of one pitch on the same tick.
    files["zero_length"] = midi([conductor(), track(
        (0, on(60)), (0, off(60)), (240, on(62)), (240, off(62)), (0, on(62, 100)), (240, off(62)),
        (0, on(64)), (240, on(64, 30)), (0, off(64)), (240, off(64)))])
    # 8. Drums on channel 10 beside a pitched part on the same track.
    files["drums"] = midi([conductor((0, tempo(110))), track(
        (0, M("program_change", program=0, channel=9)), (0, on(36, 100, 9)), (0, on(42, 80, 9)), (0, on(48, 70, 0)),
        (240, off(36, 9)), (0, off(42, 9)), (0, on(38, 110, 9)), (240, off(38, 9)), (0, off(48, 0)), name="Kit")])
    # 9. Program change mid-track: the note's program is the one in force when it ends.
    files["program_change_midtrack"] = midi([conductor(), track(
        (0, M("program_change", program=5, channel=0)), (0, on(60)), (480, off(60)), (0, on(62)),
        (240, M("program_change", program=20, channel=0)), (240, off(62)), (0, on(64)), (480, off(64)),
        (0, M("program_change", program=5, channel=0)), (0, on(65)), (480, off(65)))])
    # 10. Control changes (sustain pedal) and pitch bends, before and after the first note.
    files["controls_and_bends"] = midi([conductor(), track(
        (0, M("control_change", control=7, value=100)), (0, M("pitchwheel", pitch=-8192)),
        (0, M("control_change", control=64, value=127)), (0, on(60)), (240, M("pitchwheel", pitch=4096)),
        (240, off(60)), (0, M("control_change", control=64, value=0)), (0, M("pitchwheel", pitch=8191)),
        (0, on(62)), (480, off(62)), (0, M("pitchwheel", pitch=0)))])
    # 11. Events waiting for a part ("stragglers") shared by two programs on one channel.
    files["straggler_sharing"] = midi([conductor(), track(
        (0, M("control_change", control=64, value=127)), (0, M("program_change", program=1)),
        (0, on(60)), (240, off(60)), (0, M("control_change", control=10, value=20)),
        (0, M("program_change", program=2)), (0, M("control_change", control=11, value=30)),
        (0, on(62)), (240, off(62)), (0, M("control_change", control=12, value=40)),
        (0, M("control_change", control=0, value=1, channel=3)), (0, M("pitchwheel", pitch=100, channel=3)))])
    # 12. Sysex, text, marker, copyright, sequencer-specific and other metas are skipped.
    files["sysex_and_metas"] = midi([conductor(
        (0, MM("copyright", text="(c) nobody")), (0, MM("text", text="hello")), (0, MM("marker", text="A")),
        (0, M("sysex", data=[0x7E, 0x7F, 0x09, 0x01])), (0, MM("sequencer_specific", data=[0, 0, 0x41, 1, 2])),
        (0, tempo(96))), track(
        (0, M("sysex", data=[0x41, 0x10, 0x42])), (0, on(60)), (240, MM("lyrics", text="la")),
        (0, M("sysex", data=list(range(100)))), (240, off(60)), (0, MM("cue_marker", text="cue")),
        (0, on(61)), (480, off(61)), name="Voice")])
    # 13. Format 2 (independent tracks) read like format 1.
    files["format2"] = midi([track((0, tempo(80)), (0, on(60)), (480, off(60))),
                             track((0, on(72)), (240, off(72)), (0, on(74)), (240, off(74)))], type=2)
    # 14. Tempo and signatures in a non-first track are ignored by pretty_midi.
    files["tempo_in_other_track"] = midi([conductor((0, tempo(100))), track(
        (0, tempo(200)), (0, MM("time_signature", numerator=6, denominator=8)), (0, on(60)), (480, off(60)),
        (0, MM("key_signature", key="Bbm")), (0, tempo(50)), (0, on(62)), (480, off(62)))])
    # 15. One track, several channels and programs (like a format-0 GM song).
    files["multichannel_one_track"] = midi([track(
        (0, tempo(128)), (0, M("program_change", program=0, channel=0)), (0, M("program_change", program=33, channel=1)),
        (0, M("program_change", program=48, channel=2)), (0, on(60, ch=0)), (0, on(36, ch=1)), (0, on(67, ch=2)),
        (480, off(60, ch=0)), (0, off(36, ch=1)), (0, on(62, ch=0)), (480, off(62, ch=0)), (0, off(67, ch=2)),
        (0, on(43, ch=1)), (480, off(43, ch=1)))], type=0)
    # 16. Long delta times needing 3- and 4-byte variable-length quantities.
    files["long_deltas"] = midi([conductor((0, tempo(120))), track(
        (0, on(60)), (20000, off(60)), (2_200_000, on(61)), (100, off(61)), (3_000_000, on(62)), (480, off(62)))],
        ticks_per_beat=96)
    # 17. High and low resolutions with tempo changes.
    files["ppq_960"] = midi([conductor((0, tempo(75)), (1440, tempo(150))), track(
        *sum([[(0, on(60 + i)), (333, off(60 + i))] for i in range(12)], []))], ticks_per_beat=960)
    files["ppq_24"] = midi([conductor((0, tempo(75)), (36, tempo(150)), (1, tempo(151))), track(
        *sum([[(0, on(60 + i)), (5, off(60 + i))] for i in range(12)], []))], ticks_per_beat=24)
    # 18. Key and time signature changes (minor, flats, sharps).
    files["signatures"] = midi([conductor(
        (0, MM("time_signature", numerator=6, denominator=8)), (0, MM("key_signature", key="Ebm")),
        (1440, MM("time_signature", numerator=2, denominator=2)), (0, MM("key_signature", key="F#")),
        (960, MM("key_signature", key="Cb")), (0, MM("time_signature", numerator=7, denominator=16)),
        (480, MM("key_signature", key="A#m")), (0, tempo(140))), track((0, on(60)), (3840, off(60)))])
    # 19. Track names set before and after the first note.
    files["track_names"] = midi([conductor(), track((0, on(60)), (100, off(60)), (0, MM("track_name", name="Late"))),
                                 track((0, MM("track_name", name="Früh")), (0, on(62)), (100, off(62)),
                                       (0, M("program_change", program=9)), (0, MM("track_name", name="Renamed")),
                                       (0, on(64)), (100, off(64)))])
    # 20-22. Pieces shaped like real music.
    for seed, name in [(1, "piece_quartet"), (2, "piece_band"), (3, "piece_piano_pedal")]:
        files[name] = music_like(seed, name)
    # 23-26. Seeded random event soup: dense same-tick collisions of every kind.
    for seed in range(1, 5):
        files[f"random_stress_{seed}"] = random_stress(seed)
    return files


def random_stress(seed):
    """Random tracks of notes (overlapping, zero-length, velocity-0 offs), program changes,
    control changes, pitch bends, names and metas on a few channels, many events per tick."""
    rng = random.Random(1000 + seed)
    tracks = []
    for index in range(rng.randint(1, 4)):
        events = []
        for _ in range(rng.randint(20, 160)):
            delta = rng.choice([0, 0, 0, 1, 5, 30, 120, 480])
            channel = rng.choice([0, 1, 9, 9, 15])
            pitch = rng.choice([60, 60, 61, 62, rng.randint(0, 127)])
            kind = rng.random()
            if kind < 0.35:
                msg = on(pitch, rng.randint(1, 127), channel)
            elif kind < 0.6:
                msg = off(pitch, channel, vel=rng.randint(0, 127), as_note_on=rng.random() < 0.5)
            elif kind < 0.68:
                msg = M("program_change", program=rng.randint(0, 127), channel=channel)
            elif kind < 0.78:
                msg = M("control_change", control=rng.choice([7, 10, 64, 64, 91]), value=rng.randint(0, 127), channel=channel)
            elif kind < 0.85:
                msg = M("pitchwheel", pitch=rng.randint(-8192, 8191), channel=channel)
            elif kind < 0.9:
                msg = MM("track_name", name=f"t{index}-{rng.randint(0, 99)}")
            elif kind < 0.95 and index == 0:
                msg = MM("set_tempo", tempo=rng.randint(200000, 1500000))
            elif kind < 0.97:
                msg = MM("time_signature", numerator=rng.randint(1, 12), denominator=rng.choice([2, 4, 8]))
            else:
                msg = MM("key_signature", key=rng.choice(["C", "Am", "Eb", "F#m", "Cb", "A#m"]))
            events.append((delta, msg))
        tracks.append(track(*events))
    return midi(tracks, ticks_per_beat=rng.choice([96, 220, 480, 1000]), type=1 if len(tracks) > 1 else 0)


def music_like(seed, name):
    rng = random.Random(seed)
    ppq = [480, 384, 220][seed - 1]
    cond = [(0, MM("time_signature", numerator=4, denominator=4)), (0, MM("key_signature", key=["D", "Bb", "Em"][seed - 1])),
            (0, tempo(96 + 10 * seed))]
    for bar in range(1, 8):
        cond.append((4 * ppq, tempo(96 + 10 * seed + rng.uniform(-15, 15))))
    tracks = [conductor(*cond)]
    parts = {1: [(40, 0, 72), (41, 1, 60), (42, 2, 50), (42, 3, 40)],
             2: [(25, 0, 64), (33, 1, 40), (0, 9, 36), (81, 2, 72)],
             3: [(0, 0, 60), (0, 1, 48)]}[seed]
    for program, channel, base in parts:
        abs_events = []
        t = 0
        if channel != 9:
            abs_events.append((0, 0, M("program_change", program=program, channel=channel)))
        while t < 32 * ppq:
            dur = rng.choice([ppq // 4, ppq // 2, ppq, ppq * 3 // 2]) if channel != 9 else ppq // 2
            chord = [base + rng.randint(-7, 12)] if channel != 9 else [rng.choice([36, 38, 42, 46])]
            if seed == 3 and channel == 0 and rng.random() < 0.3:
                chord.append(chord[0] + 4)
            vel = rng.randint(30, 120)
            for p in chord:
                abs_events.append((t, 2, on(p, vel, channel)))
                abs_events.append((t + dur - rng.randint(0, dur // 4), 1, off(p, channel, as_note_on=rng.random() < 0.5)))
            if seed == 3 and channel == 0 and rng.random() < 0.2:
                abs_events.append((t, 0, M("control_change", control=64, value=127, channel=channel)))
                abs_events.append((t + dur, 0, M("control_change", control=64, value=0, channel=channel)))
            if seed == 2 and channel == 2:
                abs_events.append((t + dur // 2, 0, M("pitchwheel", pitch=rng.randint(-8192, 8191), channel=channel)))
            t += dur
        abs_events.sort(key=lambda e: (e[0], e[1]))
        events, last = [], 0
        for when, _, msg in abs_events:
            events.append((when - last, msg))
            last = when
        tracks.append(track(*events, name=f"{name}-{channel}"))
    return midi(tracks, ticks_per_beat=ppq)


def expected(path):
    pm = pretty_midi.PrettyMIDI(path)
    times, qpms = pm.get_tempo_changes()
    return {
        "resolution": pm.resolution,
        "tempos": [[float(t), float(q)] for t, q in zip(times, qpms)],
        "time_signatures": [[ts.time, ts.numerator, ts.denominator] for ts in pm.time_signature_changes],
        "key_signatures": [[ks.time, ks.key_number] for ks in pm.key_signature_changes],
        "instruments": [{
            "program": int(i.program), "is_drum": bool(i.is_drum), "name": i.name,
            "notes": [[n.pitch, n.velocity, float(n.start), float(n.end)] for n in i.notes],
            "control_changes": [[c.number, c.value, float(c.time)] for c in i.control_changes],
            "pitch_bends": [[b.pitch, float(b.time)] for b in i.pitch_bends],
        } for i in pm.instruments],
    }


def insert_unknown_chunk(data):
    """Puts a vendor chunk between the header and the first track (mido cannot read this)."""
    header_end = 8 + struct.unpack(">L", data[4:8])[0]
    junk = b"XFIH" + struct.pack(">L", 5) + b"\x01\x02\x03\x04\x05"
    return data[:header_end] + junk + data[header_end:]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, f in sorted(cases().items()):
        path = os.path.join(OUT, name + ".mid")
        f.save(path)
        with open(os.path.join(OUT, name + ".json"), "w") as out:
            json.dump(expected(path), out, indent=1)
    # Unknown chunk: expected values are those of the file without it.
    src = os.path.join(OUT, "format1_two_parts.mid")
    with open(src, "rb") as fh:
        data = fh.read()
    with open(os.path.join(OUT, "unknown_chunk.mid"), "wb") as fh:
        fh.write(insert_unknown_chunk(data))
    with open(os.path.join(OUT, "unknown_chunk.json"), "w") as out:
        json.dump(expected(src), out, indent=1)
    print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
