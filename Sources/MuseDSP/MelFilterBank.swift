import Dispatch
import Foundation

/// How each mel filter is scaled (`norm` of `librosa.filters.mel`).
public enum MelNorm: String, CaseIterable, Sendable {
    /// Divide each triangle by its width in Hz / 2 (constant energy per band; librosa's default).
    case slaney
    /// Peak 1 (`norm=None`).
    case none
}

/// Triangular mel filters, `[nMels, 1 + nFFT / 2]`, as `librosa.filters.mel` (librosa 0.11).
///
/// Built in double precision exactly as librosa builds them (same mel points, same ramps) and
/// rounded once to float. Each row is non-zero only over a short run of bins, which `apply` uses:
/// it costs (non-zeros × frames) instead of (nMels × bins × frames).
public struct MelFilterBank: Equatable, Sendable {
    /// Row-major weights `[nMels, frequencyCount]`.
    public let weights: [Float]
    /// Mel bands.
    public let nMels: Int
    /// FFT bins (`1 + nFFT / 2`).
    public let frequencyCount: Int
    /// Per band, the bins `[lower, upper)` holding its non-zero weights.
    public let supports: [Range<Int>]

    /// The filter bank for `sampleRate` Hz and `nFFT`.
    /// - Parameters:
    ///   - nMels: bands (default 128).
    ///   - fMin: lowest edge in Hz (default 0).
    ///   - fMax: highest edge in Hz (nil → `sampleRate / 2`).
    ///   - htk: HTK mel scale instead of Slaney's.
    ///   - norm: `.slaney` (default) or `.none`.
    /// - Throws: `DSPError.invalidParameter` for non-positive sizes or rates, or `fMin ≥ fMax`.
    public init(sampleRate: Double, nFFT: Int, nMels: Int = 128, fMin: Double = 0, fMax: Double? = nil,
                htk: Bool = false, norm: MelNorm = .slaney) throws {
        guard sampleRate > 0, sampleRate.isFinite else {
            throw DSPError.invalidParameter(name: "sr", value: "\(sampleRate)", reason: "must be positive")
        }
        guard nFFT >= 2 else { throw DSPError.invalidParameter(name: "n_fft", value: "\(nFFT)", reason: "must be >= 2") }
        guard nMels >= 1, nMels <= 4096 else {
            throw DSPError.invalidParameter(name: "n_mels", value: "\(nMels)", reason: "must be in 1...4096")
        }
        let top = fMax ?? sampleRate / 2
        guard fMin >= 0, top > fMin, top.isFinite else {
            throw DSPError.invalidParameter(name: "fmin/fmax", value: "\(fMin)/\(top)", reason: "need 0 <= fmin < fmax")
        }
        let bins = 1 + nFFT / 2
        // np.fft.rfftfreq(n_fft, d=1/sr): k · (1 / (n_fft · (1/sr))).
        let binHz = 1.0 / (Double(nFFT) * (1.0 / sampleRate))
        let fftFreqs = (0..<bins).map { Double($0) * binHz }
        let melF = MelScale.melFrequencies(count: nMels + 2, fMin: fMin, fMax: top, htk: htk)
        var w = [Float](repeating: 0, count: nMels * bins)
        var supports = [Range<Int>]()
        for m in 0..<nMels {
            let lowerDiff = melF[m + 1] - melF[m], upperDiff = melF[m + 2] - melF[m + 1]
            let enorm = norm == .slaney ? 2 / (melF[m + 2] - melF[m]) : 1
            var first = bins, last = 0
            for k in 0..<bins {
                let lower = -(melF[m] - fftFreqs[k]) / lowerDiff
                let upper = (melF[m + 2] - fftFreqs[k]) / upperDiff
                let value = max(0, min(lower, upper))
                // librosa stores float32 weights, then `weights *= enorm` in double, rounded again.
                let weight = Float(Double(Float(value)) * enorm)
                w[m * bins + k] = weight
                if weight != 0 { first = min(first, k); last = k }
            }
            supports.append(first <= last ? first..<(last + 1) : 0..<0)
        }
        weights = w
        self.nMels = nMels
        frequencyCount = bins
        self.supports = supports
    }

    /// Mel bands of a spectrogram: `weights · S`.
    /// - Parameter spectrogram: `[frequencyCount, frames]` (power or magnitude).
    /// - Returns: `[nMels, frames]`.
    /// - Throws: `DSPError.shapeMismatch` when the bins differ.
    public func apply(_ spectrogram: Spectrogram) throws -> Spectrogram {
        guard spectrogram.rowCount == frequencyCount else {
            throw DSPError.shapeMismatch(what: "mel filter input", expected: "[\(frequencyCount), frames]",
                                         got: "[\(spectrogram.rowCount), \(spectrogram.frameCount)]")
        }
        let frames = spectrogram.frameCount
        var out = [Float](repeating: 0, count: nMels * frames)
        out.withUnsafeMutableBufferPointer { o in
            spectrogram.values.withUnsafeBufferPointer { s in
                weights.withUnsafeBufferPointer { w in
                    let ob = o.baseAddress!, sb = s.baseAddress!, wb = w.baseAddress!
                    let bins = frequencyCount
                    DispatchQueue.concurrentPerform(iterations: nMels) { m in
                        let row = ob + m * frames
                        for k in supports[m] {
                            let weight = wb[m * bins + k]
                            let src = sb + k * frames
                            for t in 0..<frames { row[t] += weight * src[t] }
                        }
                    }
                }
            }
        }
        return Spectrogram(values: out, rowCount: nMels, frameCount: frames)
    }

    /// `weightsᵀ · M`: spreads mel bands back over the bins (the adjoint of `apply`).
    /// - Parameter mel: `[nMels, frames]`. - Returns: `[frequencyCount, frames]`.
    func applyTransposed(_ mel: UnsafePointer<Float>, frames: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: frequencyCount * frames)
        let bins = frequencyCount
        weights.withUnsafeBufferPointer { w in
            let wb = w.baseAddress!
            for m in 0..<nMels {
                let src = mel + m * frames
                for k in supports[m] {
                    let weight = wb[m * bins + k]
                    let row = out + k * frames
                    for t in 0..<frames { row[t] += weight * src[t] }
                }
            }
        }
    }
}
