/// How the signal is extended at both ends when an STFT is centred (numpy `np.pad` modes).
public enum PadMode: String, CaseIterable, Sendable {
    /// Zeros (librosa 0.10+'s default).
    case constant
    /// Mirror without repeating the edge sample (`np.pad(mode="reflect")`, librosa < 0.10's default).
    case reflect
    /// Repeat the edge sample.
    case edge
}

/// STFT settings with librosa's names and defaults (`librosa.stft`, librosa 0.11).
///
/// `nil` means "derived as librosa does": `winLength` → `nFFT`, `hopLength` → `winLength / 4`.
public struct STFTParameters: Equatable, Sendable {
    /// FFT length in samples (`n_fft`, default 2048: 93 ms at 22.05 kHz, librosa's choice for music).
    public var nFFT: Int
    /// Samples between frames (`hop_length`); nil → `winLength / 4`.
    public var hopLength: Int?
    /// Window length in samples, ≤ `nFFT`, zero-padded to `nFFT` (`win_length`); nil → `nFFT`.
    public var winLength: Int?
    /// Window shape (`window`, default periodic Hann).
    public var window: Window
    /// Pad `nFFT / 2` at both ends so frame t is centred on sample `t × hopLength` (`center`).
    public var center: Bool
    /// How to pad when centred (`pad_mode`, default zeros as librosa 0.11).
    public var padMode: PadMode

    public init(nFFT: Int = 2048, hopLength: Int? = nil, winLength: Int? = nil, window: Window = .hann,
                center: Bool = true, padMode: PadMode = .constant) {
        self.nFFT = nFFT; self.hopLength = hopLength; self.winLength = winLength
        self.window = window; self.center = center; self.padMode = padMode
    }

    /// `winLength` resolved.
    public var resolvedWinLength: Int { winLength ?? nFFT }
    /// `hopLength` resolved.
    public var resolvedHopLength: Int { hopLength ?? resolvedWinLength / 4 }

    /// Checks every parameter: `nFFT` even and ≥ 2 (FFTW real transforms of even size),
    /// `0 < winLength ≤ nFFT`, `hopLength > 0`.
    public func validate() throws {
        guard nFFT >= 2, nFFT % 2 == 0, nFFT <= 1 << 24 else {
            throw DSPError.invalidParameter(name: "n_fft", value: "\(nFFT)", reason: "must be an even number in 2...16777216")
        }
        let win = resolvedWinLength
        guard win > 0, win <= nFFT else {
            throw DSPError.invalidParameter(name: "win_length", value: "\(win)", reason: "must be in 1...n_fft (\(nFFT))")
        }
        let hop = resolvedHopLength
        guard hop > 0 else {
            throw DSPError.invalidParameter(name: "hop_length", value: "\(hop)", reason: "must be a positive integer")
        }
    }

    /// Number of frames for a signal of `length` samples (librosa's count).
    public func frameCount(signalLength length: Int) -> Int {
        let padded = center ? length + 2 * (nFFT / 2) : length
        return padded < nFFT ? 0 : 1 + (padded - nFFT) / resolvedHopLength
    }
}
