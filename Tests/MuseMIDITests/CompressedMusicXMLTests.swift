import Foundation
import XCTest
@testable import MuseMIDI

/// Compressed MusicXML (`.mxl`, a zip archive): archives written by Python's zipfile
/// (scripts/make_mxl_fixtures.py) read like the plain score; truncated, wrong-magic, oversized and
/// damaged archives fail with one `MusicXMLError` naming the file, the field and the offset.
final class CompressedMusicXMLTests: XCTestCase {
    func fixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("mxl/\(name)")
        return [UInt8](try Data(contentsOf: url))
    }

    /// The score both fixtures hold (see MusicXMLReaderTests' first test).
    func assertIsTheScore(_ seq: NoteSequence, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(seq.notes.map(\.pitch), [60, 66, 58], file: file, line: line)
        XCTAssertEqual(seq.notes.map(\.startTime), [0, 0.5, 1.5], file: file, line: line)
        XCTAssertEqual(seq.notes.map(\.program), [52, 52, 52], file: file, line: line)
    }

    /// Offset of the end-of-central-directory record.
    func eocd(_ b: [UInt8]) -> Int {
        var at = b.count - 22
        while at > 0, !(b[at] == 0x50 && b[at + 1] == 0x4B && b[at + 2] == 5 && b[at + 3] == 6) { at -= 1 }
        return at
    }

    func setU32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { for i in 0..<4 { b[at + i] = UInt8((v >> (8 * UInt32(i))) & 0xFF) } }

    /// Central-directory offset of the entry called `name`.
    func centralEntry(_ b: [UInt8], _ name: String) -> Int {
        let e = eocd(b)
        var p = Int(ZipArchive.u32(b, e + 16))
        while p < e {
            let n = ZipArchive.u16(b, p + 28)
            if String(decoding: b[(p + 46)..<(p + 46 + n)], as: UTF8.self) == name { return p }
            p += 46 + n + ZipArchive.u16(b, p + 30) + ZipArchive.u16(b, p + 32)
        }
        return -1
    }

    func assertFails(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try MusicXMLReader.read(bytes: bytes, file: "bad.mxl"), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("bad.mxl: "), text, file: file, line: line)
            XCTAssertTrue(text.contains(fragment), "\(text) lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testADeflatedScoreNamedByTheContainerReadsLikeThePlainScore() throws {
        assertIsTheScore(try MusicXMLReader.read(bytes: fixture("score.mxl"), file: "score.mxl"))
    }

    func testAStoredScoreWithoutAContainerIsTheArchivesOnlyScore() throws {
        assertIsTheScore(try MusicXMLReader.read(bytes: fixture("stored.mxl"), file: "stored.mxl"))
    }

    func testReadingAFileByPathAcceptsMXLAndTheFolderListingFindsIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-mxl-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("score.mxl").path
        try Data(fixture("score.mxl")).write(to: URL(fileURLWithPath: path))
        assertIsTheScore(try MusicXMLReader.read(contentsOf: path))
        XCTAssertEqual(try MusicXMLReader.files(in: folder.path), [path])
    }

    func testEveryTruncationFailsWithOneError() throws {
        let bytes = try fixture("score.mxl")
        for length in stride(from: 4, to: bytes.count, by: 7) {
            XCTAssertThrowsError(try MusicXMLReader.read(bytes: Array(bytes.prefix(length)), file: "cut.mxl"), "\(length) bytes") { error in
                XCTAssertTrue(error is MusicXMLError, "\(error)")
            }
        }
        assertFails(Array(bytes.prefix(21)), "too few for a zip archive")
    }

    func testAWrongEndRecordMagicIsNotAZipArchive() throws {
        var bytes = try fixture("score.mxl")
        bytes[eocd(bytes)] = 0x51
        assertFails(bytes, "no end-of-central-directory record")
    }

    func testAWrongCentralDirectorySignatureIsNamed() throws {
        var bytes = try fixture("score.mxl")
        let p = centralEntry(bytes, "scores/song.musicxml")
        bytes[p + 1] = 0
        assertFails(bytes, "has a wrong signature")
    }

    func testACentralDirectoryOutsideTheFileIsRefusedBeforeReading() throws {
        var bytes = try fixture("score.mxl")
        setU32(&bytes, eocd(bytes) + 12, 0x7FFF_FFFF)
        assertFails(bytes, "central directory (2147483647 bytes")
    }

    func testAnEntryCountBeyondTheDirectoryIsRefused() throws {
        var bytes = try fixture("score.mxl")
        let e = eocd(bytes)
        bytes[e + 8] = 0xFE; bytes[e + 9] = 0xFF; bytes[e + 10] = 0xFE; bytes[e + 11] = 0xFF
        assertFails(bytes, "65534 entries cannot fit")
    }

    func testAnOversizedDeclaredEntryIsRefusedBeforeAllocating() throws {
        var bytes = try fixture("score.mxl")
        setU32(&bytes, centralEntry(bytes, "scores/song.musicxml") + 24, 0xF000_0000)
        assertFails(bytes, "declares 4026531840 uncompressed bytes, more than the 67108864 allowed")
    }

    func testADeclaredSizeBeyondDeflatesRatioIsRefused() throws {
        var bytes = try fixture("score.mxl")
        setU32(&bytes, centralEntry(bytes, "scores/song.musicxml") + 24, 60_000_000)
        assertFails(bytes, "beyond deflate's ratio")
    }

    func testAnEntryInflatingToMoreOrLessThanDeclaredIsRefused() throws {
        var bytes = try fixture("score.mxl")
        let p = centralEntry(bytes, "scores/song.musicxml")
        let declared = ZipArchive.u32(bytes, p + 24)
        setU32(&bytes, p + 24, declared - 10)
        assertFails(bytes, "inflates to more than the declared")
        setU32(&bytes, p + 24, declared + 10)
        assertFails(bytes, "inflates to \(declared) bytes, not the declared \(declared + 10)")
    }

    func testCompressedBytesPastTheEndOfTheFileAreRefused() throws {
        var bytes = try fixture("score.mxl")
        setU32(&bytes, centralEntry(bytes, "scores/song.musicxml") + 20, 0x00FF_FFFF)
        assertFails(bytes, "run past the end of the")
    }

    func testAFlippedBitIsCaughtByInflateOrTheCRC() throws {
        let bytes = try fixture("score.mxl")
        let archive = try ZipArchive(bytes: bytes, file: "score.mxl")
        let entry = try XCTUnwrap(archive.entry(named: "scores/song.musicxml"))
        let start = entry.localHeaderOffset + 30 + ZipArchive.u16(bytes, entry.localHeaderOffset + 26) + ZipArchive.u16(bytes, entry.localHeaderOffset + 28)
        var flipped = bytes
        flipped[start + entry.compressedSize / 2] ^= 0x10
        XCTAssertThrowsError(try MusicXMLReader.read(bytes: flipped, file: "bad.mxl")) { error in
            XCTAssertTrue("\(error)".contains("zip entry scores/song.musicxml"), "\(error)")
        }
    }

    func testAContainerNamingAMissingRootFileIsNamed() throws {
        var bytes = try fixture("score.mxl")
        // Rename the score's central entry so the container's full-path finds nothing.
        let p = centralEntry(bytes, "scores/song.musicxml")
        bytes[p + 46] = UInt8(ascii: "x")
        assertFails(bytes, "the rootfile scores/song.musicxml named by META-INF/container.xml is not in the archive")
    }

    func testEncryptedAndUnknownMethodEntriesAreRefused() throws {
        var bytes = try fixture("score.mxl")
        let p = centralEntry(bytes, "scores/song.musicxml")
        bytes[p + 8] |= 1
        assertFails(bytes, "is encrypted")
        bytes[p + 8] &= 0xFE
        bytes[p + 10] = 12
        assertFails(bytes, "compression method 12 is not supported")
    }
}
