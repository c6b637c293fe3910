#!/usr/bin/env python3
"""Writes librosa's outputs as small .npy fixtures for MuseDSPTests and MuseAudioTests.

Pinned peers (asserted below):
    pip install librosa==0.11.0 numpy==2.4.6 soundfile==0.14.0 soxr==1.1.0

Run: PY=$(scripts/peers_venv.sh | tail -1); "$PY" scripts/make_dsp_fixtures.py
Outputs go to Tests/MuseDSPTests/Fixtures/ and Tests/MuseAudioTests/Fixtures/ (all float32 or
complex64 C-order .npy, a few WAVs); each is well under 200 KB.
"""
import json
import os

import librosa
import numpy as np
import soundfile
import soxr

assert librosa.__version__ == "0.11.0", librosa.__version__
assert np.__version__ == "2.4.6", np.__version__
assert soundfile.__version__ == "0.14.0", soundfile.__version__
assert soxr.__version__ == "1.1.0", soxr.__version__

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DSP = os.path.join(ROOT, "Tests", "MuseDSPTests", "Fixtures")
AUDIO = os.path.join(ROOT, "Tests", "MuseAudioTests", "Fixtures")
os.makedirs(DSP, exist_ok=True)
CLI = os.path.join(ROOT, "Tests", "museTests", "Fixtures")
os.makedirs(AUDIO, exist_ok=True)
os.makedirs(CLI, exist_ok=True)

SR = 22050
N = 8000  # 0.36 s: long enough for many frames, small enough to commit


def save(folder, name, array):
    array = np.ascontiguousarray(array)
    assert array.dtype in (np.float32, np.complex64), (name, array.dtype)
    np.save(os.path.join(folder, name + ".npy"), array)


def test_signal():
    """Two partials, a chirp and seeded noise: energy across the spectrum, no silence."""
    rng = np.random.default_rng(1234)
    t = np.arange(N) / SR
    y = (0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t + 0.3)
         + 0.2 * np.sin(2 * np.pi * (200 * t + 4000 * t * t)) + 0.05 * rng.standard_normal(N))
    return y.astype(np.float32)


y = test_signal()
save(DSP, "signal", y)

# STFT in several configurations: (name, kwargs).
stft_cases = {
    "stft_2048_512_center": dict(n_fft=2048, hop_length=512),
    "stft_512_128_center": dict(n_fft=512, hop_length=128),
    "stft_1024_256_nocenter_hamming_win800": dict(n_fft=1024, hop_length=256, win_length=800,
                                                  window="hamming", center=False),
    "stft_256_100_reflect_blackman": dict(n_fft=256, hop_length=100, window="blackman", pad_mode="reflect"),
}
for name, kw in stft_cases.items():
    save(DSP, name, librosa.stft(y, **kw))
with open(os.path.join(DSP, "stft_cases.json"), "w") as f:
    json.dump(stft_cases, f, indent=1, sort_keys=True)
# Signals shorter than n_fft, centred: every frame reaches into the padding on one or both sides.
save(DSP, "stft_512_128_short300_edge", librosa.stft(y[:300], n_fft=512, hop_length=128, pad_mode="edge"))
save(DSP, "stft_512_100_short300_reflect", librosa.stft(y[:300], n_fft=512, hop_length=100, pad_mode="reflect"))
save(DSP, "stft_512_128_short300_constant", librosa.stft(y[:300], n_fft=512, hop_length=128))

# Mel filter banks.
save(DSP, "mel_22050_1024_64_slaney", librosa.filters.mel(sr=22050, n_fft=1024, n_mels=64))
save(DSP, "mel_16000_512_40_htk_20_7600", librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=20, fmax=7600, htk=True))
save(DSP, "mel_22050_512_32_nonorm", librosa.filters.mel(sr=22050, n_fft=512, n_mels=32, norm=None))

# Mel spectrogram (librosa defaults: n_fft 2048, hop 512, 128 mels, power 2) and decibels.
M = librosa.feature.melspectrogram(y=y, sr=SR)
save(DSP, "melspectrogram_default", M)
save(DSP, "power_to_db_default", librosa.power_to_db(M))
save(DSP, "power_to_db_refmax_notop", librosa.power_to_db(M, ref=np.max, top_db=None))
S = np.abs(librosa.stft(y))
save(DSP, "amplitude_to_db_refmax", librosa.amplitude_to_db(S, ref=np.max))

# iSTFT round trips.
D = librosa.stft(y)
save(DSP, "istft_default", librosa.istft(D))
save(DSP, "istft_length", librosa.istft(D, length=N))
D2 = librosa.stft(y, n_fft=1024, hop_length=256, win_length=800, window="hamming", center=False)
save(DSP, "istft_1024_256_nocenter_hamming_win800", librosa.istft(D2, hop_length=256, win_length=800,
                                                                  window="hamming", center=False))

# Inverse mel (NNLS through L-BFGS-B) and Griffin-Lim.
save(DSP, "mel_to_stft_default", librosa.feature.inverse.mel_to_stft(M, sr=SR))
y_gl = librosa.griffinlim(S, n_iter=32, init=None, length=N)
save(DSP, "griffinlim_zeros_32", y_gl)


def spectral_convergence(y_hat):
    S_hat = np.abs(librosa.stft(y_hat))
    return float(np.linalg.norm(S_hat - S) / np.linalg.norm(S))


sc = {
    "zeros_32": spectral_convergence(y_gl),
    "random_32_seeds_0_to_4": [spectral_convergence(librosa.griffinlim(S, n_iter=32, random_state=s, length=N))
                               for s in range(5)],
}
with open(os.path.join(DSP, "griffinlim_convergence.json"), "w") as f:
    json.dump(sc, f, indent=1)

# Audio: resampling and librosa.load on a stereo 44.1 kHz 16-bit WAV.
rng = np.random.default_rng(7)
t = np.arange(11025) / 44100
left = 0.5 * np.sin(2 * np.pi * 1000 * t) + 0.01 * rng.standard_normal(t.size)
right = 0.3 * np.sin(2 * np.pi * 5000 * t + 1.0)
stereo = np.stack([left, right], axis=1).astype(np.float32)
soundfile.write(os.path.join(AUDIO, "stereo_44100_pcm16.wav"), stereo, 44100, subtype="PCM_16")
loaded, sr = librosa.load(os.path.join(AUDIO, "stereo_44100_pcm16.wav"))  # sr=22050, mono=True
assert sr == 22050
save(AUDIO, "load_stereo_22050_mono", loaded)
raw, _ = soundfile.read(os.path.join(AUDIO, "stereo_44100_pcm16.wav"), dtype="float32")
save(AUDIO, "read_stereo_interleaved", raw)
tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
save(AUDIO, "tone_1k_44100", tone)
save(AUDIO, "resample_tone_1k_22050_soxr_hq", librosa.resample(tone, orig_sr=44100, target_sr=22050))

# librosa.resample (soxr, librosa's res_type names) over rates and qualities, on music-like input:
# partials, a chirp across the band and seeded noise, 0.25 s at 44.1 kHz.
music = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3520 * t)
         + 0.1 * np.sin(2 * np.pi * (200 * t + 40000 * t * t)) + 0.02 * rng.standard_normal(t.size)).astype(np.float32)
save(AUDIO, "music_44100", music)
RESAMPLE_CASES = [(22050, "soxr_hq"), (48000, "soxr_hq"), (16000, "soxr_hq"), (8000, "soxr_hq"),
                  (96000, "soxr_hq"), (22050, "soxr_vhq"), (22050, "soxr_mq"), (22050, "soxr_lq"),
                  (16000, "soxr_vhq")]
for rate, res_type in RESAMPLE_CASES:
    out = librosa.resample(music, orig_sr=44100, target_sr=rate, res_type=res_type)
    assert out.dtype == np.float32
    save(AUDIO, f"resample_music_{rate}_{res_type}", out)
with open(os.path.join(AUDIO, "resample_cases.json"), "w") as f:
    json.dump([{"rate": r, "res_type": q} for r, q in RESAMPLE_CASES], f, indent=1)

# `muse spectrogram --npy` end to end: a 48 kHz stereo clip, loaded as librosa.load (mono,
# soxr_hq to 22050 Hz), log-mel with power_to_db(ref=np.max, top_db=80), 64 bands.
t48 = np.arange(36000) / 48000
clip = np.stack([0.4 * np.sin(2 * np.pi * 330 * t48) * np.exp(-3 * t48) + 0.01 * rng.standard_normal(t48.size),
                 0.3 * np.sin(2 * np.pi * (500 * t48 + 3000 * t48 * t48))], axis=1).astype(np.float32)
soundfile.write(os.path.join(CLI, "clip_48000_stereo.wav"), clip, 48000, subtype="PCM_16")
loaded, _ = librosa.load(os.path.join(CLI, "clip_48000_stereo.wav"))
mel = librosa.feature.melspectrogram(y=loaded, sr=22050, n_mels=64)
save(CLI, "spectrogram_clip_db_64", librosa.power_to_db(mel, ref=np.max, top_db=80))
print("fixtures written")
