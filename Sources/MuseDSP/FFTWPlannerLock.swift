import Foundation

/// The one lock around FFTW's planner for the whole process.
///
/// FFTW's planner (`fftwf_plan_*`, `fftwf_destroy_plan`) keeps process-global state and is not
/// thread-safe, so two `FFTPlanCache` instances planning at once on different threads would race
/// if each only held its own lock. Every call into the planner in Muse goes through `withLock`.
/// Executing a plan (`fftwf_execute_dft_*` with new arrays) and `fftwf_malloc` need no lock.
enum FFTWPlannerLock {
    private static let lock = NSLock()

    /// Runs `body` while holding the process-wide planner lock.
    static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
