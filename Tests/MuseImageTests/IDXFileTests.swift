import Foundation
import MuseImage
import XCTest

final class IDXFileTests: XCTestCase {
    /// Plain IDX bytes: zero, zero, type, rank, big-endian sizes, then `payload`.
    func idx(type: UInt8 = 8, sizes: [UInt32], payload: [UInt8]) -> Data {
        var bytes: [UInt8] = [0, 0, type, UInt8(sizes.count)]
        for s in sizes { bytes += [UInt8(s >> 24), UInt8(s >> 16 & 0xFF), UInt8(s >> 8 & 0xFF), UInt8(s & 0xFF)] }
        return Data(bytes + payload)
    }

    func testReadsGzipImagesAsPythonWroteThem() throws {
        let images = try IDXFile.readImages(path: Fixture.path("tiny-images-idx3-ubyte.gz"))
        XCTAssertEqual([images.count, images.height, images.width], [3, 4, 5])
        XCTAssertEqual(images.pixels.map(UInt16.init), try Fixture.samples("tiny_images"))
        XCTAssertEqual(try IDXFile.readLabels(path: Fixture.path("tiny-labels-idx1-ubyte.gz")), [7, 0, 9])
    }

    func testReadsUncompressedIDX() throws {
        let plain = try IDXFile.readImages(path: Fixture.path("tiny-images-idx3-ubyte"))
        let gzip = try IDXFile.readImages(path: Fixture.path("tiny-images-idx3-ubyte.gz"))
        XCTAssertEqual(plain, gzip)
    }

    func testEmptyFileIsTruncatedAtOffsetZero() {
        let error = imageError(try IDXFile.decode(Data(), file: "empty.idx"))
        guard case .truncated(let file, let offset, let needed, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "empty.idx"); XCTAssertEqual(offset, 0); XCTAssertEqual(needed, 4)
    }

    func testWrongMagicIsRefusedAtOffsetZero() {
        let error = imageError(try IDXFile.decode(Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1]), file: "picture.png"))
        guard case .badMagic(let file, let offset, let found, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "picture.png"); XCTAssertEqual(offset, 0); XCTAssertEqual(found, "89 50 4E 47")
        XCTAssertTrue(error!.description.hasPrefix("picture.png: bad magic number at offset 0"))
    }

    func testNonByteDataTypeIsRefusedAtOffsetTwo() {
        let error = imageError(try IDXFile.decode(idx(type: 0x0D, sizes: [1], payload: [0, 0, 0, 0]), file: "f.idx"))
        guard case .badField(_, let offset, let field, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 2); XCTAssertEqual(field, "IDX data type")
    }

    func testWrongRankIsRefusedAtOffsetThree() {
        let error = imageError(try IDXFile.decode(idx(sizes: [2, 1], payload: [1, 2]), file: "f.idx", rank: 3))
        guard case .badField(_, let offset, let field, let value, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 3); XCTAssertEqual(field, "IDX rank"); XCTAssertEqual(value, "2")
    }

    /// 4,000,000,000 × 28 × 28 bytes would be 3 TB: refused at the size field, before allocating.
    func testAbsurdDimensionsAreRefusedBeforeAllocating() {
        let error = imageError(try IDXFile.decode(idx(sizes: [4_000_000_000, 28, 28], payload: []), file: "huge.idx"))
        guard case .badField(let file, let offset, _, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "huge.idx")
        XCTAssertEqual(offset, 4, "the count alone is past the 1 GiB limit")
    }

    func testDimensionsBeyondACallersLimitAreRefused() {
        let error = imageError(try IDXFile.decode(idx(sizes: [100], payload: [UInt8](repeating: 0, count: 100)), file: "f.idx",
                                                  maximumBytes: 99))
        guard case .badField(_, let offset, _, let value, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 4); XCTAssertEqual(value, "100")
    }

    func testTruncatedHeaderNamesOffsetOfMissingSizes() {
        let error = imageError(try IDXFile.decode(Data([0, 0, 8, 3, 0, 0]), file: "f.idx"))
        guard case .truncated(_, let offset, let needed, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 6); XCTAssertEqual(needed, 10)
    }

    func testTruncatedDataNamesOffsetAndMissingBytes() {
        let error = imageError(try IDXFile.decode(idx(sizes: [2, 3], payload: [1, 2, 3, 4]), file: "f.idx"))
        guard case .truncated(_, let offset, let needed, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 12 + 4); XCTAssertEqual(needed, 2)
    }

    func testTrailingBytesAreRefused() {
        let error = imageError(try IDXFile.decode(idx(sizes: [2], payload: [1, 2, 3]), file: "f.idx"))
        XCTAssertEqual(error, .trailingData(file: "f.idx", offset: 10, extraBytes: 1))
    }

    /// Cutting a gzip file anywhere in its compressed data leaves the IDX data short.
    func testTruncatedGzipIsRefusedWithDecompressedOffset() throws {
        let whole = try Fixture.data("tiny-images-idx3-ubyte.gz")
        let error = imageError(try IDXFile.decode(whole.prefix(whole.count / 2), file: "cut.gz"))
        guard case .truncated(let file, let offset, let needed, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "cut.gz")
        XCTAssertLessThan(offset, 16 + 60); XCTAssertEqual(offset + needed, 16 + 60)
    }

    /// Without its 8-byte trailer, the data is all there but the stream's CRC cannot be checked.
    func testGzipWithoutTrailerIsTruncated() throws {
        let whole = try Fixture.data("tiny-images-idx3-ubyte.gz")
        let error = imageError(try IDXFile.decode(whole.prefix(whole.count - 8), file: "cut.gz"))
        guard case .truncated(_, let offset, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, whole.count - 8)
    }

    func testGzipWithWrongChecksumIsCorrupt() throws {
        var bytes = [UInt8](try Fixture.data("tiny-images-idx3-ubyte.gz"))
        bytes[bytes.count - 6] ^= 0xFF  // inside the CRC-32
        let error = imageError(try IDXFile.decode(Data(bytes), file: "bad.gz"))
        guard case .corrupt(let file, _, let reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "bad.gz"); XCTAssertTrue(reason.contains("check"), reason)
    }

    func testMissingFileIsUnreadable() {
        let error = imageError(try IDXFile.read(path: "/nonexistent/x-idx3-ubyte.gz"))
        guard case .unreadable(let file, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "/nonexistent/x-idx3-ubyte.gz")
    }
}
