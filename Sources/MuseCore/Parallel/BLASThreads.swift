import CBLAS
import Foundation

/// The one owner of OpenBLAS's process-wide thread count.
///
/// Kernels that issue many small products from several threads of their own (the LSTM recurrence,
/// per-head attention) run OpenBLAS single-threaded, where its workers would only spin and contend.
/// The count is a property of the whole process, so sections are counted: the first section to
/// enter saves the count and sets one thread, the last to leave restores it, however sections on
/// different threads overlap (a save/set/restore per caller could restore "1" last and leave the
/// process single-threaded). A product started on another thread during a section runs
/// single-threaded: slower, never wrong.
public enum BLASThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var saved: Int32 = 1

    /// `body` with OpenBLAS on one thread (when `condition` holds; otherwise just `body`).
    public static func singleThreaded<R>(if condition: Bool = true, _ body: () throws -> R) rethrows -> R {
        guard condition else { return try body() }
        enter()
        defer { leave() }
        return try body()
    }

    /// OpenBLAS's thread count now.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Sets the count outside any section (a benchmark comparing 1 and 2 threads).
    /// - Precondition: no single-threaded section is running.
    public static func set(_ threads: Int) {
        lock.lock(); defer { lock.unlock() }
        precondition(depth == 0, "BLASThreads.set inside a single-threaded section")
        openblas_set_num_threads(Int32(threads))
    }

    private static func enter() {
        lock.lock(); defer { lock.unlock() }
        if depth == 0 {
            saved = openblas_get_num_threads()
            openblas_set_num_threads(1)
        }
        depth += 1
    }

    private static func leave() {
        lock.lock(); defer { lock.unlock() }
        depth -= 1
        if depth == 0 { openblas_set_num_threads(saved) }
    }
}
