import Dispatch
import Foundation

/// Approximates the linear-frequency spectrogram whose mel projection is `mel`, as
/// `librosa.feature.inverse.mel_to_stft`: a non-negative least-squares fit `min ‖A·X − M‖²,
/// X ≥ 0` (A the mel filter bank), then `X^(1/power)`.
///
/// librosa starts from the clipped minimum-norm solution `max(0, pinv(A)·M)` and refines it with
/// scipy's L-BFGS-B. Muse starts from the same point (pinv through a Cholesky solve of `A·Aᵀ`) and
/// refines it with `iterations` steps of accelerated projected gradient (FISTA, step 1/‖AᵀA‖).
/// The problem is under-determined (more bins than bands), so the two optimisers settle on
/// different minimisers: on the fixture signal Muse's reproduces `M` to 4e-5 (librosa's to
/// 2.8e-3), and the two spectra differ by ~22% in Frobenius norm (`GriffinLimTests`).
/// - Parameters:
///   - mel: `[nMels, frames]` mel power (or magnitude with `power: 1`).
///   - sampleRate, nFFT, fMin, fMax, htk, norm: the filter bank's settings (nMels = rows of `mel`).
///   - power: the exponent `mel` was computed with (default 2).
///   - iterations: projected-gradient steps (default 200).
/// - Returns: `[1 + nFFT / 2, frames]` magnitudes.
public func melToSTFT(_ mel: Spectrogram, sampleRate: Double = 22050, nFFT: Int = 2048, power: Float = 2,
                      fMin: Double = 0, fMax: Double? = nil, htk: Bool = false, norm: MelNorm = .slaney,
                      iterations: Int = 200) throws -> Spectrogram {
    guard power > 0 else { throw DSPError.invalidParameter(name: "power", value: "\(power)", reason: "must be positive") }
    guard iterations >= 0 else {
        throw DSPError.invalidParameter(name: "iterations", value: "\(iterations)", reason: "must be >= 0")
    }
    try checkFinite(mel.values, what: "mel spectrogram")
    let bank = try MelFilterBank(sampleRate: sampleRate, nFFT: nFFT, nMels: mel.rowCount, fMin: fMin, fMax: fMax,
                                 htk: htk, norm: norm)
    let x = nonNegativeLeastSquares(bank, mel)
    var out = Spectrogram(values: x, rowCount: bank.frequencyCount, frameCount: mel.frameCount)
    if power != 1 {
        let e = 1 / power
        out.values = out.values.map { Foundation.pow($0, e) }
    }
    return out

    func nonNegativeLeastSquares(_ bank: MelFilterBank, _ m: Spectrogram) -> [Float] {
        let nMels = bank.nMels, bins = bank.frequencyCount, frames = m.frameCount
        // G = A·Aᵀ in double, with a tiny ridge so empty or duplicate bands stay solvable.
        var g = [Double](repeating: 0, count: nMels * nMels)
        for i in 0..<nMels {
            for j in i..<nMels {
                let lo = max(bank.supports[i].lowerBound, bank.supports[j].lowerBound)
                let hi = min(bank.supports[i].upperBound, bank.supports[j].upperBound)
                var sum = 0.0
                if lo < hi { for k in lo..<hi { sum += Double(bank.weights[i * bins + k]) * Double(bank.weights[j * bins + k]) } }
                g[i * nMels + j] = sum; g[j * nMels + i] = sum
            }
        }
        let trace = (0..<nMels).reduce(0.0) { $0 + g[$1 * nMels + $1] }
        let ridge = 1e-10 * trace / Double(nMels)
        for i in 0..<nMels { g[i * nMels + i] += ridge }
        let lipschitz = Float(largestEigenvalue(g, nMels))
        let chol = cholesky(g, nMels)
        // z = G⁻¹ M column by column; x0 = max(0, Aᵀ z).
        var z = [Float](repeating: 0, count: nMels * frames)
        z.withUnsafeMutableBufferPointer { zb in
            let base = zb.baseAddress!
            DispatchQueue.concurrentPerform(iterations: frames) { t in
                var col = (0..<nMels).map { Double(m.values[$0 * frames + t]) }
                choleskySolve(chol, nMels, &col)
                for i in 0..<nMels { base[i * frames + t] = Float(col[i]) }
            }
        }
        var x = [Float](repeating: 0, count: bins * frames)
        var yk = x, grad = x
        var residual = [Float](repeating: 0, count: nMels * frames)
        z.withUnsafeBufferPointer { zb in
            x.withUnsafeMutableBufferPointer { bank.applyTransposed(zb.baseAddress!, frames: frames, into: $0.baseAddress!) }
        }
        for i in x.indices { x[i] = max(0, x[i]) }
        yk = x
        var tk: Float = 1
        for _ in 0..<iterations {
            // residual = A·y − M; grad = Aᵀ·residual.
            let ay = try? bank.apply(Spectrogram(values: yk, rowCount: bins, frameCount: frames))
            guard let ay else { break }
            for i in residual.indices { residual[i] = ay.values[i] - m.values[i] }
            residual.withUnsafeBufferPointer { rb in
                grad.withUnsafeMutableBufferPointer { bank.applyTransposed(rb.baseAddress!, frames: frames, into: $0.baseAddress!) }
            }
            let tNext = (1 + (1 + 4 * tk * tk).squareRoot()) / 2
            let beta = (tk - 1) / tNext
            for i in x.indices {
                let xNew = max(0, yk[i] - grad[i] / lipschitz)
                yk[i] = xNew + beta * (xNew - x[i])
                x[i] = xNew
            }
            tk = tNext
        }
        return x
    }
}

/// Lower Cholesky factor of a symmetric positive-definite `n × n` matrix (row-major).
private func cholesky(_ a: [Double], _ n: Int) -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var sum = a[i * n + j]
            for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = i == j ? max(sum, 1e-300).squareRoot() : sum / l[j * n + j]
        }
    }
    return l
}

/// Solves `L·Lᵀ·x = b` in place.
private func choleskySolve(_ l: [Double], _ n: Int, _ b: inout [Double]) {
    for i in 0..<n {
        var sum = b[i]
        for k in 0..<i { sum -= l[i * n + k] * b[k] }
        b[i] = sum / l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
        var sum = b[i]
        for k in (i + 1)..<n { sum -= l[k * n + i] * b[k] }
        b[i] = sum / l[i * n + i]
    }
}

/// Largest eigenvalue of a symmetric positive semi-definite matrix by power iteration.
private func largestEigenvalue(_ a: [Double], _ n: Int) -> Double {
    var v = [Double](repeating: 1 / Double(n).squareRoot(), count: n)
    var lambda = 0.0
    for _ in 0..<100 {
        var w = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { w[i] += a[i * n + j] * v[j] } }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return 1 }
        lambda = norm
        v = w.map { $0 / norm }
    }
    return lambda * 1.01
}

/// Audio from a mel spectrogram, as `librosa.feature.inverse.mel_to_audio`: `melToSTFT` then
/// `griffinLim` with the same STFT settings.
/// - Parameters:
///   - mel: `[nMels, frames]` mel power (power 2).
///   - length: output samples (nil → istft's default).
/// - Returns: `[length]` samples at `sampleRate`.
public func melToAudio(_ mel: Spectrogram, sampleRate: Double = 22050, parameters: STFTParameters = STFTParameters(),
                       power: Float = 2, nIter: Int = 32, length: Int? = nil,
                       initialPhase: GriffinLimInit = .random(seed: 0), fMin: Double = 0, fMax: Double? = nil,
                       htk: Bool = false, norm: MelNorm = .slaney, plans: FFTPlanCache = .shared) throws -> [Float] {
    try parameters.validate()
    let magnitude = try melToSTFT(mel, sampleRate: sampleRate, nFFT: parameters.nFFT, power: power,
                                  fMin: fMin, fMax: fMax, htk: htk, norm: norm)
    return try griffinLim(magnitude, nIter: nIter, hopLength: parameters.hopLength, winLength: parameters.winLength,
                          nFFT: parameters.nFFT, window: parameters.window, center: parameters.center, length: length,
                          padMode: parameters.padMode, initialPhase: initialPhase, plans: plans)
}
