import Foundation
import MuseImage
import XCTest

final class ImageFolderTests: XCTestCase {
    func testLoadsPNGAndJPEGFilesSortedAndFitted() throws {
        let folder = try temporaryFolder()
        let nested = folder.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixture.path("jpeg_rgb.jpg"), toPath: nested.appendingPathComponent("photo.JPG").path)
        try FileManager.default.copyItem(atPath: Fixture.path("png_la_8.png"), toPath: folder.appendingPathComponent("a.png").path)
        try Data("not a picture".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let images = try ImageFolder(directory: folder.path)
        XCTAssertEqual(images.files.map { URL(fileURLWithPath: $0).lastPathComponent }, ["a.png", "photo.JPG"])
        let t = try images.tensor(width: 8, height: 6, layout: .rgb)
        XCTAssertEqual(t.shape, [2, 3, 6, 8])
        XCTAssertTrue(t.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        let expected = try ImageFile.read(path: images.files[1]).resizedToFill(width: 8, height: 6).tensor()
        XCTAssertEqual(Array(t.scalars[(3 * 48)...]), expected.scalars)
    }

    func testEmptyFolderIsRefused() throws {
        let folder = try temporaryFolder()
        let error = imageError(try ImageFolder(directory: folder.path))
        guard case .unreadable(let file, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, folder.path)
    }
}
