import Foundation
import MuseImage
import MuseSupport
import XCTest

/// Bad picture files are refused with one typed error before any pixel buffer is allocated.
final class PictureInputTests: XCTestCase {
    /// A PNG holding a signature, an IHDR chunk of the given size (8-bit RGB), a tiny IDAT and IEND.
    func headerOnlyPNG(width: UInt32, height: UInt32) -> Data {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            var typed = Array(type.utf8) + body
            let crc = CRC32.checksum(Data(typed))
            let length = UInt32(body.count)
            typed = [UInt8(length >> 24), UInt8(length >> 16 & 255), UInt8(length >> 8 & 255), UInt8(length & 255)] + typed
            return typed + [UInt8(crc >> 24), UInt8(crc >> 16 & 255), UInt8(crc >> 8 & 255), UInt8(crc & 255)]
        }
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        let ihdr = be(width) + be(height) + [8, 2, 0, 0, 0]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
                    + chunk("IEND", []))
    }

    func write(_ data: Data, _ name: String) throws -> String {
        let path = try temporaryFolder().appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func testTextFileNamedPNGIsRefusedAsBadMagic() throws {
        let path = try write(Data("not a picture at all\n".utf8), "notes.png")
        XCTAssertThrowsError(try ImageFile.read(path: path)) { error in
            guard case .badMagic(let file, let offset, _, _)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path); XCTAssertEqual(offset, 0)
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testZeroByZeroPNGIsRefused() throws {
        let path = try write(headerOnlyPNG(width: 0, height: 0), "empty.png")
        XCTAssertThrowsError(try ImageFile.read(path: path)) { error in
            XCTAssertNotNil(error as? ImageError)
            XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testFortyThousandPixelWideHeaderIsRefusedBeforeDecoding() throws {
        // 40,000 × 40,000 RGB would need 4.8 GB; the size check at the IHDR refuses it first.
        let path = try write(headerOnlyPNG(width: 40_000, height: 40_000), "huge.png")
        let started = Date()
        XCTAssertThrowsError(try ImageFile.read(path: path)) { error in
            guard case .badField(_, let offset, let field, let value, _)? = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(offset, 16); XCTAssertEqual(field, "PNG size"); XCTAssertEqual(value, "40000x40000")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
    }
}
