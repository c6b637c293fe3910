#!/usr/bin/env python3
"""Expected melody extraction and encodings from Magenta's own code, for Tests/MuseEncodingTests.

Peers (pinned):  pip install note-seq==0.0.5 pretty_midi==0.2.11.post0 numpy
Magenta's melody pipeline lives in the `magenta` package, whose full install needs TensorFlow; its
`extract_melodies` uses TensorFlow only for logging, so this script downloads the pinned wheel
(`pip download magenta==2.1.4 --no-deps`), puts it on sys.path and gives it a stand-in `tensorflow`
module. Every number in the fixture comes from note_seq / Magenta functions.

Writes Tests/MuseEncodingTests/Fixtures/melody_cases.json.
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_encoding_fixtures.py
"""
import json, os, random, subprocess, sys, tempfile, types, zipfile

import note_seq
from note_seq import melodies_lib, encoder_decoder, melody_encoder_decoder
from note_seq.protobuf import music_pb2

assert note_seq.__version__ == "0.0.5", note_seq.__version__

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "MuseEncodingTests", "Fixtures", "melody_cases.json")


def import_magenta_melody_pipelines():
    cache = os.path.join(tempfile.gettempdir(), "muse-magenta-2.1.4")
    wheel = os.path.join(cache, "magenta-2.1.4-py3-none-any.whl")
    if not os.path.exists(wheel):
        subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                               "magenta==2.1.4", "-d", cache])
    src = os.path.join(cache, "src")
    if not os.path.exists(os.path.join(src, "magenta")):
        zipfile.ZipFile(wheel).extractall(src)
    tf = types.ModuleType("tensorflow")
    compat = types.ModuleType("tensorflow.compat")
    v1 = types.ModuleType("tensorflow.compat.v1")
    v1.logging = types.SimpleNamespace(info=print, warning=print, debug=lambda *a: None,
                                       log_every_n=lambda *a, **k: None, INFO=0)
    # music_vae/data.py names these in default arguments at import time.
    v1.python_io = types.SimpleNamespace(tf_record_iterator=None)
    v1.data = types.SimpleNamespace(TFRecordDataset=None)
    compat.v1 = v1
    tf.compat = compat
    tfds = types.ModuleType("tensorflow_datasets")
    sys.modules.update({"tensorflow": tf, "tensorflow.compat": compat, "tensorflow.compat.v1": v1,
                        "tensorflow_datasets": tfds})
    # Bypass the packages' __init__ files (they import all of Magenta's TensorFlow models).
    for name, sub in (("magenta", "magenta"), ("magenta.pipelines", "magenta/pipelines"),
                      ("magenta.models", "magenta/models"), ("magenta.models.music_vae", "magenta/models/music_vae")):
        pkg = types.ModuleType(name)
        pkg.__path__ = [os.path.join(src, sub)]
        sys.modules[name] = pkg
    from magenta.pipelines import melody_pipelines
    from magenta.models.music_vae import data as music_vae_data
    return melody_pipelines, music_vae_data


def random_sequence(rng, instruments, numerator, denominator, polyphony, drums, qpm):
    """A seconds-timed NoteSequence of stepwise tunes with rests, long gaps and chords."""
    seq = music_pb2.NoteSequence()
    seq.ticks_per_quarter = 220
    seq.tempos.add(time=0, qpm=qpm)
    seq.time_signatures.add(time=0, numerator=numerator, denominator=denominator)
    step = 60.0 / qpm / 4  # a sixteenth in seconds
    for inst in range(instruments):
        t = rng.choice([0, 3, 16, 21]) * step
        pitch = rng.randint(50, 80)
        for _ in range(rng.randint(20, 140)):
            dur = rng.choice([1, 2, 2, 4, 4, 4, 6, 8]) * step
            jitter = rng.uniform(-0.3, 0.3) * step
            pitch = max(30, min(100, pitch + rng.choice([-5, -3, -2, -1, 0, 1, 2, 3, 4, 7, -12, 12])))
            vel = 0 if rng.random() < 0.02 else rng.randint(30, 120)
            seq.notes.add(pitch=pitch, velocity=vel, start_time=max(0, t + jitter),
                          end_time=t + dur * rng.choice([0.5, 0.9, 1.0, 1.2]), instrument=inst,
                          program=inst, is_drum=drums and inst == instruments - 1)
            if polyphony and rng.random() < 0.25:
                seq.notes.add(pitch=pitch - rng.choice([3, 4, 7]), velocity=80, start_time=max(0, t + jitter),
                              end_time=t + dur, instrument=inst, program=inst)
            t += dur
            r = rng.random()
            if r < 0.08:
                t += rng.choice([1, 2, 3]) * step
            elif r < 0.11:
                t += rng.choice([12, 16, 20, 40]) * step  # gaps around a bar: splits melodies
    seq.total_time = max(n.end_time for n in seq.notes)
    return seq


def musicvae_windows(music_vae_data, rng):
    """cat-mel_2bar's converter, every window kept (no sampling), as sorted event lists."""
    converter = music_vae_data.OneHotMelodyConverter(
        valid_programs=music_vae_data.MEL_PROGRAMS, skip_polyphony=False, max_bars=100, slice_bars=2,
        steps_per_quarter=4, max_tensors_per_notesequence=None)
    encoding = converter.melody_encoding
    cases = []
    shapes = [(1, 4, 4, False, False, 120), (2, 4, 4, True, False, 100), (1, 3, 4, False, False, 90),
              (2, 2, 2, True, False, 120), (3, 4, 4, False, True, 140), (1, 4, 4, True, False, 80)]
    for k, shape in enumerate(shapes):
        seq = random_sequence(rng, *shape)
        for i, n in enumerate(seq.notes):
            n.program = [0, 5, 40, 24][(n.instrument + k) % 4]
            if i % 17 == 0:
                n.pitch = rng.choice([15, 110, 120])
        if k == 5:  # a tempo change half way: two pieces
            seq.tempos.add(time=seq.total_time / 2, qpm=100)
        tensors = converter.to_tensors(seq)
        windows = sorted([int(encoding.decode_event(int(c))) for c in out.argmax(axis=-1)] for out in tensors.outputs)
        notes = [dict(pitch=n.pitch, velocity=n.velocity, start=n.start_time, end=n.end_time, program=n.program,
                      instrument=n.instrument, is_drum=n.is_drum) for n in seq.notes]
        cases.append(dict(name=f"vae{k}", notes=notes, tempos=[[t.time, t.qpm] for t in seq.tempos],
                          time_signature=[shape[1], shape[2]], windows=windows))
        print(f"vae{k}: {len(seq.notes)} notes, {len(windows)} windows", file=sys.stderr)
    return cases


def main():
    melody_pipelines, music_vae_data = import_magenta_melody_pipelines()
    rng = random.Random(20261123)
    one_hot = melody_encoder_decoder.MelodyOneHotEncoding(48, 84)
    lookback = encoder_decoder.LookbackEventSequenceEncoderDecoder(one_hot)
    basic = encoder_decoder.OneHotEventSequenceEncoderDecoder(one_hot)
    shapes = [(1, 4, 4, False, False, 120), (2, 4, 4, True, False, 100), (1, 3, 4, False, False, 90),
              (3, 4, 4, True, True, 140), (1, 6, 8, False, False, 110), (2, 2, 4, True, False, 76),
              (1, 4, 4, True, False, 132), (2, 4, 4, False, True, 120)]
    options = [dict(), dict(min_bars=2, min_unique_pitches=3, max_steps_truncate=100, pad_end=True),
               dict(ignore_polyphonic_notes=False, min_bars=1), dict(gap_bars=2.0, min_bars=4, max_steps_discard=300)]
    cases = []
    for k, shape in enumerate(shapes):
        seq = random_sequence(rng, *shape)
        q = note_seq.quantize_note_sequence(seq, steps_per_quarter=4)
        opts = options[k % len(options)]
        kwargs = dict(min_bars=7, max_steps_truncate=512, min_unique_pitches=5, gap_bars=1.0,
                      ignore_polyphonic_notes=True)
        kwargs.update(opts)
        melodies, stats = melody_pipelines.extract_melodies(q, **kwargs)
        stat_values = {s.name: s.count for s in stats if hasattr(s, "count")}
        out_melodies = []
        for m in melodies:
            events = [int(e) for e in m]
            entry = dict(events=events, start_step=m.start_step, end_step=m.end_step,
                         steps_per_bar=m.steps_per_bar, major_key=int(m.get_major_key()))
            squashed = melodies_lib.Melody(events, steps_per_bar=m.steps_per_bar)
            entry["squash_amount"] = int(squashed.squash(48, 84, 0))
            entry["squashed"] = [int(e) for e in squashed]
            n = len(squashed)
            entry["one_hot_labels"] = [basic.events_to_label(list(squashed), i) for i in range(1, n)]
            entry["lookback_labels"] = [lookback.events_to_label(list(squashed), i) for i in range(1, n)]
            # Inputs are long; keep the non-zero entries of the first 40 positions.
            entry["lookback_inputs"] = [[(j, v) for j, v in enumerate(lookback.events_to_input(list(squashed), i)) if v != 0]
                                        for i in range(min(n - 1, 40))]
            ts = squashed.to_sequence(qpm=100.0)
            entry["to_sequence"] = [[x.pitch, x.start_time, x.end_time] for x in ts.notes]
            out_melodies.append(entry)
        cases.append(dict(
            name=f"case{k}", options=kwargs, steps_per_quarter=4,
            time_signature=[shape[1], shape[2]],
            notes=[dict(pitch=n.pitch, velocity=n.velocity, instrument=n.instrument, is_drum=n.is_drum,
                        start=n.quantized_start_step, end=n.quantized_end_step) for n in q.notes],
            melodies=out_melodies,
            stats=dict(polyphonic=stat_values.get("polyphonic_tracks_discarded", 0),
                       too_short=stat_values.get("melodies_discarded_too_short", 0),
                       too_few_pitches=stat_values.get("melodies_discarded_too_few_pitches", 0),
                       too_long=stat_values.get("melodies_discarded_too_long", 0),
                       truncated=stat_values.get("melodies_truncated", 0))))
        print(f"case{k}: {len(q.notes)} notes, {len(out_melodies)} melodies", file=sys.stderr)
    windows = musicvae_windows(music_vae_data, rng)
    with open(OUT.replace("melody_cases.json", "musicvae_windows.json"), "w") as f:
        json.dump(dict(generator="magenta 2.1.4 OneHotMelodyConverter (cat-mel_2bar settings)", cases=windows), f,
                  separators=(",", ":"), default=int)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(dict(generator="note-seq 0.0.5 + magenta 2.1.4 melody_pipelines", cases=cases), f,
                  separators=(",", ":"), default=int)
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
