import CBLAS
import CMuseKernels
import Foundation

/// MuseCore's threads: one pool of workers (`MuseWorkerPool`, in C) runs every parallel loop and
/// every large matrix product, the calling thread taking part, as OpenMP's team does in PyTorch.
///
/// OpenBLAS runs on one thread: `Tensor.gemm` splits a large product into row (or column) blocks
/// over the pool itself. One pool for both kinds of work means that no two sets of threads wait
/// for the same cores, and the workers, which spin for a moment after each job before they sleep,
/// are awake for the next loop of a training step (waking a sleeping thread costs tens of
/// microseconds, as much as a whole product of a small model).
///
/// Small loops run inline, because even an awake worker costs more than a few thousand flops.
public enum Parallel {
    /// Element count below which elementwise work stays on the calling thread.
    public static let minimumElements = 1 << 15

    /// How long a worker spins for the next job before it sleeps: `$MUSE_SPIN_MICROSECONDS`, or
    /// 200 µs (a step's parallel loops follow each other within microseconds; a process that
    /// waits for I/O, or a user, sleeps after 0.2 ms). Spinning longer is no faster: 1 ms made
    /// the spectrogram VAE's step a little faster and the Music Transformer's about 8% slower
    /// (measured on a 2-core cloud machine, within its noise; a guess at why: a spinning core
    /// takes from the clock boost of the core doing the single-threaded work).
    public static let spinMicroseconds: Int = {
        if let value = ProcessInfo.processInfo.environment["MUSE_SPIN_MICROSECONDS"], let micros = Int(value), micros >= 0 {
            return min(micros, 1_000_000)
        }
        return 200
    }()

    /// The pool: one worker fewer than the threads, the active core count or `$MUSE_THREADS` when
    /// set to a positive number (read once; `MUSE_THREADS=1` pins a whole process to one thread,
    /// as benchmarks comparing 1 and 2 threads do). `nil` with one thread. Made on first use,
    /// which also sets OpenBLAS to one thread.
    @usableFromInline
    static let pool: OpaquePointer? = {
        openblas_set_num_threads(1)
        var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        if let value = ProcessInfo.processInfo.environment["MUSE_THREADS"], let n = Int(value), n > 0 { threads = min(n, 256) }
        guard threads > 1 else { return nil }
        return muse_worker_pool_create(Int32(threads - 1), spinMicroseconds * 1000)
    }()

    /// Makes the pool (and sets OpenBLAS to one thread) if nothing has yet: code that calls
    /// OpenBLAS directly, not through `Tensor.gemm`, calls this first.
    public static func startPool() { _ = pool }

    /// Threads a parallel loop or product uses, the caller included.
    public static var coreCount: Int { Int(muse_worker_pool_participants(pool)) }

    /// Lowers (or restores) the threads parallel work uses, at most the pool's size: data-parallel
    /// training gives each process on a machine its share of the cores.
    public static func setThreadCount(_ threads: Int) {
        muse_worker_pool_set_participants(pool, Int32(clamping: threads))
    }

    /// Whether a parallel job is running now (work started from inside it runs inline).
    public static var isBusy: Bool { muse_worker_pool_busy(pool) != 0 }

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
        forEach(chunks) { c in
            let lo = c * size
            let hi = min(count, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Calls `body(i)` once for every `i` in `0..<count`, spread over the pool's threads (the
    /// caller's included), and returns when every call has returned. Called while another job
    /// runs (from inside `body`, or from another thread), every `i` runs on the calling thread.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, let pool else {
            for i in 0..<max(count, 0) { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                _ = muse_worker_pool_run(pool, count, { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
                }, context)
            }
        }
    }
}
