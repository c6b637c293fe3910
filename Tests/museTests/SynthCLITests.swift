import Foundation
import MuseAudio
import XCTest

/// End to end: `muse render` and `muse soundfont info` on the built binary.
final class SynthCLITests: CLITestCase {
    /// One note (pitch 60, 0.5 s), format 1, one track.
    static let oneNote: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, 1, 0, 1, 0, 96] + Array("MTrk".utf8)
        + [0, 0, 0, 12, 0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00]

    func testRenderWritesAStereoWAV() throws {
        let mid = try write(Self.oneNote, "one.mid")
        let result = try muse(["render", mid, "-o", "one.wav", "--no-reverb", "--gain-db", "-6"])
        XCTAssertEqual(result.status, 0, result.err)
        let wav = try Data(contentsOf: folder.appendingPathComponent("one.wav"))
        XCTAssertEqual(String(decoding: wav.prefix(4), as: UTF8.self), "RIFF")
        XCTAssertGreaterThan(wav.count, 44 + 4 * 44100 / 2, "at least 0.5 s of 16-bit stereo")
        XCTAssertTrue(result.out.contains("one.wav"))
    }

    /// `--normalize -1` puts the rendering's peak at -1 dBFS (within 16-bit rounding); without it
    /// the level is FluidSynth's, far lower for one note.
    func testRenderNormalizeSetsThePeak() throws {
        let mid = try write(Self.oneNote, "one.mid")
        XCTAssertEqual(try muse(["render", mid, "-o", "plain.wav"]).status, 0)
        XCTAssertEqual(try muse(["render", mid, "-o", "loud.wav", "--normalize", "-1"]).status, 0)
        let plain = try AudioFile.read(folder.appendingPathComponent("plain.wav").path)
        let loud = try AudioFile.read(folder.appendingPathComponent("loud.wav").path)
        XCTAssertEqual(20 * log10(Double(loud.peakAmplitude)), -1, accuracy: 0.01)
        XCTAssertLessThan(20 * log10(Double(plain.peakAmplitude)), -6)
        XCTAssertEqual(plain.frameCount, loud.frameCount)
        XCTAssertNotEqual(try muse(["render", mid, "-o", "x.wav", "--normalize", "3"]).status, 0)
    }

    func testRenderOfABadMIDIFileIsOneErrorLine() throws {
        let path = try write(Array("not midi".utf8), "bad.mid")
        let result = try muse(["render", path, "-o", "x.wav"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.hasPrefix("muse: error: \(path)"), result.err)
        XCTAssertEqual(result.err.filter { $0 == "\n" }.count, 1)
    }

    func testRenderRejectsAnUnknownOutputExtension() throws {
        let mid = try write(Self.oneNote, "one.mid")
        XCTAssertNotEqual(try muse(["render", mid, "-o", "x.mp3"]).status, 0)
    }

    func testSoundFontInfoOfABadFileNamesFileAndChunk() throws {
        let path = try write(Array("RIFF\u{4}\0\0\0sfbk".utf8), "bad.sf2")
        let result = try muse(["soundfont", "info", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.hasPrefix("muse: error: \(path)"), result.err)
        XCTAssertTrue(result.err.contains("INFO"), result.err)
    }
}
