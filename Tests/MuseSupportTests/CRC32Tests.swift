import Foundation
import MuseSupport
import XCTest

/// CRC-32 as zlib computes it, in one piece, in parts, and of a file.
final class CRC32Tests: XCTestCase {
    func testCheckValueOfTheStandardString() {
        XCTAssertEqual(CRC32.checksum(Data("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Data()), 0)
    }

    func testUpdatingInPartsEqualsOnePiece() {
        let bytes = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        var crc = CRC32()
        bytes.prefix(333).withUnsafeBytes { crc.update($0) }
        bytes.dropFirst(333).withUnsafeBytes { crc.update($0) }
        XCTAssertEqual(crc.value, CRC32.checksum(bytes))
    }

    func testFileChecksumEqualsDataChecksumAndSeesOneFlippedBit() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crc32-\(getpid()).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = Data((0..<(3 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        try bytes.write(to: url)
        XCTAssertEqual(try CRC32.checksum(ofFile: url), CRC32.checksum(bytes))
        bytes[1_000_000] ^= 0x04
        XCTAssertNotEqual(CRC32.checksum(bytes), try CRC32.checksum(ofFile: url))
    }
}
