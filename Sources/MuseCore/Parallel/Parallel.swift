import Foundation

/// Splits large loops over the machine's cores (`DispatchQueue.concurrentPerform`); small loops
/// run inline, because waking a second thread costs more than a few thousand flops.
public enum Parallel {
    /// Element count below which elementwise work stays on the calling thread.
    public static let minimumElements = 1 << 15
    /// Number of chunks large work is split into: the active core count, or `$MUSE_THREADS` when
    /// set to a positive number (read once; with `OPENBLAS_NUM_THREADS` it pins a whole process
    /// to that many threads, as benchmarks comparing 1 and 2 threads do).
    public static let coreCount: Int = {
        if let value = ProcessInfo.processInfo.environment["MUSE_THREADS"], let threads = Int(value), threads > 0 {
            return threads
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Calls `body` on disjoint ranges covering `0..<count`, in parallel when `count` is at least
    /// `minimumChunk` per core. `body` must only write to locations its range owns.
    @inlinable
    public static func forEachChunk(count: Int, minimumChunk: Int = minimumElements, _ body: (Range<Int>) -> Void) {
        let chunks = min(coreCount, count / max(1, minimumChunk))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size
            let hi = min(count, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }
}
