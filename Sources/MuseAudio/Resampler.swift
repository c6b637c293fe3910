import CSampleRate
import Dispatch
import Foundation

/// libsamplerate's converters, best first.
public enum ResampleQuality: String, CaseIterable, Sendable {
    /// Band-limited sinc, 97 dB SNR, 97% bandwidth (`SRC_SINC_BEST_QUALITY`).
    case sincBest = "sinc-best"
    /// Band-limited sinc, 97 dB SNR, 90% bandwidth (`SRC_SINC_MEDIUM_QUALITY`).
    case sincMedium = "sinc-medium"
    /// Band-limited sinc, 97 dB SNR, 80% bandwidth (`SRC_SINC_FASTEST`).
    case sincFastest = "sinc-fastest"
    /// Sample and hold (`SRC_ZERO_ORDER_HOLD`): aliases, for tests and toys.
    case zeroOrderHold = "zero-order-hold"
    /// Linear interpolation (`SRC_LINEAR`): aliases.
    case linear = "linear"

    var converterType: Int32 {
        switch self {
        case .sincBest: return Int32(SRC_SINC_BEST_QUALITY)
        case .sincMedium: return Int32(SRC_SINC_MEDIUM_QUALITY)
        case .sincFastest: return Int32(SRC_SINC_FASTEST)
        case .zeroOrderHold: return Int32(SRC_ZERO_ORDER_HOLD)
        case .linear: return Int32(SRC_LINEAR)
        }
    }
}

/// Sample-rate conversion through libsamplerate.
///
/// Long signals are cut into overlapping pieces converted on all cores: a piece starts at an input
/// frame whose output position is a whole frame and carries `overlapFrames` of context on each
/// side, which is more than the widest sinc filter's reach, so the seams are identical to a
/// single pass up to float rounding (`ResamplerTests.testParallelPiecesMatchSinglePass`).
public enum Resampler {
    /// Input frames of context kept on each side of a piece's seam.
    static let overlapFrames = 8192
    /// Pieces shorter than this are not split.
    static let minimumPieceFrames = 1 << 16

    /// Resamples every channel of `buffer` to `sampleRate` Hz.
    /// - Returns: `[channels, ceil(frames × sampleRate / buffer.sampleRate)]` at `sampleRate`.
    /// - Throws: `AudioError.invalidParameter` for non-positive rates or a ratio libsamplerate
    ///   refuses (beyond 1/256...256); `.resampleFailed` for libsamplerate errors.
    public static func resample(_ buffer: AudioBuffer, to sampleRate: Double,
                                quality: ResampleQuality = .sincBest,
                                parallel: Bool = true) throws -> AudioBuffer {
        guard sampleRate > 0, sampleRate.isFinite else {
            throw AudioError.invalidParameter(name: "sampleRate", value: "\(sampleRate)", reason: "must be positive")
        }
        guard buffer.sampleRate > 0, buffer.sampleRate.isFinite else {
            throw AudioError.invalidParameter(name: "buffer.sampleRate", value: "\(buffer.sampleRate)", reason: "must be positive")
        }
        let ratio = sampleRate / buffer.sampleRate
        guard src_is_valid_ratio(ratio) != 0 else {
            throw AudioError.invalidParameter(name: "sampleRate", value: "\(sampleRate)",
                                              reason: "ratio \(ratio) is outside libsamplerate's 1/256...256")
        }
        if ratio == 1 { return buffer }
        let inFrames = buffer.frameCount
        let outFrames = Int((Double(inFrames) * ratio).rounded(.up))
        let channels = buffer.channelCount
        var output = [Float](repeating: 0, count: outFrames * channels)

        // Piece boundaries: input frames at which the output position is a whole frame.
        let step = alignmentStep(from: buffer.sampleRate, to: sampleRate)
        var cuts = [0]
        let cores = parallel ? ProcessInfo.processInfo.activeProcessorCount : 1
        if let step, cores > 1, inFrames >= 2 * minimumPieceFrames {
            let pieces = min(cores, inFrames / minimumPieceFrames)
            for p in 1..<pieces {
                let cut = (inFrames * p / pieces) / step * step
                if cut > cuts.last! { cuts.append(cut) }
            }
        }
        cuts.append(inFrames)
        let pieceCount = cuts.count - 1
        var errors = [Int32](repeating: 0, count: channels * pieceCount)

        buffer.samples.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                errors.withUnsafeMutableBufferPointer { errs in
                    let srcBase = src.baseAddress!, dstBase = dst.baseAddress!, errBase = errs.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: channels * pieceCount) { job in
                        let c = job / pieceCount, p = job % pieceCount
                        let lo = cuts[p], hi = cuts[p + 1]
                        let outLo = Int((Double(lo) * ratio).rounded()), outHi = p == pieceCount - 1 ? outFrames : Int((Double(hi) * ratio).rounded())
                        let ctxLo = max(0, lo - (p == 0 ? 0 : overlapFrames))
                        let ctxHi = min(inFrames, hi + (p == pieceCount - 1 ? 0 : overlapFrames))
                        let skip = Int((Double(lo - ctxLo) * ratio).rounded())
                        let capacity = Int((Double(ctxHi - ctxLo) * ratio).rounded(.up)) + 16
                        var scratch = [Float](repeating: 0, count: capacity)
                        let generated: Int = scratch.withUnsafeMutableBufferPointer { out in
                            var data = SRC_DATA()
                            data.data_in = UnsafePointer(srcBase + c * inFrames + ctxLo)
                            data.input_frames = ctxHi - ctxLo
                            data.data_out = out.baseAddress!
                            data.output_frames = capacity
                            data.src_ratio = ratio
                            data.end_of_input = 1
                            let status = src_simple(&data, quality.converterType, 1)
                            if status != 0 { errBase[job] = status; return 0 }
                            return Int(data.output_frames_gen)
                        }
                        let count = max(0, min(outHi - outLo, generated - skip))
                        for i in 0..<count { dstBase[c * outFrames + outLo + i] = scratch[skip + i] }
                    }
                }
            }
        }
        if let status = errors.first(where: { $0 != 0 }) {
            throw AudioError.resampleFailed(reason: String(cString: src_strerror(status)))
        }
        return AudioBuffer(planar: output, channelCount: channels, sampleRate: sampleRate)
    }

    /// Input frames between seams whose output positions are whole frames, or nil when the rates
    /// are not whole numbers (then the signal is converted in one piece).
    static func alignmentStep(from inRate: Double, to outRate: Double) -> Int? {
        guard inRate == inRate.rounded(), outRate == outRate.rounded(), inRate < 1e9, outRate < 1e9 else { return nil }
        var a = Int(inRate), b = Int(outRate)
        while b != 0 { (a, b) = (b, a % b) }
        return Int(inRate) / a
    }
}
