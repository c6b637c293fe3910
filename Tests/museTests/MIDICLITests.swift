import Foundation
import XCTest

/// End to end: runs the built `muse` binary on small MIDI files written here.
final class MIDICLITests: CLITestCase {
    /// One note (pitch 60, 96 ticks at 96 ppq = 0.5 s), format 1, one track.
    static let oneNoteFile: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, 1, 0, 1, 0, 96] + Array("MTrk".utf8)
        + [0, 0, 0, 12, 0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00]

    func testInfoPrintsABlockPerFile() throws {
        let path = try write(Self.oneNoteFile, "one.mid")
        let result = try muse(["midi", "info", path, path])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.out.components(separatedBy: "notes: 1\n").count, 3)
        XCTAssertTrue(result.out.contains("duration: 0.500 s"))
    }

    func testBadFileGivesOneErrorLineAndExitCode1() throws {
        let path = try write(Array("not midi at all".utf8), "bad.mid")
        let result = try muse(["midi", "info", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.err, "muse: error: \(path): offset 0: not a MIDI file (found \"not \", expected \"MThd\")\n")
    }

    func testTransposeWritesTheOutputFile() throws {
        let path = try write(Self.oneNoteFile, "one.mid")
        let written = try muse(["midi", "transpose", path, "--semitones", "-3", "-o", "low.mid"])
        XCTAssertEqual(written.status, 0, written.err)
        let dump = try muse(["midi", "dump", folder.appendingPathComponent("low.mid").path, "--json"])
        XCTAssertTrue(dump.out.contains("\"pitch\" : 57"), dump.out)
    }

    func testQuantizeDefaultsToTheOutputFolder() throws {
        let path = try write(Self.oneNoteFile, "one.mid")
        let result = try muse(["midi", "quantize", path, "--steps-per-quarter", "4"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output/one-quantized4.mid").path))
    }

    func testCorpusStatsSkipsUnreadableFilesWithOneWarningEach() throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("corpus/sub"), withIntermediateDirectories: true)
        _ = try write(Self.oneNoteFile, "corpus/a.mid")
        _ = try write(Self.oneNoteFile, "corpus/sub/b.MID")
        _ = try write([0x4D, 0x54], "corpus/sub/broken.mid")
        let result = try muse(["corpus", "stats", folder.appendingPathComponent("corpus").path])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1)
        XCTAssertTrue(result.err.hasPrefix("muse: warning: skipped "))
        XCTAssertTrue(result.out.contains("files: 2\nskipped: 1\nnotes: 2\npitch range: 60...60"), result.out)
    }

    func testRollDrawsAPNGSizedByDurationAndPitchRange() throws {
        let path = try write(Self.oneNoteFile, "one.mid")
        let result = try muse(["midi", "roll", path, "-o", "roll.png"])
        XCTAssertEqual(result.status, 0, result.err)
        let png = try Data(contentsOf: folder.appendingPathComponent("roll.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // 0.5 s at 50 px/s is 25 px; pitch 60 widened by 2 each way is 5 rows of 4 px.
        XCTAssertTrue(result.out.contains("(25 x 20 pixels, 1 notes)"), result.out)
        let bad = try muse(["midi", "roll", try write(Array("junk".utf8), "junk.mid")])
        XCTAssertEqual(bad.status, 1)
    }
}
