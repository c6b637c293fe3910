import Foundation
@testable import MuseAudio
import XCTest

/// Ogg Vorbis headers are decoded by Muse before libsndfile sees the file: a file whose headers
/// are bad is refused naming the packet, a good file still reads, and refusing bad files again and
/// again does not grow the process (libsndfile 1.2 leaks ~6 KB each time it fails on them).
final class OggVorbisHeaderTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try temporaryFolder(self) }

    /// Resident memory of this process now, in bytes (/proc/self/statm).
    func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// One second of a 440 Hz tone written as Ogg Vorbis by Muse (through libsndfile).
    func writeOgg() throws -> (path: String, bytes: [UInt8]) {
        let samples = (0..<22050).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 22050)) }
        let path = folder.appendingPathComponent("tone.ogg").path
        try AudioFile.write(AudioBuffer(mono: samples, sampleRate: 22050), to: path, format: .oggVorbis)
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testAGoodFileStillReads() throws {
        let (path, _) = try writeOgg()
        XCTAssertNoThrow(try OggVorbisValidator.validate(path: path))
        let buffer = try AudioFile.read(path)
        XCTAssertEqual(buffer.sampleRate, 22050)
        XCTAssertEqual(buffer.frameCount, 22050)
    }

    /// Cut after the identification page and before the first audio page, every cut is refused by
    /// the check, naming the header that is missing; cut after the headers, the check passes and
    /// libsndfile decides. (A cut inside the first page leaves no Vorbis stream, so libsndfile
    /// refuses it before its Vorbis reader.)
    func testTruncatedHeadersAreRefusedNamingThePacket() throws {
        let (_, bytes) = try writeOgg()
        // The headers end where the first audio page starts: the third "OggS".
        var pages: [Int] = []
        for i in 0..<(bytes.count - 4) where bytes[i..<(i + 4)] == [0x4F, 0x67, 0x67, 0x53] { pages.append(i) }
        XCTAssertGreaterThanOrEqual(pages.count, 3)
        let headerEnd = pages[2]
        for cut in stride(from: pages[1], to: headerEnd, by: Swift.max(1, (headerEnd - pages[1]) / 40)) {
            let path = try write(Array(bytes[0..<cut]), "cut\(cut).ogg")
            XCTAssertThrowsError(try OggVorbisValidator.validate(path: path), "cut at \(cut)") {
                let text = "\($0)"
                XCTAssertTrue(text.hasPrefix(path + ": not readable as audio: Ogg Vorbis: "), text)
                XCTAssertTrue(text.contains("header"), text)
            }
            XCTAssertThrowsError(try AudioFile.read(path))
        }
        let afterHeaders = try write(Array(bytes[0..<(headerEnd + 10)]), "after.ogg")
        XCTAssertNoThrow(try OggVorbisValidator.validate(path: afterHeaders))
    }

    /// The fixture fuzz-audio found (a broken comment header), and bit flips in the setup header.
    func testBrokenHeadersAreRefused() throws {
        let fuzzed = Fixture.path("fuzz_ogg_bad_headers.ogg")
        XCTAssertThrowsError(try AudioFile.read(fuzzed)) {
            XCTAssertTrue("\($0)".hasPrefix(fuzzed + ": not readable as audio: Ogg Vorbis: "), "\($0)")
        }
        let (_, bytes) = try writeOgg()
        var flipped = bytes
        // A flipped bit in the identification header breaks the first page's checksum: no stream
        // starts there for libsndfile either, so the check leaves the file to libsndfile, which
        // refuses it.
        flipped[28 + 6] ^= 0x03
        let path = try write(flipped, "notvorbis.ogg")
        XCTAssertNoThrow(try OggVorbisValidator.validate(path: path))
        XCTAssertThrowsError(try AudioFile.read(path))
    }

    /// Refusing the same bad file 3,000 times leaves the resident size where it was (with
    /// libsndfile's leak it grew by ~6 KB a time, 18 MB here). Skipped under a sanitizer, whose
    /// quarantine and shadow memory grow the resident size by themselves (there LeakSanitizer and
    /// fuzz-audio look for leaks).
    func testRefusingBadHeadersDoesNotGrowTheProcess() throws {
        if let sanitizer = ProcessInfo.processInfo.environment["MUSE_SANITIZER"] {
            throw XCTSkip("resident size is not the program's own under the \(sanitizer) sanitizer")
        }
        let path = Fixture.path("fuzz_ogg_bad_headers.ogg")
        for _ in 0..<200 { _ = try? AudioFile.read(path) }  // warm the allocator
        let before = try residentBytes()
        for _ in 0..<3000 { _ = try? AudioFile.read(path) }
        let grown = try residentBytes() - before
        XCTAssertLessThan(grown, 4 << 20, "resident size grew by \(grown) bytes")
    }

    func testNotOggIsLeftToLibsndfile() throws {
        let path = try write(Array("RIFF\0\0\0\0WAVE".utf8), "short.wav")
        XCTAssertNoThrow(try OggVorbisValidator.validate(path: path))
        let empty = try write([], "empty.ogg")
        XCTAssertNoThrow(try OggVorbisValidator.validate(path: empty))
    }
}
