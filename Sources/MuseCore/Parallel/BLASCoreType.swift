import CBLAS
import CMuseKernels
import Foundation

/// OpenBLAS's choice of kernels, corrected when it misreads the CPU.
///
/// Debian's OpenBLAS (0.3.21, built for every x86-64 core) picks its kernels from the CPU's
/// vendor, family and model numbers when it loads. A virtual CPU whose model it does not know —
/// the cloud machines Muse is developed on report "Intel Xeon Processor" with AVX-512 — falls back
/// to `Prescott`, whose SSE3 GEMM runs at a quarter of the machine's speed: the DCGAN training step
/// took 4.0 s instead of 1.2 s. `OPENBLAS_CORETYPE` makes OpenBLAS load the named kernels; like
/// `OPENBLAS_THREAD_TIMEOUT` it is read only at load, so `BLASSpinPolicy.applyByReexecuting`
/// sets it before re-executing.
public enum BLASCoreType {
    /// The environment variable OpenBLAS reads.
    public static let variable = "OPENBLAS_CORETYPE"

    /// OpenBLAS's cores with AVX-512 kernels, and those with AVX2 (lowercase, as compared).
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    static let avx2Cores: Set<String> = avx512Cores.union(["haswell", "zen", "excavator"])

    /// The core OpenBLAS loaded its kernels for (`openblas_get_corename`), e.g. "Prescott".
    public static var loaded: String { String(cString: openblas_get_corename()) }

    /// The core type to force, or nil when OpenBLAS's choice already uses the CPU's widest vectors:
    /// "SkylakeX" when the CPU has AVX-512 and `loaded` has no AVX-512 kernels, "Haswell" when it
    /// has AVX2 and FMA and `loaded` has no AVX2 kernels.
    /// - Parameters:
    ///   - loaded: OpenBLAS's core name.
    ///   - cpuFeatures: `muse_cpu_features()` bits.
    public static func correction(loaded: String, cpuFeatures: Int32) -> String? {
        let core = loaded.lowercased()
        if cpuFeatures & Int32(MUSE_CPU_AVX512) != 0, !avx512Cores.contains(core) { return "SkylakeX" }
        if cpuFeatures & Int32(MUSE_CPU_AVX2_FMA) != 0, !avx2Cores.contains(core) { return "Haswell" }
        return nil
    }

    /// `correction` for this process's OpenBLAS and CPU.
    public static var correctionForThisMachine: String? { correction(loaded: loaded, cpuFeatures: muse_cpu_features()) }
}
