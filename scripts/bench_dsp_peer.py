#!/usr/bin/env python3
"""librosa's side of `bench-dsp`: times the same operations on the same input.

Pinned peers:
    pip install librosa==0.11.0 numpy==2.4.6 soundfile==0.14.0 soxr==1.1.0
Usage: bench_dsp_peer.py SIGNAL_22050.npy SIGNAL_44100.npy
Prints one JSON object: best-of-N seconds per operation (as bench-dsp times its own side).
"""
import json
import sys
import time

import librosa
import numpy as np

assert librosa.__version__ == "0.11.0", librosa.__version__


def best_time(fn, runs):
    fn()  # warm-up (numba JIT, FFT caches)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(min(times))


y = np.load(sys.argv[1])
y44 = np.load(sys.argv[2])
D = librosa.stft(y)
S = np.abs(D)
result = {
    "stft": best_time(lambda: librosa.stft(y), 5),
    "istft": best_time(lambda: librosa.istft(D, length=len(y)), 11),
    "melspectrogram": best_time(lambda: librosa.feature.melspectrogram(y=y, sr=22050), 5),
    "griffinlim32": best_time(lambda: librosa.griffinlim(S, n_iter=32, random_state=0), 3),
    "resample_soxr_hq": best_time(lambda: librosa.resample(y44, orig_sr=44100, target_sr=22050), 7),
    "resample_soxr_vhq": best_time(lambda: librosa.resample(y44, orig_sr=44100, target_sr=22050, res_type="soxr_vhq"), 5),
    "resample_soxr_mq": best_time(lambda: librosa.resample(y44, orig_sr=44100, target_sr=22050, res_type="soxr_mq"), 7),
    "resample_48000_soxr_hq": best_time(lambda: librosa.resample(y44, orig_sr=44100, target_sr=48000), 5),
}
print(json.dumps(result))
