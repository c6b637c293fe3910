import CFFTW
import Foundation

/// FFTW single-precision real-FFT plans, made once per size and reused from any thread.
///
/// FFTW's planner is process-global and not thread-safe, so planning happens under the one
/// process-wide `FFTWPlannerLock` (a per-cache lock guards only the cache's dictionary); execution uses FFTW's
/// new-array interface (`fftwf_execute_dft_r2c(plan, in, out)`), which is thread-safe, on arrays
/// from `fftwf_malloc` (SIMD-aligned like the planning arrays, as FFTW requires). Plans are made
/// with `FFTW_MEASURE` (a few milliseconds once per size, then the fastest codelets) and are never
/// destroyed while the cache lives. `shared` is the process's cache; pass your own to isolate.
public final class FFTPlanCache: @unchecked Sendable {
    /// A forward (real → half complex) and inverse (half complex → real) plan for one size.
    public final class Plan: @unchecked Sendable {
        /// Transform length in samples.
        public let size: Int
        let forward: fftwf_plan
        let inverse: fftwf_plan
        init(size: Int, forward: fftwf_plan, inverse: fftwf_plan) {
            self.size = size; self.forward = forward; self.inverse = inverse
        }
        /// Real `[size]` → complex `[size/2 + 1]` (interleaved re, im), unnormalised.
        /// Both pointers must come from `fftwf_malloc` (see `FFTScratch`).
        @inline(__always)
        func forward(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
            output.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) {
                fftwf_execute_dft_r2c(forward, input, $0)
            }
        }
        /// Complex `[size/2 + 1]` → real `[size]`, unnormalised (scaled by `size`); destroys input.
        @inline(__always)
        func inverse(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
            input.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) {
                fftwf_execute_dft_c2r(inverse, $0, output)
            }
        }
    }

    /// The process-wide cache used when none is passed.
    public static let shared = FFTPlanCache()

    /// FFTW planner flags (`FFTW_MEASURE` by default).
    public let plannerFlags: UInt32
    private let lock = NSLock()
    private var plans: [Int: Plan] = [:]

    /// A cache planning with `plannerFlags`.
    public init(plannerFlags: UInt32 = UInt32(FFTW_MEASURE)) { self.plannerFlags = plannerFlags }

    /// The plan for `size` (even, ≥ 2), made on first use.
    public func plan(size: Int) -> Plan {
        precondition(size >= 2 && size % 2 == 0, "FFTPlanCache: size \(size) must be even and >= 2")
        lock.lock(); defer { lock.unlock() }
        if let plan = plans[size] { return plan }
        let real = fftwf_alloc_real(size)!
        let complex = fftwf_alloc_complex(size / 2 + 1)!
        defer { fftwf_free(real); fftwf_free(complex) }
        let plan = FFTWPlannerLock.withLock { () -> Plan in
            let forward = fftwf_plan_dft_r2c_1d(Int32(size), real, complex, plannerFlags)!
            let inverse = fftwf_plan_dft_c2r_1d(Int32(size), complex, real, plannerFlags)!
            return Plan(size: size, forward: forward, inverse: inverse)
        }
        plans[size] = plan
        return plan
    }
}

/// SIMD-aligned scratch floats from `fftwf_malloc`, freed on deinit. Buffers of 4 MiB and more
/// are advised onto huge pages (see `adviseHugePages`).
final class FFTScratch {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    /// `count` floats, zeroed unless `zeroed` is false (for buffers written before they are read).
    init(count: Int, zeroed: Bool = true) {
        self.count = count
        pointer = fftwf_alloc_real(max(count, 1))!
        adviseHugePages(pointer, bytes: max(count, 1) * MemoryLayout<Float>.stride)
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }
    deinit { fftwf_free(pointer) }
}
