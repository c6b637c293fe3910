import Foundation
import MuseSupport
import XCTest

/// Temporary files of writers killed before their rename are found and removed on the next run.
final class AtomicFileRecoveryTests: XCTestCase {
    func testStaleTemporariesOfDeadProcessesAreRemovedOthersKept() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // PID 2^22 + 1 is above Linux's pid_max limit, so no process has it.
        let dead = ".checkpoint-00000004.tmp-4194305-12345", live = ".model.wav.tmp-\(getpid())-7", plain = ".hidden"
        for name in [dead, live, plain, "checkpoint-00000002"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        XCTAssertEqual(AtomicFile.removeStaleTemporaries(in: folder), [dead])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(), [live, plain, "checkpoint-00000002"].sorted())
    }
}
