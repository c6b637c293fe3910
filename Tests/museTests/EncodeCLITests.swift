import Foundation
import XCTest

/// End to end: `muse encode performance` on a small MIDI file, and back with `--decode`.
final class EncodeCLITests: CLITestCase {
    /// Two notes at 96 ppq, 120 qpm: pitch 60 velocity 100 for 0.5 s, then pitch 64 velocity 40 for 0.25 s.
    static let twoNotes: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, 1, 0, 1, 0, 96] + Array("MTrk".utf8)
        + [0, 0, 0, 20, 0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0x90, 64, 40, 0x30, 0x80, 64, 0, 0x00, 0xFF, 0x2F, 0x00]

    // note_seq: VELOCITY 25 (100 → bin 25), NOTE_ON 60, TIME_SHIFT 50, NOTE_OFF 60, VELOCITY 10, NOTE_ON 64,
    // TIME_SHIFT 25, NOTE_OFF 64; indices = 356 + bin - 1, pitch, 256 + steps - 1, 128 + pitch.
    static let expectedIndices = [380, 60, 305, 188, 365, 64, 280, 192]

    func testTextListsEventsAndIndices() throws {
        let path = try write(Self.twoNotes, "two.mid")
        let result = try muse(["encode", "performance", path])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("8 events, 388 classes"), result.out)
        XCTAssertTrue(result.out.contains("  380 VELOCITY 25\n   60 NOTE_ON 60\n  305 TIME_SHIFT 50\n  188 NOTE_OFF 60\n"), result.out)
        XCTAssertTrue(result.out.hasSuffix("indices: " + Self.expectedIndices.map(String.init).joined(separator: ",") + "\n"), result.out)
    }

    func testJSONHasNoteSeqNamesAndPianoIndices() throws {
        let path = try write(Self.twoNotes, "two.mid")
        let result = try muse(["encode", "performance", path, "--json", "--piano"])
        XCTAssertEqual(result.status, 0, result.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["classCount"] as? Int, 308)
        // Piano: note-ons 0..<88 (pitch - 21), note-offs 88..<176, shifts 176..<276, velocities 276..<308.
        XCTAssertEqual(object["indices"] as? [Int], [300, 39, 225, 127, 285, 43, 200, 131])
        let events = try XCTUnwrap(object["events"] as? [[String: Any]])
        XCTAssertEqual(events.first?["type"] as? String, "VELOCITY")
        XCTAssertEqual(events[1]["type"] as? String, "NOTE_ON")
        XCTAssertEqual(events[1]["value"] as? Int, 60)
    }

    func testDecodeWritesTheNotesBack() throws {
        let indices = Self.expectedIndices.map(String.init).joined(separator: ",")
        let result = try muse(["encode", "performance", "--decode", indices, "-o", "back.mid"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("2 notes, 0.75 s from 8 events"), result.out)
        let again = try muse(["encode", "performance", folder.appendingPathComponent("back.mid").path, "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["indices"] as? [Int], Self.expectedIndices)
    }

    func testDecodeFileAcceptsTheJSONOutput() throws {
        let path = try write(Self.twoNotes, "two.mid")
        let json = try muse(["encode", "performance", path, "--json"])
        _ = try write(Array(json.out.utf8), "two.json")
        let result = try muse(["encode", "performance", "--decode-file", "two.json"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output/decoded-performance.mid").path))
    }

    func testBadInputsGiveOneErrorLine() throws {
        let outOfRange = try muse(["encode", "performance", "--decode", "1,388"])
        XCTAssertNotEqual(outOfRange.status, 0)
        XCTAssertEqual(outOfRange.err, "muse: error: class 388 is outside 0..<388\n")
        let both = try muse(["encode", "performance", "x.mid", "--decode", "1"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertEqual(both.err.split(separator: "\n").count, 1, both.err)
        let junk = try muse(["encode", "performance", "--decode", "1,x"])
        XCTAssertNotEqual(junk.status, 0)
    }
}
