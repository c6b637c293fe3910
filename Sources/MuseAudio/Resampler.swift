import CSampleRate
import CSoxr
import Dispatch
import Foundation

/// Sample-rate conversion through libsoxr (default, as librosa) or libsamplerate.
///
/// Long signals are cut into pieces converted on all cores. A piece starts at an input frame
/// whose output position is a whole frame, and carries on each side at least twice the filter's
/// reach of context (also starting on such a frame), so every output frame of a piece sees the
/// same input as in a single pass and the seams are identical to one pass up to float rounding
/// (`ResamplerTests.testParallelPiecesMatchSinglePass`, several ratios and qualities).
public enum Resampler {
    /// Pieces are not made shorter than this many input frames.
    static let minimumPieceFrames = 1 << 16

    /// Resamples every channel of `buffer` to `sampleRate` Hz, as `librosa.resample(y,
    /// orig_sr:, target_sr:, res_type:)`: the output is cut or zero-padded to exactly
    /// `ceil(frames × sampleRate / buffer.sampleRate)` frames (librosa's `fix=True`) and not
    /// rescaled (`scale=False`).
    /// - Parameters:
    ///   - quality: the filter; `.soxrHQ` is librosa's default and gives librosa's samples.
    ///   - parallel: convert pieces of long signals on all cores (the result is the same).
    /// - Returns: `[channels, ceil(frames × sampleRate / buffer.sampleRate)]` at `sampleRate`.
    /// - Throws: `AudioError.invalidParameter` for rates that are not positive and finite or a
    ///   ratio outside 1/256...256; `.resampleFailed` with the library's message.
    public static func resample(_ buffer: AudioBuffer, to sampleRate: Double,
                                quality: ResampleQuality = .soxrHQ,
                                parallel: Bool = true) throws -> AudioBuffer {
        guard sampleRate > 0, sampleRate.isFinite else {
            throw AudioError.invalidParameter(name: "sampleRate", value: "\(sampleRate)", reason: "must be positive")
        }
        let inRate = buffer.sampleRate
        guard inRate > 0, inRate.isFinite else {
            throw AudioError.invalidParameter(name: "buffer.sampleRate", value: "\(inRate)", reason: "must be positive")
        }
        let ratio = sampleRate / inRate
        guard ratio >= 1.0 / 256, ratio <= 256 else {
            throw AudioError.invalidParameter(name: "sampleRate", value: "\(sampleRate)",
                                              reason: "ratio \(ratio) to \(inRate) Hz is outside 1/256...256")
        }
        if ratio == 1 { return buffer }
        let inFrames = buffer.frameCount
        let outFrames = Int((Double(inFrames) * ratio).rounded(.up))
        let channels = buffer.channelCount
        var output = [Float](repeating: 0, count: outFrames * channels)
        if inFrames == 0 { return AudioBuffer(planar: output, channelCount: channels, sampleRate: sampleRate) }

        // Pieces: input frames [cuts[p], cuts[p+1]), each cut a multiple of `step`.
        let step = alignmentStep(from: inRate, to: sampleRate)
        let reach = Double(quality.reachFrames) * max(1, 1 / ratio)
        var context = 0
        var cuts = [0]
        let cores = parallel ? ProcessInfo.processInfo.activeProcessorCount : 1
        if let step, cores > 1, inFrames >= 2 * minimumPieceFrames {
            context = (Int(2 * reach) + 64 + step - 1) / step * step
            let pieces = min(cores, inFrames / minimumPieceFrames)
            for p in 1..<pieces {
                let cut = (inFrames * p / pieces) / step * step
                if cut > cuts.last! { cuts.append(cut) }
            }
        }
        cuts.append(inFrames)
        let pieceCount = cuts.count - 1
        var failures = [String?](repeating: nil, count: channels * pieceCount)

        buffer.samples.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                failures.withUnsafeMutableBufferPointer { fails in
                    let srcBase = src.baseAddress!, dstBase = dst.baseAddress!, failBase = fails.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: channels * pieceCount) { job in
                        let c = job / pieceCount, p = job % pieceCount
                        let lo = cuts[p], hi = cuts[p + 1]
                        let last = p == pieceCount - 1
                        // Output frames this piece owns; the last one runs to the (padded) end.
                        let outLo = Int((Double(lo) * ratio).rounded())
                        let outHi = last ? outFrames : Int((Double(hi) * ratio).rounded())
                        let ctxLo = max(0, lo - context)
                        let ctxHi = last ? inFrames : min(inFrames, hi + context)
                        let skip = Int((Double(lo - ctxLo) * ratio).rounded())
                        let capacity = Int((Double(ctxHi - ctxLo) * ratio).rounded(.up)) + 16
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
                        defer { scratch.deallocate() }
                        let input = UnsafePointer(srcBase + c * inFrames + ctxLo)
                        let generated: Int
                        switch convert(input, frames: ctxHi - ctxLo, from: inRate, to: sampleRate,
                                       quality: quality, into: scratch, capacity: capacity) {
                        case .success(let count): generated = count
                        case .failure(let failure): failBase[job] = failure.message; return
                        }
                        let count = max(0, min(outHi - outLo, generated - skip))
                        (dstBase + c * outFrames + outLo).update(from: scratch + skip, count: count)
                    }
                }
            }
        }
        if let message = failures.lazy.compactMap({ $0 }).first {
            throw AudioError.resampleFailed(reason: message)
        }
        return AudioBuffer(planar: output, channelCount: channels, sampleRate: sampleRate)
    }

    /// Converts one channel in one pass (all input given, the filter flushed at the end).
    /// - Returns: the number of frames written to `output`, or the library's error message.
    static func convert(_ input: UnsafePointer<Float>, frames: Int, from inRate: Double, to outRate: Double,
                        quality: ResampleQuality, into output: UnsafeMutablePointer<Float>,
                        capacity: Int) -> Result<Int, ConversionFailure> {
        switch quality.engine {
        case .soxr(let recipe):
            var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
            var spec = soxr_quality_spec(recipe, 0)
            var runtime = soxr_runtime_spec(1)
            var done = 0
            if let error = soxr_oneshot(inRate, outRate, 1, input, frames, nil, output, capacity, &done,
                                        &io, &spec, &runtime) {
                return .failure(ConversionFailure(message: "soxr: " + String(cString: error)))
            }
            return .success(done)
        case .sampleRate(let converter):
            var data = SRC_DATA()
            data.data_in = input
            data.input_frames = frames
            data.data_out = output
            data.output_frames = capacity
            data.src_ratio = outRate / inRate
            data.end_of_input = 1
            let status = src_simple(&data, converter, 1)
            if status != 0 { return .failure(ConversionFailure(message: "libsamplerate: " + String(cString: src_strerror(status)))) }
            return .success(Int(data.output_frames_gen))
        }
    }

    /// A library's error message.
    struct ConversionFailure: Error { let message: String }

    /// Input frames between seams whose output positions are whole frames, or nil when the rates
    /// are not whole numbers (then the signal is converted in one piece).
    static func alignmentStep(from inRate: Double, to outRate: Double) -> Int? {
        guard inRate == inRate.rounded(), outRate == outRate.rounded(), inRate < 1e9, outRate < 1e9 else { return nil }
        var a = Int(inRate), b = Int(outRate)
        while b != 0 { (a, b) = (b, a % b) }
        return Int(inRate) / a
    }
}
