import Foundation
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
}
