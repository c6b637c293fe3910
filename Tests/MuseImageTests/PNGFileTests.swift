import Foundation
import MuseImage
import XCTest

/// PNG decoding against the arrays Pillow (8-bit) or a plain zlib writer (16-bit) encoded, and
/// round trips through libpng's writer.
final class PNGFileTests: XCTestCase {
    func assertDecodes(_ name: String, layout: PixelLayout, bitDepth: Int, tolerance: Int = 0,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let image = try PNGFile.read(path: Fixture.path(name + ".png"))
        XCTAssertEqual(image.layout, layout, name, file: file, line: line)
        XCTAssertEqual(image.bitDepth, bitDepth, name, file: file, line: line)
        XCTAssertEqual([image.width, image.height], [7, 5], name, file: file, line: line)
        let expected = try Fixture.samples(name)
        XCTAssertEqual(image.samples.count, expected.count, file: file, line: line)
        let worst = zip(image.samples, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, name, file: file, line: line)
    }

    func testReadsGrey8() throws { try assertDecodes("png_l_8", layout: .grey, bitDepth: 8) }
    func testReadsGreyAlpha8() throws { try assertDecodes("png_la_8", layout: .greyAlpha, bitDepth: 8) }
    func testReadsRGB8() throws { try assertDecodes("png_rgb_8", layout: .rgb, bitDepth: 8) }
    func testReadsRGBA8() throws { try assertDecodes("png_rgba_8", layout: .rgba, bitDepth: 8) }
    func testReadsGrey16() throws { try assertDecodes("png_l_16", layout: .grey, bitDepth: 16) }
    func testReadsRGB16() throws { try assertDecodes("png_rgb_16", layout: .rgb, bitDepth: 16) }
    func testReadsPaletteWithTransparencyAsRGBA() throws { try assertDecodes("png_palette_trns", layout: .rgba, bitDepth: 8) }
    func testReadsBilevelAsGrey() throws { try assertDecodes("png_bilevel", layout: .grey, bitDepth: 8) }

    /// libpng hands 16-bit alpha pictures over premultiplied; dividing back is exact for opaque
    /// pixels and within one unit for alpha ≥ 32768 (65535 / (2 · 32768) < 1, plus rounding).
    func testReadsGreyAlpha16WithinOneUnit() throws {
        try assertDecodes("png_la_16", layout: .greyAlpha, bitDepth: 16, tolerance: 1)
    }

    func testReadsRGBA16WithinOneUnitAndOpaqueRowExactly() throws {
        try assertDecodes("png_rgba_16", layout: .rgba, bitDepth: 16, tolerance: 1)
        let image = try PNGFile.read(path: Fixture.path("png_rgba_16.png"))
        let expected = try Fixture.samples("png_rgba_16")
        XCTAssertEqual(Array(image.samples.prefix(7 * 4)), Array(expected.prefix(7 * 4)))  // row 0 is opaque
    }

    func testRoundTripsEveryLayoutAt8Bits() throws {
        let folder = try temporaryFolder()
        for name in ["png_l_8", "png_la_8", "png_rgb_8", "png_rgba_8"] {
            let original = try PNGFile.read(path: Fixture.path(name + ".png"))
            let path = folder.appendingPathComponent(name + ".png").path
            try PNGFile.write(original, to: path)
            XCTAssertEqual(try PNGFile.read(path: path), original, name)
        }
        // Only the pictures remain: the temporary files were renamed into place.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).count, 4)
    }

    func testWritingSixteenBitsRoundsToEight() throws {
        let image = Image(width: 2, height: 1, layout: .grey, bitDepth: 16, samples: [65535, 32896])
        let back = try PNGFile.decode(try PNGFile.encode(image), file: "mem")
        XCTAssertEqual(back.bitDepth, 8)
        XCTAssertEqual(back.samples, [255, 128])  // 32896 = 128 · 257
    }

    func testNonPNGIsRefusedWithBadMagic() throws {
        let error = imageError(try PNGFile.decode(try Fixture.data("jpeg_rgb.jpg"), file: "photo.jpg"))
        guard case .badMagic(let file, let offset, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "photo.jpg"); XCTAssertEqual(offset, 0)
    }

    func testTruncatedPNGIsRefusedWithLibpngsMessage() throws {
        let whole = try Fixture.data("png_rgb_8.png")
        let error = imageError(try PNGFile.decode(whole.prefix(whole.count - 20), file: "cut.png"))
        guard case .decodeFailed(let file, let reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "cut.png"); XCTAssertFalse(reason.isEmpty)
    }

    func testOversizedPictureIsRefusedBeforeDecoding() throws {
        let error = imageError(try PNGFile.decode(try Fixture.data("png_rgb_8.png"), file: "big.png", maximumPixels: 34))
        guard case .badField(_, let offset, let field, let value, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 16); XCTAssertEqual(field, "PNG size"); XCTAssertEqual(value, "7x5")
    }

    func testEmptyPictureCannotBeWritten() {
        XCTAssertNotNil(imageError(try PNGFile.encode(Image(width: 0, height: 0, layout: .grey, pixels: []))))
    }
}
