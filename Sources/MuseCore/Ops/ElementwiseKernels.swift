import CMuseKernels
import Foundation

/// MuseCore's transcendental loops (exp for softmax, GELU, the LSTM cell) as C kernels compiled
/// for the x86-64 baseline and for AVX2 + FMA (`CMuseKernels`); `best` is the widest this CPU
/// runs, chosen once from its feature bits. Swift code is built for the baseline, where these
/// loops run 4 floats wide; the AVX2 copies run 8 wide with fused multiply-adds.
///
/// Both tables compute the same formulas (`FastMath.h` in CMuseKernels gives their accuracy); their
/// results differ only by the rounding of fused multiply-adds.
/// `MUSE_KERNELS=baseline` in the environment makes `best` the baseline table (to compare the two,
/// or to get the same rounding as a machine without AVX2).
enum ElementwiseKernels {
    /// The kernels for the widest instruction set this CPU supports (the baseline when the
    /// environment says `MUSE_KERNELS=baseline`).
    static let best: MuseKernelTable = ProcessInfo.processInfo.environment["MUSE_KERNELS"] == "baseline"
        ? muse_kernels_baseline().pointee : muse_kernels_best().pointee
    /// The baseline kernels (run by the tests beside `best`).
    static let baseline: MuseKernelTable = muse_kernels_baseline().pointee
}

extension Tensor {
    /// The instruction set MuseCore's elementwise kernels use on this machine ("avx2+fma" or
    /// "baseline"), for benchmark reports.
    public static var elementwiseInstructionSet: String { String(cString: ElementwiseKernels.best.name) }
}
