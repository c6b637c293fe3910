#!/usr/bin/env python3
# MuseSynth fixtures: short MIDI files rendered by FluidSynth, reduced to small features.
# Pinned peers (scripts/peers-requirements.txt); run through scripts/make_synth_fixtures.sh:
#   pip install mido==1.3.3 numpy==2.4.6 soundfile==0.14.0
#   fluidsynth 2.3.1 (Debian), FluidR3_GM.sf2 (fluid-soundfont-gm)
# Usage: make_synth_fixtures.py MIDI_OUT_DIR FEATURE_OUT_DIR WAV_DIR   (the .sh renders the WAVs between the two steps)
import json, os, sys
import mido, numpy as np, soundfile as sf

from importlib.metadata import version
assert version("mido") == "1.3.3", version("mido")
assert np.__version__ == "2.4.6", np.__version__
assert version("soundfile") == "0.14.0", version("soundfile")

TPQ = 480
SR = 44100
HOP = 441          # 10 ms RMS frames
BAND_HOP = 882     # 20 ms spectrum frames
N_FFT = 2048
N_BANDS = 32


def write(path, tracks, tempo=500000):
    mid = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    meta = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo, time=0)])
    mid.tracks.append(meta)
    for events in tracks:   # events: (tick, message)
        tr = mido.MidiTrack()
        last = 0
        for tick, msg in sorted(events, key=lambda e: (e[0], e[1].type == "note_on" and e[1].velocity > 0)):
            tr.append(msg.copy(time=tick - last))
            last = tick
        mid.tracks.append(tr)
    mid.save(path)


def s2t(seconds):  # 120 qpm, 480 tpq: 960 ticks per second
    return int(round(seconds * 960))


def note(ch, key, vel, t0, t1):
    return [(s2t(t0), mido.Message("note_on", channel=ch, note=key, velocity=vel)),
            (s2t(t1), mido.Message("note_off", channel=ch, note=key, velocity=0))]


def program(ch, prog, t=0):
    return [(s2t(t), mido.Message("program_change", channel=ch, program=prog))]


def cases():
    c = {}
    ev = program(0, 0)
    for i, k in enumerate([24, 36, 48, 60, 72, 84, 96, 108]):
        ev += note(0, k, 100, 0.1 + 0.6 * i, 0.5 + 0.6 * i)
    c["key_range"] = [ev]
    ev = program(0, 0)
    for i, v in enumerate([16, 40, 64, 96, 127]):
        ev += note(0, 60, v, 0.1 + 0.6 * i, 0.5 + 0.6 * i)
    c["velocities"] = [ev]
    ev = program(0, 48)
    for k in [48, 55, 60, 64, 67]:
        ev += note(0, k, 90, 0.1, 1.6)
    c["chord"] = [ev]
    ev = []
    for i in range(8):
        t = 0.1 + 0.25 * i
        ev += note(9, 42 if i % 4 != 3 else 46, 90, t, t + 0.1)
        if i % 4 == 0: ev += note(9, 36, 110, t, t + 0.1)
        if i % 4 == 2: ev += note(9, 38, 100, t, t + 0.1)
    ev += note(9, 49, 100, 2.1, 2.2)
    c["drums"] = [ev]
    ev = program(0, 0) + [(s2t(0.05), mido.Message("control_change", channel=0, control=64, value=127))]
    for i, k in enumerate([60, 64, 67, 72]):
        ev += note(0, k, 90, 0.1 + 0.3 * i, 0.25 + 0.3 * i)
    ev += [(s2t(1.6), mido.Message("control_change", channel=0, control=64, value=0))]
    ev += note(0, 60, 90, 2.0, 2.2)
    c["sustain"] = [ev]
    ev = program(0, 73) + note(0, 72, 100, 0.1, 2.3)
    for i in range(41):
        ev += [(s2t(0.3 + 0.04 * i), mido.Message("pitchwheel", channel=0, pitch=int(8191 * np.sin(np.pi * i / 20))))]
    ev += [(s2t(2.0), mido.Message("pitchwheel", channel=0, pitch=0))]
    c["pitch_bend"] = [ev]
    ev = []
    for i, p in enumerate([0, 24, 56, 81]):
        ev += program(0, p, 0.05 + 0.6 * i) + note(0, 60, 100, 0.1 + 0.6 * i, 0.5 + 0.6 * i)
    c["program_change"] = [ev]
    ev = program(0, 0) + [(0, mido.Message("control_change", channel=0, control=10, value=0)),
                          (0, mido.Message("control_change", channel=0, control=7, value=64)),
                          (s2t(0.9), mido.Message("control_change", channel=0, control=10, value=127)),
                          (s2t(0.9), mido.Message("control_change", channel=0, control=11, value=80))]
    ev += note(0, 67, 100, 0.1, 0.7) + note(0, 67, 100, 1.0, 1.6)
    c["pan_volume"] = [ev]
    return c


def frames_rms_db(x, hop):
    n = len(x) // hop
    f = x[: n * hop].reshape(n, hop)
    return 10 * np.log10(np.mean(f.astype(np.float64) ** 2, axis=1) + 1e-10)


def band_edges():
    return np.geomspace(50.0, 16000.0, N_BANDS + 1)


def bands_db(x):
    w = np.hanning(N_FFT + 1)[:-1]   # periodic Hann
    edges = band_edges()
    freqs = np.arange(N_FFT // 2 + 1) * SR / N_FFT
    idx = [np.where((freqs >= edges[b]) & (freqs < edges[b + 1]))[0] for b in range(N_BANDS)]
    out = []
    for s in range(0, len(x) - N_FFT + 1, BAND_HOP):
        p = np.abs(np.fft.rfft(x[s:s + N_FFT] * w)) ** 2
        out.append([10 * np.log10(p[i].sum() + 1e-10) for i in idx])
    return np.array(out)


def onsets(x, starts):
    out = []
    for t in starts:
        s = int(round(t * SR))
        base = np.max(np.abs(x[max(0, s - 661):max(1, s - 220)])) if s > 661 else 0.0
        thr = max(4 * base, 1e-4)
        seg = np.abs(x[max(0, s - 220): s + 4410])
        hit = np.nonzero(seg > thr)[0]
        out.append(int(max(0, s - 220) + hit[0]) if len(hit) else -1)
    return out


def features(wav, midi_path):
    x, sr = sf.read(wav, dtype="float32", always_2d=True)
    assert sr == SR
    left, right = x[:, 0], x[:, 1]
    mono = 0.5 * (left + right)
    mid = mido.MidiFile(midi_path)
    starts, t = [], 0.0
    for msg in mid:
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            starts.append(t)
    return {
        "sample_rate": SR, "hop": HOP, "band_hop": BAND_HOP, "n_fft": N_FFT, "band_edges_hz": band_edges().tolist(),
        "frames": len(mono),
        "rms_db_left": np.round(frames_rms_db(left, HOP), 2).tolist(),
        "rms_db_right": np.round(frames_rms_db(right, HOP), 2).tolist(),
        "bands_db": np.round(bands_db(mono), 1).tolist(),
        "note_starts": starts,
        "onset_samples": onsets(mono, starts),
        "loudness_db": float(np.round(10 * np.log10(np.mean(mono.astype(np.float64) ** 2) + 1e-12), 3)),
    }


if __name__ == "__main__":
    step, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
    if step == "midi":
        os.makedirs(a, exist_ok=True)
        for name, tracks in cases().items():
            write(os.path.join(a, name + ".mid"), tracks)
            print(name)
    else:   # features MIDI_DIR WAV_DIR OUT_DIR
        out = sys.argv[4]
        for name in sorted(cases()):
            f = features(os.path.join(b, name + ".wav"), os.path.join(a, name + ".mid"))
            with open(os.path.join(out, name + ".json"), "w") as fh:
                json.dump(f, fh, separators=(",", ":"))
