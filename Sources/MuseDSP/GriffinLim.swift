import Dispatch
import Foundation
import MuseSupport

/// How Griffin-Lim starts its phase estimate (`init` of `librosa.griffinlim`).
public enum GriffinLimInit: Equatable, Sendable {
    /// Uniform random phases from a seeded SplitMix64 generator (librosa's default is random
    /// from NumPy's generator, which Muse does not reproduce bit for bit).
    case random(seed: UInt64)
    /// Zero phase everywhere (librosa's `init=None`): deterministic, comparable to librosa.
    case zeros
}

/// Phase reconstruction from a magnitude spectrogram: fast Griffin-Lim with momentum
/// (Perraudin, Balazs & Søndergaard 2013), exactly the iteration of `librosa.griffinlim`:
///
///     rebuilt  = stft(istft(angles))
///     angles   = rebuilt − momentum / (1 + momentum) · previous rebuilt
///     angles   = S · angles / (|angles| + tiny)
///
/// and a last `istft`. Runs on frame-major buffers allocated once, all cores.
/// - Parameters:
///   - magnitude: `[1 + nFFT / 2, frames]` magnitudes.
///   - nIter: iterations (`n_iter`, default 32).
///   - momentum: default 0.99 (librosa's); 0 gives classic Griffin-Lim.
///   - length: output samples (nil → istft's default).
///   - initialPhase: `.random(seed:)` (default, seed 0) or `.zeros`.
/// - Returns: `[length]` samples.
/// - Throws: `DSPError.invalidParameter` (`nIter < 0`, `momentum < 0`, STFT parameters),
///   `.shapeMismatch` (bins ≠ `nFFT / 2 + 1`), `.nonFinite`.
public func griffinLim(_ magnitude: Spectrogram, nIter: Int = 32, hopLength: Int? = nil, winLength: Int? = nil,
                       nFFT: Int? = nil, window: Window = .hann, center: Bool = true, length: Int? = nil,
                       padMode: PadMode = .constant, momentum: Float = 0.99,
                       initialPhase: GriffinLimInit = .random(seed: 0),
                       plans: FFTPlanCache = .shared) throws -> [Float] {
    guard nIter >= 0 else { throw DSPError.invalidParameter(name: "n_iter", value: "\(nIter)", reason: "must be >= 0") }
    guard momentum >= 0, momentum.isFinite else {
        throw DSPError.invalidParameter(name: "momentum", value: "\(momentum)", reason: "must be >= 0")
    }
    let n = nFFT ?? 2 * (magnitude.rowCount - 1)
    let parameters = STFTParameters(nFFT: n, hopLength: hopLength, winLength: winLength, window: window,
                                    center: center, padMode: padMode)
    let engine = try STFTEngine(parameters, plans: plans)
    let bins = engine.bins, frames = magnitude.frameCount, stride = engine.rowStride
    guard magnitude.rowCount == bins, frames > 0 else {
        throw DSPError.shapeMismatch(what: "griffinLim magnitude", expected: "[\(bins), frames >= 1]",
                                     got: "[\(magnitude.rowCount), \(frames)]")
    }
    try checkFinite(magnitude.values, what: "magnitude")
    if let length, length < 1 {
        throw DSPError.invalidParameter(name: "length", value: "\(length)", reason: "must be positive")
    }
    let shape = engine.inverseShape(frames: frames, length: length)
    let signalLength = shape.length
    guard shape.frames == frames, parameters.frameCount(signalLength: signalLength) == frames else {
        throw DSPError.shapeMismatch(what: "griffinLim length", expected: "a length giving \(frames) frames",
                                     got: "\(signalLength) samples")
    }

    // Frame-major magnitudes [frames, bins] and the running estimates [frames, stride]; every
    // element the loop reads is written first, so none of them is zero-filled.
    let s = FFTScratch(count: frames * bins, zeroed: false)
    let angles = FFTScratch(count: frames * stride, zeroed: false)
    var rebuilt = FFTScratch(count: frames * stride, zeroed: false)
    var previous = FFTScratch(count: frames * stride, zeroed: false)
    // Transpose to frame-major and set the initial phases, 16 frames per job (one cache line of
    // each magnitude row). Random phases come from SplitMix64 indexed by the element's position in
    // librosa's [bins, frames] order, so they do not depend on how the work is split.
    let block = 16
    magnitude.values.withUnsafeBufferPointer { mv in
        let m = mv.baseAddress!, sp = s.pointer, a = angles.pointer
        DispatchQueue.concurrentPerform(iterations: (frames + block - 1) / block) { job in
            let t0 = job * block, t1 = min(frames, t0 + block)
            for k in 0..<bins {
                for t in t0..<t1 {
                    let v = m[k * frames + t]
                    sp[t * bins + k] = v
                    switch initialPhase {
                    case .zeros:
                        a[t * stride + 2 * k] = v
                        a[t * stride + 2 * k + 1] = 0
                    case .random(let seed):
                        let phase = Float(2 * Double.pi * SplitMix64.unitDouble(seed: seed, index: UInt64(k * frames + t)))
                        a[t * stride + 2 * k] = v * cos(phase)
                        a[t * stride + 2 * k + 1] = v * sin(phase)
                    }
                }
            }
        }
    }

    let wss = engine.windowSumSquare(frames: frames)
    var y = [Float](repeating: 0, count: signalLength)
    let c = momentum / (1 + momentum)
    let eps = Float.leastNormalMagnitude
    var havePrevious = false

    y.withUnsafeMutableBufferPointer { yb in
        let out = yb.baseAddress!, sp = UnsafePointer(s.pointer)
        for _ in 0..<nIter {
            engine.inverseFrameMajor(angles.pointer, frames: frames, length: signalLength, wss: wss, into: out)
            let signal = FramedSignal(out, length: signalLength, engine: engine)
            let r = rebuilt.pointer, p = previous.pointer, a = angles.pointer
            let usePrevious = havePrevious
            engine.forwardFrameMajor(signal, frames: frames, into: r) { t in
                let row = t * stride
                projectOntoMagnitudes(r + row, previous: usePrevious ? UnsafePointer(p + row) : nil,
                                      momentum: c, magnitudes: sp + t * bins, into: a + row,
                                      bins: bins, tiny: eps)
            }
            swap(&rebuilt, &previous)
            havePrevious = true
        }
        engine.inverseFrameMajor(angles.pointer, frames: frames, length: signalLength, wss: wss, into: out)
    }
    return y
}

/// One frame of Griffin-Lim's update: `a = S · v / (|v| + tiny)` with `v = rebuilt − c · previous`
/// (or `rebuilt` alone on the first iteration), on interleaved complex bins, four bins per SIMD
/// step. The operations and their order are the scalar formula's, so results are identical.
@inline(__always)
private func projectOntoMagnitudes(_ rebuilt: UnsafePointer<Float>, previous: UnsafePointer<Float>?, momentum c: Float,
                                   magnitudes s: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>,
                                   bins: Int, tiny: Float) {
    var k = 0
    let c8 = SIMD8<Float>(repeating: c), tiny4 = SIMD4<Float>(repeating: tiny)
    while k + 4 <= bins {
        var v = UnsafeRawPointer(rebuilt + 2 * k).loadUnaligned(as: SIMD8<Float>.self)
        if let previous { v -= c8 * UnsafeRawPointer(previous + 2 * k).loadUnaligned(as: SIMD8<Float>.self) }
        let squares = v * v
        let scale = UnsafeRawPointer(s + k).loadUnaligned(as: SIMD4<Float>.self)
            / ((squares.evenHalf + squares.oddHalf).squareRoot() + tiny4)
        let paired = SIMD8(scale[0], scale[0], scale[1], scale[1], scale[2], scale[2], scale[3], scale[3])
        UnsafeMutableRawPointer(a + 2 * k).storeBytes(of: v * paired, as: SIMD8<Float>.self)
        k += 4
    }
    while k < bins {
        var re = rebuilt[2 * k], im = rebuilt[2 * k + 1]
        if let previous {
            re -= c * previous[2 * k]
            im -= c * previous[2 * k + 1]
        }
        let scale = s[k] / ((re * re + im * im).squareRoot() + tiny)
        a[2 * k] = re * scale
        a[2 * k + 1] = im * scale
        k += 1
    }
}

/// Spectral convergence `‖|stft(y)| − S‖_F / ‖S‖_F`: how well `y` realises magnitudes `S`
/// (0 is perfect); the figure Griffin-Lim is judged by.
public func spectralConvergence(_ y: [Float], target magnitude: Spectrogram,
                                parameters: STFTParameters = STFTParameters(),
                                plans: FFTPlanCache = .shared) throws -> Double {
    let rebuilt = try stft(y, parameters: parameters, plans: plans).magnitude()
    guard rebuilt.rowCount == magnitude.rowCount, rebuilt.frameCount == magnitude.frameCount else {
        throw DSPError.shapeMismatch(what: "spectralConvergence", expected: "\(magnitude.shape)", got: "\(rebuilt.shape)")
    }
    var num = 0.0, den = 0.0
    for i in 0..<rebuilt.values.count {
        let d = Double(rebuilt.values[i]) - Double(magnitude.values[i])
        num += d * d
        den += Double(magnitude.values[i]) * Double(magnitude.values[i])
    }
    return den > 0 ? (num / den).squareRoot() : 0
}
