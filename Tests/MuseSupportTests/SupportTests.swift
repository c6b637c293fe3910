import Foundation
import MuseSupport
import XCTest

/// The shared plumbing: atomic writes, listings, held-out splits, the SIGINT watcher.
final class SupportTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-support-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() }

    func testAtomicWriteLeavesTheOldFileWhenTheWriterFails() throws {
        let target = folder.appendingPathComponent("a.bin")
        try AtomicFile.write(Data([1, 2, 3]), to: target)
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.write(toPath: target.path) { temporary in
            try Data([9, 9]).write(to: URL(fileURLWithPath: temporary))
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try Data(contentsOf: target), Data([1, 2, 3]))
        XCTAssertEqual(try contents(), ["a.bin"], "no temporary file left behind")
        XCTAssertThrowsError(try AtomicFile.write(Data([1]), to: folder.appendingPathComponent("no/such/folder/x"))) {
            guard case .io? = $0 as? SupportError else { return XCTFail("\($0)") }
        }
    }

    func testAtomicDirectoryReplacesAWholeFolderOrNothing() throws {
        let target = folder.appendingPathComponent("checkpoint")
        try AtomicFile.writeDirectory(at: target) { try Data([1]).write(to: $0.appendingPathComponent("one")) }
        XCTAssertThrowsError(try AtomicFile.writeDirectory(at: target) { tmp in
            try Data([2]).write(to: tmp.appendingPathComponent("two"))
            throw SupportError.io(file: "x", reason: "disk full")
        })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path), ["one"])
        XCTAssertEqual(try contents(), ["checkpoint"])
        try AtomicFile.writeDirectory(at: target) { try Data([2]).write(to: $0.appendingPathComponent("two")) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path), ["two"])
    }

    func testListingIsRecursiveSortedAndCaseInsensitive() throws {
        for name in ["b/x.MID", "a.mid", "c.txt", "b/deeper/y.mid"] {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
        let found = try FileListing.files(in: folder.path, extensions: ["mid"]).map { String($0.dropFirst(folder.path.count + 1)) }
        XCTAssertEqual(found, ["a.mid", "b/deeper/y.mid", "b/x.MID"])
        XCTAssertThrowsError(try FileListing.files(in: folder.appendingPathComponent("a.mid").path, extensions: ["mid"]))
    }

    /// A corpus folder given as a link, and links to folders inside it, are followed (Foundation's
    /// enumerator follows neither); a link back up the tree is read once, not forever.
    func testListingFollowsLinksToFoldersWithoutLooping() throws {
        let real = folder.appendingPathComponent("real"), other = folder.appendingPathComponent("other")
        for url in [real.appendingPathComponent("a.mid"), other.appendingPathComponent("b.mid")] {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: real.appendingPathComponent("linked").path, withDestinationPath: other.path)
        try fm.createSymbolicLink(atPath: real.appendingPathComponent("loop").path, withDestinationPath: real.path)
        let top = folder.appendingPathComponent("corpus").path
        try fm.createSymbolicLink(atPath: top, withDestinationPath: real.path)
        XCTAssertEqual(try FileListing.files(in: top, extensions: ["mid"]), [top + "/a.mid", top + "/linked/b.mid"])
    }

    /// The split depends on the file's own path only: known values, stable when files are added.
    func testHeldOutSplitIsStableAndNearTheRatio() {
        let paths = (0..<2000).map { "tune\($0).mid" }
        let held = paths.filter { HeldOutSplit.isHeldOut(relativePath: $0, seed: 7, ratio: 0.1) }
        XCTAssertEqual(Double(held.count) / 2000, 0.1, accuracy: 0.02)
        XCTAssertEqual(held, paths.filter { HeldOutSplit.isHeldOut(relativePath: $0, seed: 7, ratio: 0.1) })
        XCTAssertNotEqual(held, paths.filter { HeldOutSplit.isHeldOut(relativePath: $0, seed: 8, ratio: 0.1) })
        var hash = FNV1a()
        hash.add(Array("a".utf8))
        XCTAssertEqual(hash.value, 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 of \"a\"")
        XCTAssertEqual(HeldOutSplit.relativePath("/c/x/y.mid", to: "/c/x"), "y.mid")
        XCTAssertEqual(HeldOutSplit.relativePath("/c/x/y.mid", to: "/c/x/"), "y.mid")
    }

    func testSplitMix64MatchesTheReferenceStream() {
        var g = SplitMix64(seed: 1234567)
        // Vigna's splitmix64.c from seed 1234567.
        XCTAssertEqual([g.next(), g.next(), g.next()], [6457827717110365317, 3203168211198807973, 9817491932198370423])
        XCTAssertEqual(SplitMix64.unitDouble(seed: 5, index: 3), { var h = SplitMix64(seed: 5); for _ in 0..<3 { _ = h.next() }; return h.nextUnitDouble() }())
    }

    /// A real SIGINT reaches the watcher; after `cancel` the previous disposition is back.
    func testInterruptWatcherSeesSIGINTAndRestoresThePreviousHandler() throws {
        var before = sigaction()
        sigaction(SIGINT, nil, &before)
        let seen = expectation(description: "SIGINT seen")
        let watcher = InterruptWatcher { count in if count == 1 { seen.fulfill() } }
        kill(getpid(), SIGINT)
        wait(for: [seen], timeout: 5)
        watcher.cancel()
        var after = sigaction()
        sigaction(SIGINT, nil, &after)
        XCTAssertEqual(unsafeBitCast(after.__sigaction_handler.sa_handler, to: Int.self),
                       unsafeBitCast(before.__sigaction_handler.sa_handler, to: Int.self))
    }
}
