import Dispatch
import Foundation

/// The frame loops behind `stft`, `istft` and `griffinLim`: one plan, one window, both cores.
///
/// Internally spectra are **frame-major** and interleaved (`[frames, rowStride]`, bin k of frame t
/// at `t * rowStride + 2k`), which is what FFTW produces; `rowStride` rounds `2 × bins` up to 16
/// floats so every row keeps FFTW's SIMD alignment. The public `[bins, frames]` layout is made by a
/// blocked transpose fused into the forward pass (a cache-resident block of 64 frames at a time).
final class STFTEngine {
    let parameters: STFTParameters
    let nFFT: Int
    let hop: Int
    let bins: Int
    let rowStride: Int
    let plan: FFTPlanCache.Plan
    /// Analysis/synthesis window padded to `nFFT`.
    let window: [Float]
    /// Frames handled per parallel job.
    static let framesPerJob = 64
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)

    init(_ parameters: STFTParameters, plans: FFTPlanCache = .shared) throws {
        try parameters.validate()
        self.parameters = parameters
        nFFT = parameters.nFFT
        hop = parameters.resolvedHopLength
        bins = nFFT / 2 + 1
        rowStride = (2 * bins + 15) / 16 * 16
        plan = plans.plan(size: nFFT)
        window = parameters.window.padded(winLength: parameters.resolvedWinLength, nFFT: nFFT)
    }

    // MARK: Padding

    /// Samples added before the signal when centred.
    var leftPad: Int { parameters.center ? nFFT / 2 : 0 }

    /// Frames for a signal of `length` samples; throws when not even one frame fits.
    func frameCount(signalLength length: Int) throws -> Int {
        guard length > 0 else {
            throw DSPError.signalTooShort(length: length, needed: 1, reason: "empty signal")
        }
        let frames = parameters.frameCount(signalLength: length)
        guard frames > 0 else {
            throw DSPError.signalTooShort(length: length, needed: nFFT,
                                          reason: "n_fft=\(nFFT) is too large for uncentered analysis")
        }
        return frames
    }

    /// numpy's "reflect" index for any integer position (period 2(n − 1)).
    static func reflect(_ index: Int, _ n: Int) -> Int {
        let period = 2 * (n - 1)
        var i = index % period
        if i < 0 { i += period }
        return i < n ? i : period - i
    }

    // MARK: Forward

    /// Windows frame `t` of `signal` into `input` and transforms it into `output` (interleaved
    /// complex, `bins` pairs). Both buffers come from `fftwf_malloc`.
    @inline(__always)
    private func transform(_ signal: FramedSignal, frame t: Int, window w: UnsafePointer<Float>,
                           input: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let src = signal.frame(t)
        for i in 0..<nFFT { input[i] = src[i] * w[i] }
        plan.forward(input, output)
    }

    /// Forward transform of frames `[0, frames)` of the signal into frame-major `out`
    /// (`frames × rowStride` floats, from `fftwf_malloc`). `each(t)`, when given, runs on the same
    /// worker right after frame t is written, while its row is still in cache (Griffin-Lim fuses
    /// its update there instead of streaming the whole spectrogram through memory again).
    func forwardFrameMajor(_ signal: FramedSignal, frames: Int, into out: UnsafeMutablePointer<Float>,
                           each: ((Int) -> Void)? = nil) {
        let jobs = (frames + Self.framesPerJob - 1) / Self.framesPerJob
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            let input = FFTScratch(count: nFFT)
            window.withUnsafeBufferPointer { w in
                for t in (job * Self.framesPerJob)..<min(frames, (job + 1) * Self.framesPerJob) {
                    transform(signal, frame: t, window: w.baseAddress!, input: input.pointer, into: out + t * rowStride)
                    each?(t)
                }
            }
        }
    }

    /// Forward transform straight into librosa's `[bins, frames]` split layout.
    func forward(_ signal: FramedSignal, frames: Int,
                 real: UnsafeMutablePointer<Float>, imag: UnsafeMutablePointer<Float>) {
        forwardBlocks(signal, frames: frames) { b, count, t0 in
            // Tiles of 8 bins: each frame's 8 bins are one contiguous 64-byte read, written to
            // 16 output rows that each advance by one float per frame.
            var k0 = 0
            while k0 < bins {
                let width = min(8, bins - k0)
                let re = real + k0 * frames + t0, im = imag + k0 * frames + t0
                for j in 0..<count {
                    let row = b + j * rowStride + 2 * k0
                    for kk in 0..<width {
                        re[kk * frames + j] = row[2 * kk]
                        im[kk * frames + j] = row[2 * kk + 1]
                    }
                }
                k0 += 8
            }
        }
    }

    /// Forward transform reduced to `|X|^power`, `[bins, frames]`: no complex array is formed.
    func forwardPower(_ signal: FramedSignal, frames: Int, power: Float, into out: UnsafeMutablePointer<Float>) {
        forwardBlocks(signal, frames: frames) { b, count, t0 in
            for k in 0..<bins {
                let row = out + k * frames + t0
                if power == 2 {
                    for j in 0..<count {
                        let re = b[j * rowStride + 2 * k], im = b[j * rowStride + 2 * k + 1]
                        row[j] = re * re + im * im
                    }
                } else {
                    for j in 0..<count {
                        let re = b[j * rowStride + 2 * k], im = b[j * rowStride + 2 * k + 1]
                        let p = re * re + im * im
                        row[j] = power == 1 ? p.squareRoot() : Foundation.pow(p, power / 2)
                    }
                }
            }
        }
    }

    /// One job per core over contiguous frames; inside, blocks of 64 frames are transformed into
    /// a small cache-resident buffer and handed to `emit(buffer, count, firstFrame)`, which
    /// writes them out transposed (each row write is 256 contiguous bytes).
    @inline(__always)
    private func forwardBlocks(_ signal: FramedSignal, frames: Int,
                               emit: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        let block = 64
        let jobs = min(frames, workers)
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            let input = FFTScratch(count: nFFT)
            let buffer = FFTScratch(count: block * rowStride)
            let b = buffer.pointer
            let lo = frames * job / jobs, hi = frames * (job + 1) / jobs
            window.withUnsafeBufferPointer { w in
                var t0 = lo
                while t0 < hi {
                    let count = min(block, hi - t0)
                    for j in 0..<count {
                        transform(signal, frame: t0 + j, window: w.baseAddress!, input: input.pointer, into: b + j * rowStride)
                    }
                    emit(b, count, t0)
                    t0 += count
                }
            }
        }
    }

    // MARK: Inverse

    /// Frames used and output length of an inverse transform (librosa's `istft` rules).
    func inverseShape(frames: Int, length: Int?) -> (frames: Int, length: Int) {
        var used = frames
        if let length {
            let padded = parameters.center ? length + 2 * (nFFT / 2) : length
            used = min(frames, (padded + hop - 1) / hop)
            return (used, length)
        }
        var expected = nFFT + hop * (used - 1)
        if parameters.center { expected -= 2 * (nFFT / 2) }
        return (used, max(0, expected))
    }

    /// `window_sumsquare` over `frames` frames, `[nFFT + hop (frames − 1)]`: librosa's float32
    /// accumulation of the squared window frame by frame, in its order (so the same sums).
    func windowSumSquare(frames: Int) -> [Float] {
        let n = nFFT + hop * (frames - 1)
        let sq = window.map { $0 * $0 }
        return [Float](unsafeUninitializedCapacity: n) { out, count in
            let o = out.baseAddress!
            o.initialize(repeating: 0, count: n)
            sq.withUnsafeBufferPointer { w in
                let sp = w.baseAddress!
                for t in 0..<frames {
                    let dst = o + t * hop
                    for i in 0..<nFFT { dst[i] += sp[i] }
                }
            }
            count = n
        }
    }

    /// Floats of scratch `inverseFrameMajor` needs for `frames` frames: one private overlap-add
    /// buffer of the full padded length per parallel job. It need not be zeroed: each job
    /// clears the span it accumulates into, and only that span is read.
    func inverseScratchCount(frames: Int) -> Int {
        min(frames, workers) * (nFFT + hop * (frames - 1))
    }

    /// Inverse of frame-major `spec` by windowed overlap-add, divided by the
    /// window's sum of squares where it is non-zero, trimmed as librosa's `istft`.
    ///
    /// Each job takes a contiguous run of frames and overlap-adds them into its own buffer (no
    /// per-frame array, no locking); a second pass sums the neighbouring runs' overlaps, divides
    /// and trims. Each row of `spec` is transformed in place and left **destroyed** (FFTW's c2r
    /// overwrites its input): both callers are done with it, and not copying each row first
    /// saves a pass over the spectrogram.
    /// - Parameters:
    ///   - spec: frame-major, `frames × rowStride` floats from `fftwf_malloc`; clobbered.
    ///   - scratch: `inverseScratchCount(frames:)` floats.
    ///   - wss: `windowSumSquare(frames:)` for the frames used.
    ///   - y: output, `length` floats.
    func inverseFrameMajor(_ spec: UnsafeMutablePointer<Float>, frames: Int, length: Int,
                           scratch: UnsafeMutablePointer<Float>, wss: UnsafePointer<Float>,
                           into y: UnsafeMutablePointer<Float>) {
        overlapAddRuns(frames: frames, scratch: scratch) { lo, hi, add in
            for t in lo..<hi { add(spec + t * rowStride, t) }
        }
        finishOverlapAdd(frames: frames, length: length, scratch: scratch, wss: wss, into: y)
    }

    /// Inverse of a `[bins, totalFrames]` split spectrogram (`istft`'s input), first `frames`
    /// frames, as `inverseFrameMajor` but without a frame-major copy of the whole spectrogram:
    /// each job gathers 16 frames at a time (one cache line of each input row) into a small
    /// frame-major tile that stays in cache, and transforms them from there.
    func inverseSplit(real: UnsafePointer<Float>, imag: UnsafePointer<Float>, totalFrames: Int, frames: Int, length: Int,
                      scratch: UnsafeMutablePointer<Float>, wss: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let tile = 16, bins = bins, stride = rowStride
        overlapAddRuns(frames: frames, scratch: scratch) { lo, hi, add in
            let rows = FFTScratch(count: tile * stride, zeroed: false)
            let out = rows.pointer
            var t0 = lo
            while t0 < hi {
                let t1 = Swift.min(hi, t0 + tile)
                for k in 0..<bins {
                    let r = real + k * totalFrames, i = imag + k * totalFrames
                    for t in t0..<t1 {
                        out[(t - t0) * stride + 2 * k] = r[t]
                        out[(t - t0) * stride + 2 * k + 1] = i[t]
                    }
                }
                for t in t0..<t1 { add(out + (t - t0) * stride, t) }
                t0 = t1
            }
        }
        finishOverlapAdd(frames: frames, length: length, scratch: scratch, wss: wss, into: y)
    }

    /// First pass of an inverse: each job takes a contiguous run of frames [lo, hi) and calls
    /// `frames(lo, hi, add)`, which calls `add(row, t)` for each frame t with its spectrum row
    /// (interleaved, FFTW-aligned, clobbered); `add` inverse-transforms it and overlap-adds the
    /// windowed, 1/nFFT-scaled frame into the job's own span of `scratch`.
    @inline(__always)
    private func overlapAddRuns(frames: Int, scratch: UnsafeMutablePointer<Float>,
                                _ body: (Int, Int, (UnsafeMutablePointer<Float>, Int) -> Void) -> Void) {
        let jobs = min(frames, workers)
        let fullLength = nFFT + hop * (frames - 1)
        let scale = 1 / Float(nFFT)
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            let real = FFTScratch(count: nFFT)
            let lo = frames * job / jobs, hi = frames * (job + 1) / jobs
            let acc = scratch + job * fullLength
            let start = lo * hop, end = (hi - 1) * hop + nFFT
            (acc + start).update(repeating: 0, count: end - start)
            window.withUnsafeBufferPointer { w in
                let w = w.baseAddress!, r = real.pointer
                body(lo, hi) { row, t in
                    plan.inverse(row, r)
                    let dst = acc + t * hop
                    for i in 0..<nFFT { dst[i] += r[i] * w[i] * scale }
                }
            }
        }
    }

    /// Second pass of an inverse: sums the jobs' overlapping runs, divides by the window sum and
    /// trims into `y`.
    private func finishOverlapAdd(frames: Int, length: Int, scratch: UnsafeMutablePointer<Float>,
                                  wss: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let jobs = min(frames, workers)
        let fullLength = nFFT + hop * (frames - 1)
        func range(_ job: Int) -> (lo: Int, hi: Int) { (frames * job / jobs, frames * (job + 1) / jobs) }
        // Sum the runs, divide by the window sum, trim: output sample n is padded sample n + start.
        let start = leftPad
        let segment = max(hop, (length + workers * 4 - 1) / (workers * 4))
        let segments = (length + segment - 1) / segment
        let tiny = Float.leastNormalMagnitude
        DispatchQueue.concurrentPerform(iterations: segments) { s in
            let lo = s * segment, hi = min(length, lo + segment)
            for n in lo..<hi { y[n] = 0 }
            let plo = lo + start, phi = min(hi + start, fullLength)
            guard plo < phi else { return }
            for job in 0..<jobs {
                let (flo, fhi) = range(job)
                let a = max(plo, flo * hop), b = min(phi, (fhi - 1) * hop + nFFT)
                if a >= b { continue }
                let acc = scratch + job * fullLength
                for p in a..<b { y[p - start] += acc[p] }
            }
            for p in plo..<phi where wss[p] > tiny { y[p - start] /= wss[p] }
        }
    }
}
