/// librosa's `window_sumsquare` for an inverse STFT (the squared window overlap-added once per
/// frame, the divisor that undoes the analysis and synthesis windows), held without storing its
/// whole length.
///
/// Position `p` of the `nFFT + hop (frames − 1)` sums is reached by frames `t` with
/// `t·hop ≤ p < t·hop + nFFT`. Away from the two ends every position is reached by the same
/// offsets into the window, in the same order, so the float32 sums repeat with period `hop`:
/// only the head, one period and the tail are computed and kept. Each stored sum is accumulated
/// from zero frame by frame in increasing `t`, in float32, as librosa's loop does — the same
/// values the whole array would hold.
struct WindowSumSquare {
    /// Number of sums, `nFFT + hop (frames − 1)`.
    let count: Int
    let hop: Int
    /// First position of the periodic part; positions below it are in `head`.
    let interiorStart: Int
    /// End of the periodic part; positions from it on are in `tail`.
    let interiorEnd: Int
    /// Sums at `[0, interiorStart)`.
    let head: [Float]
    /// Sums at `[interiorStart, interiorStart + hop)`, repeating up to `interiorEnd`.
    let period: [Float]
    /// Sums at `[interiorEnd, count)`.
    let tail: [Float]

    /// - Parameters:
    ///   - window: the synthesis window padded to `nFFT`, `[nFFT]`.
    ///   - hop: samples between frames.
    ///   - frames: frames overlap-added (at least 1).
    init(window: [Float], hop: Int, frames: Int) {
        let nFFT = window.count
        let squares = window.map { $0 * $0 }
        count = nFFT + hop * (frames - 1)
        self.hop = hop
        // Below nFFT − hop a position misses frames before the first; from frames·hop on it
        // misses frames after the last. In between, p and p + hop see the same offsets.
        var start = max(0, nFFT - hop), end = frames * hop
        if end - start < hop { (start, end) = (count, count) }  // too short to repeat: all head
        interiorStart = start
        interiorEnd = end
        func sums(_ range: Range<Int>) -> [Float] {
            range.map { p in
                let first = p - nFFT + 1 <= 0 ? 0 : (p - nFFT + hop) / hop
                let last = min(frames - 1, p / hop)
                var sum: Float = 0
                if first <= last { for t in first...last { sum += squares[p - t * hop] } }
                return sum
            }
        }
        head = sums(0..<start)
        period = start < end ? sums(start..<(start + hop)) : []
        tail = sums(end..<count)
    }

    /// The sum at position `p` (`0 ≤ p < count`).
    subscript(p: Int) -> Float {
        if p < interiorStart { return head[p] }
        if p < interiorEnd { return period[(p - interiorStart) % hop] }
        return tail[p - interiorEnd]
    }

    /// `out[i] = values[i] / sum(first + i)` where that sum exceeds the smallest normal float,
    /// else `values[i]` unchanged (librosa's `istft`), for `i` in `0..<n`.
    @inline(__always)
    func divide(_ values: UnsafePointer<Float>, from first: Int, count n: Int, into out: UnsafeMutablePointer<Float>) {
        let tiny = Float.leastNormalMagnitude
        var i = 0
        while i < n {
            // The stored sums covering position p, where p falls in them, and how far they run.
            let p = first + i
            let (sums, offset, run): ([Float], Int, Int)
            if p < interiorStart {
                (sums, offset, run) = (head, p, interiorStart - p)
            } else if p < interiorEnd {
                let k = (p - interiorStart) % hop
                (sums, offset, run) = (period, k, min(interiorEnd - p, hop - k))
            } else {
                (sums, offset, run) = (tail, p - interiorEnd, count - p)
            }
            let m = min(n - i, run)
            sums.withUnsafeBufferPointer { w in
                Self.divide(values + i, by: w.baseAddress! + offset, count: m, tiny: tiny, into: out + i)
            }
            i += m
        }
    }

    @inline(__always)
    private static func divide(_ v: UnsafePointer<Float>, by w: UnsafePointer<Float>, count: Int, tiny: Float,
                               into out: UnsafeMutablePointer<Float>) {
        for j in 0..<count {
            let s = w[j]
            out[j] = s > tiny ? v[j] / s : v[j]
        }
    }
}
