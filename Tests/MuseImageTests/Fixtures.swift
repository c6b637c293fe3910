import Foundation
import MuseCore
import MuseImage
import XCTest

/// Loads the expectations written by `scripts/make_image_fixtures.py`.
enum Fixture {
    static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A float32 `.npy` fixture as a tensor.
    static func npy(_ name: String) throws -> Tensor { try NPY.read(contentsOf: folder.appendingPathComponent(name + ".npy")) }

    /// A float32 `.npy` fixture of integral sample values as `UInt16`s.
    static func samples(_ name: String) throws -> [UInt16] { try npy(name).scalars.map { UInt16($0) } }

    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name)))
        return try XCTUnwrap(object as? [String: Any])
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

}

extension XCTestCase {
    /// A fresh empty folder for files this test writes, removed when the test ends.
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("MuseImageTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Asserts `body` throws an `ImageError` and returns it.
func imageError<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> ImageError? {
    do {
        _ = try body()
        XCTFail("expected an ImageError", file: file, line: line)
        return nil
    } catch let error as ImageError {
        return error
    } catch {
        XCTFail("expected an ImageError, got \(error)", file: file, line: line)
        return nil
    }
}
