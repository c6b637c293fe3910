import MuseAudio
import XCTest

/// Bad input is a normal event: every broken file gives a typed `AudioError` naming the file.
final class BrokenFileTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try temporaryFolder(self) }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    var wavBytes: [UInt8] { get throws { [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixture.path("stereo_44100_pcm16.wav")))) } }

    func testMissingFile() {
        XCTAssertThrowsError(try AudioFile.read("/no/such/file.wav")) {
            XCTAssertEqual($0 as? AudioError, .fileNotFound(path: "/no/such/file.wav"))
        }
    }

    func testNotAudio() throws {
        let path = try write(Array("this is plain text, not a sound file\n".utf8), "text.wav")
        XCTAssertThrowsError(try AudioFile.read(path)) {
            guard case .unreadable(let p, _)? = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertEqual(p, path)
        }
    }

    func testEmptyFile() throws {
        let path = try write([], "empty.wav")
        XCTAssertThrowsError(try AudioFile.read(path)) { XCTAssertEqual($0 as? AudioError, .empty(path: path)) }
    }

    func testZeroFrameWAV() throws {
        let path = folder.appendingPathComponent("zero.wav").path
        try AudioFile.write(AudioBuffer(mono: [], sampleRate: 8000), to: path)
        XCTAssertEqual(try AudioFile.info(path).frameCount, 0)
        XCTAssertThrowsError(try AudioFile.read(path)) { XCTAssertEqual($0 as? AudioError, .empty(path: path)) }
    }

    func testTruncatedWAV() throws {
        let bytes = try wavBytes
        let path = try write(Array(bytes.prefix(bytes.count / 2)), "cut.wav")
        XCTAssertThrowsError(try AudioFile.read(path)) {
            guard case .truncated(let p, let field, let declared, let available)? = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue(field.hasPrefix("data chunk"))
            XCTAssertEqual(declared, 11025 * 4)
            XCTAssertLessThan(available, declared)
        }
    }

    func testTruncatedInsideHeader() throws {
        let path = try write(Array(try wavBytes.prefix(30)), "header.wav")
        XCTAssertThrowsError(try AudioFile.read(path)) { XCTAssertTrue($0 is AudioError) }
    }

    func testAbsurdDataChunkSize() throws {
        var bytes = try wavBytes
        // The data chunk's size field follows "data" at offset 36 in this canonical header.
        XCTAssertEqual(Array(bytes[36..<40]), Array("data".utf8))
        bytes[40] = 0xF0; bytes[41] = 0xFF; bytes[42] = 0xFF; bytes[43] = 0x7F
        let path = try write(bytes, "huge.wav")
        XCTAssertThrowsError(try AudioFile.read(path)) {
            guard case .truncated(_, _, let declared, _)? = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertEqual(declared, 0x7FFF_FFF0)
        }
    }

    func testAbsurdChannelCount() throws {
        var bytes = try wavBytes
        bytes[22] = 0xFF; bytes[23] = 0xFF  // fmt channels = 65535
        let path = try write(bytes, "channels.wav")
        XCTAssertThrowsError(try AudioFile.read(path)) { XCTAssertTrue($0 is AudioError, "\($0)") }
    }

    func testDirectoryIsNotAudio() {
        XCTAssertThrowsError(try AudioFile.read(folder.path)) {
            guard case .unreadable? = $0 as? AudioError else { return XCTFail("\($0)") }
        }
    }

    /// Seeded mutations of a valid WAV: every outcome is a buffer or an AudioError, never a crash.
    func testFuzzedWAVsNeverCrash() throws {
        let original = try wavBytes
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        var errors = 0, reads = 0
        for round in 0..<200 {
            var bytes = original
            for _ in 0..<(1 + Int(next() % 8)) {
                let at = Int(next() % 64)  // mostly the header, where sizes live
                bytes[at] = UInt8(truncatingIfNeeded: next())
            }
            if round % 5 == 0 { bytes = Array(bytes.prefix(Int(next() % UInt64(bytes.count)))) }
            let path = try write(bytes, "fuzz.wav")
            do {
                let buffer = try AudioFile.read(path)
                XCTAssertGreaterThan(buffer.frameCount, 0)
                reads += 1
            } catch is AudioError {
                errors += 1
            }
        }
        XCTAssertEqual(errors + reads, 200)
        XCTAssertGreaterThan(errors, 0)
    }

    func testErrorsPrintOneLine() {
        let errors: [AudioError] = [
            .fileNotFound(path: "a.wav"), .unreadable(path: "a.wav", reason: "x"),
            .truncated(path: "a.wav", field: "data", declared: 2, available: 1), .empty(path: "a.wav"),
            .tooLarge(path: "a.wav", field: "frames", value: 2, limit: 1), .deviceUnavailable(device: "d", reason: "r"),
        ]
        for e in errors { XCTAssertFalse(e.description.contains("\n")); XCTAssertTrue(e.description.contains("a.wav") || e.description.contains("'d'")) }
    }
}
