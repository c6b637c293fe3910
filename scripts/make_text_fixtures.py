#!/usr/bin/env python3
"""Expected UTF-8 errors, GPT-2 pre-tokenizer chunks and byte-level BPE merges, for Tests/MuseTextTests.

Peers (pinned):  pip install regex==2026.11.19
Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_text_fixtures.py
Writes Tests/MuseTextTests/Fixtures/text_cases.json:

- utf8: ill-formed byte strings with Python's UnicodeDecodeError start and reason, and the text
  bytes.decode("utf-8", errors="replace") gives;
- chunks: texts split by GPT-2's pattern (openai/gpt-2 encoder.py) with the `regex` module;
- bpe: merges learned from a small mixed-script text by a plain, recount-everything BPE trainer
  (minbpe's loop, ties broken by the lower pair, as MuseText documents), and the ids the plain
  encoder (minbpe's `encode`: merge the lowest-ranked pair everywhere, repeat) gives for some texts.
"""
import json, os

import regex

assert regex.__version__ == "2026.11.19", regex.__version__

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPT2 = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

UTF8_CASES = [
    "ff", "80", "c0af", "c1bf", "c2", "e2 82", "e2 82 41", "e0 80 80", "e0 9f bf", "ed a0 80", "ed 9f bf ff",
    "f0 80 80 80", "f0 90 80", "f4 90 80 80", "f5 80 80 80", "41 42 e2 28 a1 43", "68 69 f0 9f 98",
    "61 62 63 64 65 66 67 68 ff", "e6 97 a5 e6 9c ac 80 e8 aa 9e",
]

CHUNK_TEXTS = [
    "Hello world",
    "  leading spaces and trailing   ",
    "ROMEO:\nBut, soft! what light through yonder window breaks?\n\n",
    "I'll say it's the dog's, they've we'd I'm You'RE 'sdeath '",
    "numbers 1234 and 12.5e3, x2 and ²³",
    "tabs\tand\nnewlines\r\n  \n  end",
    "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。",
    "emoji 👍🏽 and 👨‍👩‍👧 family!!",
    "combining e\u0301 and n\u0303o, café",
    "mixed: Ωμέγα, Привет, مرحبا, नमस्ते, 日本語のテキスト",
    "\u00a0non-breaking\u2003em space\u3000ideographic",
    "!!!...??? --- ''' \"\"\"",
    "",
    " ",
    "a",
]

TRAIN_TEXT = (
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away.\n"
    "She sells sea shells by the sea shore, and the shells she sells are sea shells, I'm sure.\n"
    "床前明月光，疑是地上霜。举头望明月，低头思故乡。\n"
    "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。\n"
    "Emoji: 👍👍🏽 🎵🎶 🎵🎶! Accents: café, naïve, re\u0301sume\u0301, e\u0301e\u0301.\n"
    "1234 5678 1234 0000 3.14159 2.71828\n"
) * 3
VOCAB_SIZE = 256 + 60
ENCODE_TEXTS = [
    "The sea shore and the fox.",
    "举头望明月，低头思故乡。",
    "café 👍🏽 re\u0301sume\u0301 3.14",
    "unseen words: zebra quartz",
]


def pair_counts(chunks):
    counts = {}
    for ids in chunks:
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + 1
    return counts


def merge(ids, pair, new):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new); i += 2
        else:
            out.append(ids[i]); i += 1
    return out


def train(text, vocab_size):
    chunks = [list(c.encode("utf-8")) for c in GPT2.findall(text)]
    merges = []
    while 256 + len(merges) < vocab_size:
        counts = pair_counts(chunks)
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], -p[0], -p[1]))
        new = 256 + len(merges)
        chunks = [merge(c, best, new) for c in chunks]
        merges.append(best)
    return merges


def encode(text, merges):
    ranks = {pair: 256 + k for k, pair in enumerate(merges)}
    out = []
    for chunk in GPT2.findall(text):
        ids = list(chunk.encode("utf-8"))
        while len(ids) >= 2:
            pair = min(zip(ids, ids[1:]), key=lambda p: ranks.get(p, float("inf")))
            if pair not in ranks:
                break
            ids = merge(ids, pair, ranks[pair])
        out += ids
    return out


def main():
    utf8 = []
    for case in UTF8_CASES:
        data = bytes.fromhex(case.replace(" ", ""))
        try:
            data.decode("utf-8")
            raise SystemExit(f"{case} decodes")
        except UnicodeDecodeError as error:
            utf8.append({"hex": data.hex(), "offset": error.start, "reason": error.reason,
                         "replaced": data.decode("utf-8", errors="replace")})
    chunks = [{"text": t, "chunks": GPT2.findall(t)} for t in CHUNK_TEXTS]
    merges = train(TRAIN_TEXT, VOCAB_SIZE)
    bpe = {"train": TRAIN_TEXT, "vocab_size": VOCAB_SIZE, "merges": [list(p) for p in merges],
           "encodings": [{"text": t, "ids": encode(t, merges)} for t in ENCODE_TEXTS]}
    path = os.path.join(ROOT, "Tests", "MuseTextTests", "Fixtures", "text_cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"utf8": utf8, "chunks": chunks, "bpe": bpe}, f, ensure_ascii=False, indent=1)
    print(f"wrote {path}: {len(utf8)} UTF-8 cases, {len(chunks)} chunked texts, {len(merges)} merges")


if __name__ == "__main__":
    main()
