#!/usr/bin/env python3
"""Writes the compressed MusicXML (.mxl) fixtures of MuseMIDI's tests and the .mxl fuzz seeds.

Pinned peers: none (Python 3 standard library only: zipfile, zlib).
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_mxl_fixtures.py

An .mxl file is a zip archive whose META-INF/container.xml names the score ("rootfile full-path").
Written here with Python's zipfile, so the reader is checked against another zip writer:
  score.mxl      container + deflated score in a subfolder, plus a deflated picture-like entry
  stored.mxl     no container, one stored (uncompressed) .musicxml at the top
The score is the one of MusicXMLReaderTests.testQuarterNotesAtDefaultTempoLastHalfASecondEach
(C4, F#4, rest, Bb3 at 120 qpm).
"""
import os
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "MuseMIDITests", "Fixtures", "mxl")
SEEDS = os.path.join(ROOT, "Fuzz", "corpus", "mxl")

SCORE = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1">
  <part-list><score-part id="P1"><part-name>Soprano</part-name>
    <midi-instrument id="P1-I1"><midi-channel>1</midi-channel><midi-program>53</midi-program></midi-instrument>
  </score-part></part-list>
  <part id="P1"><measure number="1">
    <attributes><divisions>2</divisions><time><beats>3</beats><beat-type>4</beat-type></time></attributes>
    <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>
    <note><pitch><step>F</step><alter>1</alter><octave>4</octave></pitch><duration>2</duration></note>
    <note><rest/><duration>2</duration></note>
    <note><pitch><step>B</step><alter>-1</alter><octave>3</octave></pitch><duration>1</duration></note>
  </measure></part>
</score-partwise>
"""

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container>
  <rootfiles>
    <rootfile full-path="scores/song.musicxml" media-type="application/vnd.recordare.musicxml+xml"/>
  </rootfiles>
</container>
"""


def fixed(name, data, method):
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = method
    return info, data


def write(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, data, method in entries:
            info, payload = fixed(name, data, method)
            z.writestr(info, payload)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(SEEDS, exist_ok=True)
    score = [("mimetype", b"application/vnd.recordare.musicxml", zipfile.ZIP_STORED),
             ("META-INF/container.xml", CONTAINER.encode(), zipfile.ZIP_DEFLATED),
             ("scores/song.musicxml", SCORE.encode(), zipfile.ZIP_DEFLATED),
             ("scores/cover.bin", bytes(range(256)) * 4, zipfile.ZIP_DEFLATED)]
    stored = [("song.musicxml", SCORE.encode(), zipfile.ZIP_STORED)]
    for folder in (OUT, SEEDS):
        write(os.path.join(folder, "score.mxl"), score)
        write(os.path.join(folder, "stored.mxl"), stored)
    print("wrote", OUT, "and", SEEDS)


if __name__ == "__main__":
    main()
