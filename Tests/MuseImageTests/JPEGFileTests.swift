import Foundation
import MuseImage
import XCTest

/// JPEG decoding against Pillow's decode of the same files (Pillow bundles its own libjpeg-turbo;
/// both use libjpeg's default islow IDCT and fancy upsampling).
final class JPEGFileTests: XCTestCase {
    func worstDifference(_ image: Image, _ name: String) throws -> Int {
        let expected = try Fixture.samples(name)
        XCTAssertEqual(image.samples.count, expected.count)
        return zip(image.samples, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    func testDecodesColourJPEGAsPillowDoes() throws {
        let image = try JPEGFile.read(path: Fixture.path("jpeg_rgb.jpg"))
        XCTAssertEqual(image.layout, .rgb); XCTAssertEqual([image.width, image.height], [16, 12])
        XCTAssertEqual(try worstDifference(image, "jpeg_rgb"), 0)
    }

    func testDecodesGreyJPEGAsPillowDoes() throws {
        let image = try JPEGFile.read(path: Fixture.path("jpeg_grey.jpg"))
        XCTAssertEqual(image.layout, .grey); XCTAssertEqual([image.width, image.height], [16, 12])
        XCTAssertEqual(try worstDifference(image, "jpeg_grey"), 0)
    }

    func testImageFileChoosesTheDecoderByMagic() throws {
        XCTAssertEqual(try ImageFile.read(path: Fixture.path("jpeg_rgb.jpg")).layout, .rgb)
        XCTAssertEqual(try ImageFile.read(path: Fixture.path("png_la_8.png")).layout, .greyAlpha)
        let error = imageError(try ImageFile.read(path: Fixture.path("tiny-images-idx3-ubyte")))
        guard case .badMagic(_, let offset, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(offset, 0)
    }

    func testTruncatedJPEGIsRefused() throws {
        let whole = try Fixture.data("jpeg_rgb.jpg")
        let error = imageError(try JPEGFile.decode(whole.prefix(whole.count / 2), file: "cut.jpg"))
        guard case .decodeFailed(let file, let reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "cut.jpg"); XCTAssertFalse(reason.isEmpty)
    }

    func testNonJPEGIsRefusedWithBadMagic() throws {
        let error = imageError(try JPEGFile.decode(try Fixture.data("png_l_8.png"), file: "x.png"))
        guard case .badMagic(let file, 0, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "x.png")
    }
}
