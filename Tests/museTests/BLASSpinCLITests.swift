import CMuseKernels
import Foundation
@testable import MuseCore
import XCTest

/// `muse` re-executes itself once with `OPENBLAS_THREAD_TIMEOUT` set (OpenBLAS reads it only when
/// it loads): arguments, working folder and output survive, it does not loop, and a value the
/// user set is left alone.
final class BLASSpinCLITests: CLITestCase {
    func testReexecutionKeepsArgumentsFolderAndOutput() throws {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "OPENBLAS_THREAD_TIMEOUT")
        environment.removeValue(forKey: "MUSE_KEEP_BLAS_SPIN")
        let poem = try write(Array("《题》\n白日依山尽，黄河入海流。\n".utf8), "poem.txt")
        let once = try muse(["text", "verses", (poem as NSString).lastPathComponent, "--json"], environment: environment)
        XCTAssertEqual(once.status, 0)
        XCTAssertTrue(once.out.contains("\"verses\""), once.out)
        environment["OPENBLAS_THREAD_TIMEOUT"] = "20"
        XCTAssertEqual(try muse(["text", "verses", (poem as NSString).lastPathComponent, "--json"], environment: environment).out, once.out)
        environment["MUSE_KEEP_BLAS_SPIN"] = "1"
        environment.removeValue(forKey: "OPENBLAS_THREAD_TIMEOUT")
        XCTAssertEqual(try muse(["text", "verses", (poem as NSString).lastPathComponent, "--json"], environment: environment).out, once.out)
    }

    /// On a CPU with AVX2, the `muse` that runs (after re-executing) has OpenBLAS kernels that use
    /// it, whatever OpenBLAS's own detection made of the CPU (it reads a cloud "Intel Xeon
    /// Processor" with AVX-512 as Prescott). OPENBLAS_VERBOSE=2 makes OpenBLAS print the core it
    /// loaded, once per load: the last line is the one that ran.
    func testOpenBLASRunsKernelsForTheCPUsWidestVectors() throws {
        let features = muse_cpu_features()
        guard features & Int32(MUSE_CPU_AVX2_FMA) != 0 else { throw XCTSkip("this CPU has no AVX2") }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "OPENBLAS_CORETYPE")
        environment["OPENBLAS_VERBOSE"] = "2"
        let poem = try write(Array("《题》\n白日依山尽，黄河入海流。\n".utf8), "poem.txt")
        let run = try muse(["text", "verses", (poem as NSString).lastPathComponent, "--json"], environment: environment)
        XCTAssertEqual(run.status, 0, run.err)
        let cores = (run.out + run.err).split(separator: "\n").filter { $0.hasPrefix("Core: ") }.map { $0.dropFirst(6).lowercased() }
        let last = try XCTUnwrap(cores.last, "OpenBLAS printed no core: \(run.out) \(run.err)")
        let wanted = features & Int32(MUSE_CPU_AVX512) != 0 ? BLASCoreType.avx512Cores : BLASCoreType.avx2Cores
        XCTAssertTrue(wanted.contains(last), "OpenBLAS ran \(last)'s kernels (cores seen: \(cores))")
    }
}
