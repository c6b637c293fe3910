import CFFTW
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
    /// `window / nFFT`: the synthesis window with FFTW's unnormalised inverse scaling folded in
    /// (exact for power-of-two sizes: scaling by 2^-k only moves the exponent).
    let scaledWindow: [Float]
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
        let size = Float(parameters.nFFT)
        scaledWindow = window.map { $0 / size }
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

    /// `window_sumsquare` over `frames` frames (see `WindowSumSquare`).
    func windowSumSquare(frames: Int) -> WindowSumSquare {
        WindowSumSquare(window: window, hop: hop, frames: frames)
    }

    /// Inverse of frame-major `spec` by windowed overlap-add, divided by the window's sum of
    /// squares where it is non-zero, trimmed as librosa's `istft` (see `overlapAddStream`).
    /// Each row of `spec` is transformed in place and left **destroyed** (FFTW's c2r overwrites
    /// its input): the caller is done with it, and not copying each row first saves a pass over
    /// the spectrogram. The few rows two jobs both need are copied aside first.
    /// - Parameters:
    ///   - spec: frame-major, `frames × rowStride` floats from `fftwf_malloc`; clobbered.
    ///   - wss: `windowSumSquare(frames:)` for the frames used.
    ///   - y: output, `length` floats.
    ///   - jobs: parallel jobs (default: `inverseRuns`' choice); the output does not depend on it.
    func inverseFrameMajor(_ spec: UnsafeMutablePointer<Float>, frames: Int, length: Int,
                           wss: WindowSumSquare, into y: UnsafeMutablePointer<Float>, jobs: Int? = nil) {
        let runs = inverseRuns(frames: frames, jobs: jobs)
        // Lead-in rows belong to the previous job, which clobbers them: copy them first.
        let leadRows = runs.dropFirst().reduce(0) { $0 + $1.lo - $1.first }
        let aside = FFTScratch(count: max(1, leadRows) * rowStride, zeroed: false)
        var offsets = [Int](repeating: 0, count: runs.count)
        var next = 0
        for (j, run) in runs.enumerated() where j > 0 {
            offsets[j] = next
            (aside.pointer + next * rowStride).update(from: spec + run.first * rowStride, count: (run.lo - run.first) * rowStride)
            next += run.lo - run.first
        }
        overlapAddStream(runs: runs, frames: frames, length: length, wss: wss, into: y) { job, first, lo, hi, add in
            for t in first..<hi {
                let row = t < lo ? aside.pointer + (offsets[job] + t - first) * rowStride : spec + t * rowStride
                add(row, t)
            }
        }
    }

    /// Inverse of a `[bins, totalFrames]` split spectrogram (`istft`'s input), first `frames`
    /// frames, as `inverseFrameMajor` but without a frame-major copy of the whole spectrogram:
    /// each job gathers up to 512 KiB of frames at a time (126 for n_fft 2048) into a
    /// frame-major tile and transforms them from there. The gather goes one bin at a time, 8
    /// bins per pass over the tile: each input row is read as one sequential run of half a
    /// kilobyte while the next row is prefetched, and the 8 bins of each frame land in one
    /// cache line of the tile that stays in L1 across the pass. (Reads were the cost: runs of
    /// 64 bytes, or rows met without a prefetch, made the gather slower than the FFTs.)
    /// `jobs`: parallel jobs (default: `inverseRuns`' choice); the output does not depend on it.
    func inverseSplit(real: UnsafePointer<Float>, imag: UnsafePointer<Float>, totalFrames: Int, frames: Int, length: Int,
                      wss: WindowSumSquare, into y: UnsafeMutablePointer<Float>, jobs: Int? = nil) {
        let bins = bins, stride = rowStride
        let block = max(16, (1 << 17) / stride)
        overlapAddStream(runs: inverseRuns(frames: frames, jobs: jobs), frames: frames, length: length, wss: wss, into: y) { _, first, _, hi, add in
            let tile = FFTScratch(count: min(block, hi - first) * stride, zeroed: false)
            let b = tile.pointer
            var t0 = first
            while t0 < hi {
                let count = Swift.min(block, hi - t0)
                for k in 0..<bins {
                    let re = real + (k &* totalFrames &+ t0), im = imag + (k &* totalFrames &+ t0)
                    var line = 0
                    while line < count {
                        muse_prefetch(re + (totalFrames &+ line))
                        muse_prefetch(im + (totalFrames &+ line))
                        line &+= 16
                    }
                    let dst = b + 2 &* k
                    for j in 0..<count {
                        dst[j &* stride] = re[j]
                        dst[j &* stride &+ 1] = im[j]
                    }
                }
                for j in 0..<count { add(b + j * stride, t0 + j) }
                t0 += count
            }
        }
    }

    /// How an inverse splits its frames between jobs: job j owns frames `[lo, hi)` and the output
    /// samples they start, and first transforms the `lo − first` earlier frames that still overlap
    /// its first sample (3 for a hop of n_fft / 4), so no job waits for another or shares a buffer.
    /// By default one job per core, or one job when those lead-in frames would be a large share
    /// of the work (tiny hops, few frames); `jobs`, when given, is used as it is (up to `frames`).
    func inverseRuns(frames: Int, jobs requested: Int? = nil) -> [(first: Int, lo: Int, hi: Int)] {
        let lead = (nFFT - 1) / hop
        let jobs = requested.map { max(1, min($0, frames)) } ?? (frames >= 16 * workers * max(1, lead) ? workers : 1)
        return (0..<jobs).map { j in
            let lo = frames * j / jobs, hi = frames * (j + 1) / jobs
            return (max(0, lo - lead), lo, hi)
        }
    }

    /// The inverse's overlap-add, streamed: each job adds its frames, in order, into a small
    /// cache-resident accumulator; the `hop` samples a frame completes (no later frame reaches
    /// them) are divided by the window sum and written straight to `y`, trimmed. Every output
    /// sample is the sum, from zero in increasing frame order, of the frames that reach it —
    /// librosa's order — and no full-length scratch buffer is written or read.
    ///
    /// `frames(job, first, lo, hi, add)` must call `add(row, t)` for each t in `first..<hi` in
    /// increasing order, with frame t's spectrum row (interleaved, FFTW-aligned, clobbered).
    @inline(__always)
    private func overlapAddStream(runs: [(first: Int, lo: Int, hi: Int)], frames: Int, length: Int,
                                  wss: WindowSumSquare, into y: UnsafeMutablePointer<Float>,
                                  _ body: (Int, Int, Int, Int, (UnsafeMutablePointer<Float>, Int) -> Void) -> Void) {
        let fullLength = nFFT + hop * (frames - 1)
        let start = leftPad, hop = hop, nFFT = nFFT
        // Samples past the last frame's end (a `length` longer than the frames cover) are zero.
        let covered = max(0, min(length, fullLength - start))
        (y + covered).update(repeating: 0, count: length - covered)
        let capacity = nFFT + 32 * hop  // shifted back once every 32 frames
        DispatchQueue.concurrentPerform(iterations: runs.count) { job in
            let (first, lo, hi) = runs[job]
            // Padded samples this job writes: from its first frame's start to the next job's.
            let ownLo = job == 0 ? 0 : lo * hop
            let ownHi = job == runs.count - 1 ? fullLength : hi * hop
            let yLo = max(ownLo, start), yHi = min(ownHi, start + length)
            let real = FFTScratch(count: nFFT, zeroed: false)
            let acc = FFTScratch(count: capacity)  // zeroed: untouched samples must read 0
            var base = first * hop  // padded position of acc[0]
            scaledWindow.withUnsafeBufferPointer { w in
                let w = w.baseAddress!, r = real.pointer, a = acc.pointer
                body(job, first, lo, hi) { row, t in
                    var offset = t * hop - base
                    if offset + nFFT > capacity {
                        // Keep the nFFT − hop samples earlier frames left unfinished; clear the rest.
                        let live = nFFT - hop
                        a.update(from: a + offset, count: live)
                        (a + live).update(repeating: 0, count: capacity - live)
                        base = t * hop
                        offset = 0
                    }
                    plan.inverse(row, r)
                    let dst = a + offset
                    for i in 0..<nFFT { dst[i] += r[i] * w[i] }
                    // Finished: [t·hop, (t+1)·hop), or through the end after the last frame.
                    let done = t == frames - 1 ? fullLength : (t + 1) * hop
                    let from = max(t * hop, yLo), to = min(done, yHi)
                    if from < to {
                        wss.divide(a + (from - base), from: from, count: to - from, into: y + (from - start))
                    }
                }
            }
        }
    }
}
