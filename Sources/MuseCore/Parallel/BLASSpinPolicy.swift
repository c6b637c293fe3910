import Foundation

/// How long OpenBLAS's idle worker threads spin before they sleep.
///
/// OpenBLAS reads `OPENBLAS_THREAD_TIMEOUT` once, when the library is loaded (before `main`): an
/// idle worker spin-yields for 2^timeout cycles after each product (2^28, about 0.1 s, by
/// default). Training loops alternate products with Muse's own parallel kernels, and on a 2-core
/// machine a spinning worker takes a core from them: the nanoGPT step spent 20% of its time in the
/// kernel's `sched_yield`, and ran 14% faster with 2^4 (the workers sleep at once and are woken by
/// the next product, microseconds later). The LSTM step ran 30% faster.
public enum BLASSpinPolicy {
    /// The environment variable and the value Muse runs with (2^4 cycles).
    public static let variable = "OPENBLAS_THREAD_TIMEOUT", shortTimeout = "4"

    /// Call first thing in `main`: sets what OpenBLAS must read at load and re-executes the program
    /// (same process, arguments and open files) so OpenBLAS loads with it:
    /// - `OPENBLAS_THREAD_TIMEOUT` when it is not set (not when `MUSE_KEEP_BLAS_SPIN` is set);
    /// - `OPENBLAS_CORETYPE` when it is not set and OpenBLAS misread the CPU
    ///   (`BLASCoreType.correctionForThisMachine`).
    /// Values the user set are kept. Does nothing when neither is needed; when the re-execution
    /// fails the program runs on with OpenBLAS's defaults.
    public static func applyByReexecuting() {
        let environment = ProcessInfo.processInfo.environment
        var settings: [(name: String, value: String)] = []
        if environment[variable] == nil, environment["MUSE_KEEP_BLAS_SPIN"] == nil {
            settings.append((variable, shortTimeout))
        }
        if environment[BLASCoreType.variable] == nil, let core = BLASCoreType.correctionForThisMachine {
            settings.append((BLASCoreType.variable, core))
        }
        guard !settings.isEmpty else { return }
        for setting in settings { setenv(setting.name, setting.value, 1) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        for setting in settings { unsetenv(setting.name) }  // execv returned: it failed; carry on as we are
    }
}
