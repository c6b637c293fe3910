import MuseCore
import MuseImage
import XCTest

/// Resizing, cropping and colour conversion against Pillow.
final class ImageTransformTests: XCTestCase {
    func source() throws -> Image {
        Image(width: 20, height: 15, layout: .rgb, bitDepth: 8, samples: try Fixture.samples("resize_source"))
    }

    /// Pillow rounds to 8 bits between its across and down passes; we round once, so results
    /// may differ by one unit, never more.
    func testBilinearResizeMatchesPillowWithinOneUnit() throws {
        let cases = try XCTUnwrap(try Fixture.json("image_cases.json")["resize"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let w = try XCTUnwrap(c["width"] as? Int), h = try XCTUnwrap(c["height"] as? Int)
            let out = try source().resized(width: w, height: h)
            let expected = try Fixture.samples(name)
            let diffs = zip(out.samples, expected).map { abs(Int($0) - Int($1)) }
            XCTAssertEqual(out.samples.count, expected.count, name)
            XCTAssertLessThanOrEqual(diffs.max() ?? 0, 1, name)
            XCTAssertLessThan(Double(diffs.filter { $0 > 0 }.count) / Double(diffs.count), 0.2, name)
        }
    }

    func testGreyConversionMatchesPillowExactly() throws {
        XCTAssertEqual(try source().converted(to: .grey).samples, try Fixture.samples("convert_l"))
    }

    func testGreyToRGBCopiesAndAddsOpaqueAlpha() {
        let grey = Image(width: 2, height: 1, layout: .grey, pixels: [10, 200])
        XCTAssertEqual(grey.converted(to: .rgba).samples, [10, 10, 10, 255, 200, 200, 200, 255])
        XCTAssertEqual(grey.converted(to: .rgb).converted(to: .grey), grey)
    }

    func testCentreCropTakesTheMiddle() throws {
        let image = Image(width: 4, height: 3, layout: .grey, pixels: Array(0..<12))
        XCTAssertEqual(try image.centreCropped(width: 2, height: 1).samples, [5, 6])
        XCTAssertNotNil(imageError(try image.centreCropped(width: 5, height: 1)))
    }

    func testResizeToFillKeepsAspectAndCropsTheLongerSide() throws {
        let out = try source().resizedToFill(width: 8, height: 8)
        XCTAssertEqual([out.width, out.height], [8, 8])
        // 20×15 → 11×8 (scale 8/15), then the middle 8 columns (left = round(1.5) = 2).
        let scaled = try source().resized(width: 11, height: 8)
        XCTAssertEqual(out, try scaled.centreCropped(width: 8, height: 8))
    }

    func testTensorRoundTripThroughMinusOneOne() throws {
        let image = Image(width: 2, height: 1, layout: .rgb, pixels: [0, 128, 255, 64, 32, 16])
        let t = image.tensor()
        XCTAssertEqual(t.shape, [1, 3, 1, 2])
        XCTAssertEqual(t.scalars[0], -1); XCTAssertEqual(t.scalars[2], 128 / 127.5 - 1, accuracy: 1e-6)
        XCTAssertEqual(try Image(tensor: t, index: 0), image)
    }

    func testTensorValuesAreClampedAndNaNIsBlack() throws {
        let t = try Tensor([-3, 3, .nan], shape: [1, 1, 1, 3])
        XCTAssertEqual(try Image(tensor: t, index: 0).samples, [0, 255, 0])
    }
}
