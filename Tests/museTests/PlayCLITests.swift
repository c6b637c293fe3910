import Foundation
import XCTest

/// `muse play`: sound files and MIDI files (rendered live) through the whole streaming path, into a
/// file sink so no sound card is needed.
final class PlayCLITests: CLITestCase {
    func testMIDIFilesAreRenderedWhileStreaming() throws {
        let mid = try write(SynthCLITests.oneNote, "one.mid")
        let result = try muse(["play", mid, "--to-file", "streamed.wav", "--no-reverb", "--no-chorus"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.hasPrefix("played "), result.out)
        let rendered = try muse(["render", mid, "-o", "offline.wav", "--no-reverb", "--no-chorus"])
        XCTAssertEqual(rendered.status, 0, rendered.err)
        let streamed = try Data(contentsOf: folder.appendingPathComponent("streamed.wav"))
        let offline = try Data(contentsOf: folder.appendingPathComponent("offline.wav"))
        XCTAssertGreaterThan(streamed.count, 44 + 4 * 44100 / 2, "at least the 0.5 s note")
        // Both stop at the first chunk boundary after the last voice rings out; offline chunks are
        // 4096 frames, streamed periods shorter, so lengths agree to within one offline chunk.
        XCTAssertEqual(Double(streamed.count), Double(offline.count), accuracy: 4096 * 4)
        let common = min(streamed.count, offline.count)
        XCTAssertEqual(streamed.subdata(in: 44..<common), offline.subdata(in: 44..<common), "the same samples, streamed or offline")
    }

    func testSoundFilesPlayThroughTheSameSink() throws {
        let mid = try write(SynthCLITests.oneNote, "one.mid")
        XCTAssertEqual(try muse(["render", mid, "-o", "one.wav"]).status, 0)
        let result = try muse(["play", "one.wav", "--to-file", "copy.wav"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("copy.wav").path))
    }

    func testAMissingMIDIFileIsOneErrorLine() throws {
        let result = try muse(["play", "missing.mid", "--device", "null"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        XCTAssertTrue(result.err.hasPrefix("muse: error: missing.mid"), result.err)
    }
}
