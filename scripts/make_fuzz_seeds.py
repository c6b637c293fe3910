"""Writes the generated part of the fuzzers' seed corpora (Fuzz/corpus/<target>/).

The rest of each corpus is copied from the test fixtures by Fuzz/seed.sh. Every seed is a small,
valid file of its format, so the fuzzer starts from inputs that reach deep into the reader.

pip install numpy==2.4.6 soundfile==0.14.0
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_fuzz_seeds.py
"""
import json
import math
import os
import struct

import numpy as np
import soundfile as sf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fuzz", "corpus")


def out(target, name):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def audio():
    t = np.arange(400) / 8000.0
    mono = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    stereo = np.stack([mono, 0.5 * mono], axis=1)
    sf.write(out("audio", "mono_pcm16.wav"), mono, 8000, subtype="PCM_16")
    sf.write(out("audio", "stereo_float.wav"), stereo, 8000, subtype="FLOAT")
    sf.write(out("audio", "mono_u8.wav"), mono, 8000, subtype="PCM_U8")
    sf.write(out("audio", "mono_16.flac"), mono, 8000, subtype="PCM_16")
    sf.write(out("audio", "stereo_24.flac"), stereo, 8000, subtype="PCM_24")
    sf.write(out("audio", "mono.ogg"), np.tile(mono, 4), 8000, format="OGG", subtype="VORBIS")


def soundfont():
    """One preset -> one instrument -> one looped sine sample (as TestSoundFontBuilder.swift)."""
    le16 = lambda v: struct.pack("<H", v & 0xFFFF)
    le32 = lambda v: struct.pack("<I", v & 0xFFFFFFFF)
    name = lambda s: s.encode()[:20].ljust(20, b"\0")

    def chunk(cid, body):
        return cid.encode() + le32(len(body)) + body + (b"\0" if len(body) & 1 else b"")

    def lst(kind, chunks):
        return chunk("LIST", kind.encode() + b"".join(chunks))

    smpl = b"".join(le16(int(20000 * math.sin(2 * math.pi * i / 100))) for i in range(400))
    info = lst("INFO", [chunk("ifil", le16(2) + le16(1)), chunk("INAM", b"Seed\0")])
    sdta = lst("sdta", [chunk("smpl", smpl)])
    phdr = (name("Sine") + le16(0) + le16(0) + le16(0) + le32(0) * 3
            + name("EOP") + le16(0) + le16(0) + le16(1) + le32(0) * 3)
    pbag = le16(0) + le16(0) + le16(1) + le16(0)
    pgen = le16(41) + le16(0) + le16(0) + le16(0)
    inst = name("SineInst") + le16(0) + name("EOI") + le16(1)
    ibag = le16(0) + le16(0) + le16(2) + le16(0)
    igen = le16(54) + le16(1) + le16(53) + le16(0) + le16(0) + le16(0)
    shdr = (name("sine") + le32(0) + le32(400) + le32(100) + le32(300) + le32(44100) + bytes([69, 0]) + le16(0) + le16(1)
            + name("EOS") + le32(0) * 5 + bytes([0, 0]) + le16(0) + le16(0))
    pdta = lst("pdta", [chunk("phdr", phdr), chunk("pbag", pbag), chunk("pmod", bytes(10)), chunk("pgen", pgen),
                        chunk("inst", inst), chunk("ibag", ibag), chunk("imod", bytes(10)), chunk("igen", igen),
                        chunk("shdr", shdr)])
    body = b"sfbk" + info + sdta + pdta
    with open(out("soundfont", "sine.sf2"), "wb") as f:
        f.write(b"RIFF" + le32(len(body)) + body)


def musicxml():
    notes = "".join(
        f"<note><pitch><step>{s}</step><octave>4</octave></pitch><duration>{d}</duration><type>quarter</type></note>"
        for s, d in [("C", 1), ("E", 1), ("G", 2)])
    score = ('<?xml version="1.0" encoding="UTF-8"?>\n<score-partwise version="3.1">'
             '<part-list><score-part id="P1"><part-name>Piano</part-name>'
             '<midi-instrument id="P1-I1"><midi-channel>1</midi-channel><midi-program>1</midi-program></midi-instrument>'
             '</score-part></part-list><part id="P1"><measure number="1"><attributes><divisions>1</divisions>'
             '<time><beats>4</beats><beat-type>4</beat-type></time></attributes>'
             '<direction><sound tempo="100" dynamics="80"/></direction>'
             f'{notes}<note><rest/><duration>1</duration></note></measure>'
             '<measure number="2"><note><pitch><step>D</step><alter>1</alter><octave>5</octave></pitch><duration>2</duration>'
             '<tie type="start"/></note><note><pitch><step>D</step><alter>1</alter><octave>5</octave></pitch><duration>2</duration>'
             '<tie type="stop"/></note><backup><duration>4</duration></backup><note><chord/><pitch><step>A</step>'
             '<octave>3</octave></pitch><duration>4</duration></note></measure></part></score-partwise>\n')
    with open(out("musicxml", "two_measures.musicxml"), "w") as f:
        f.write(score)


def melody_cache():
    """MUSEMEL1: magic, key u64, 8 summary counts u32, train and eval counts u32, melodies."""
    melodies = [[60 - 48 + 2, -2, -1, 64 - 48 + 2, -2], [67 - 48 + 2, -1, -2, -2, 62 - 48 + 2, 60 - 48 + 2], [0, -1]]
    data = b"MUSEMEL1" + struct.pack("<Q", 0x1234_5678_9ABC_DEF0)
    data += struct.pack("<8I", 3, 0, 0, 2, 1, 0, 0, 0) + struct.pack("<II", 2, 1)
    for m in melodies:
        data += struct.pack("<I", len(m)) + bytes(v & 0xFF for v in m)
    with open(out("melodycache", "three_melodies.bin"), "wb") as f:
        f.write(data)


def bundle():
    configs = {
        "melody_rnn.json": {"kind": "melody-rnn", "formatVersion": 1, "step": 20,
                            "config": {"hiddenSize": 8, "layers": 1, "minPitch": 48, "maxPitch": 84},
                            "metrics": {"loss": 2.5, "accuracy": 0.25}},
        "legacy.json": {"model": "melody_rnn", "hiddenSize": 8, "step": 3},
    }
    for name, config in configs.items():
        with open(out("bundle", name), "w") as f:
            json.dump(config, f)


def vocab():
    with open(out("vocab", "char.json"), "w") as f:
        json.dump({"characters": ["\n", " ", "a", "b", "明"], "kind": "char", "version": 1}, f, ensure_ascii=False)
    with open(out("vocab", "bpe.json"), "w") as f:
        json.dump({"kind": "bpe", "merges": [[97, 98], [256, 99], [32, 116]], "pattern": "gpt2", "version": 1}, f)


if __name__ == "__main__":
    audio()
    soundfont()
    musicxml()
    melody_cache()
    bundle()
    vocab()
