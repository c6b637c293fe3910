import Foundation
import MuseDSP
import MuseSupport
import XCTest

final class NPYTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { [folder] in try? FileManager.default.removeItem(at: folder!) }
    }

    func testWriteThenReadRoundTrips() throws {
        let path = folder.appendingPathComponent("a.npy").path
        let values: [Float] = (0..<12).map { Float($0) * 0.5 - 1 }
        try NPYFile.write(values, shape: [3, 4], to: path)
        let back = try NPYFile.read(path)
        XCTAssertEqual(back.shape, [3, 4]); XCTAssertEqual(back.values, values); XCTAssertFalse(back.isComplex)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual((10 + Int(bytes[8]) | Int(bytes[9]) << 8) % 64, 0, "header padded to 64 bytes")
    }

    /// The fixtures were written by NumPy itself: reading them proves the reader speaks NumPy.
    func testReadsNumPyWrittenComplex() throws {
        let c = try Fixture.npy("stft_512_128_center")
        XCTAssertTrue(c.isComplex)
        XCTAssertEqual(c.shape, [257, 63])
        XCTAssertEqual(c.values.count, 2 * 257 * 63)
    }

    func testShapeMustMatchCount() {
        XCTAssertThrowsError(try NPYFile.write([1, 2, 3], shape: [2, 2], to: folder.appendingPathComponent("b.npy").path))
    }

    func testBrokenFilesAreRejected() throws {
        let good = folder.appendingPathComponent("g.npy").path
        try NPYFile.write([Float](repeating: 1, count: 100), shape: [100], to: good)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        func check(_ mutated: [UInt8], _ field: String) throws {
            let path = folder.appendingPathComponent("bad.npy").path
            try Data(mutated).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try NPYFile.read(path)) {
                guard case .badFile(_, let f, _)? = $0 as? SupportError else { return XCTFail("\($0)") }
                XCTAssertEqual(f, field)
            }
        }
        try check(Array("not numpy".utf8), "magic")
        try check(Array(bytes.prefix(bytes.count - 8)), "data")
        var huge = bytes
        let header = String(decoding: bytes[10..<(bytes.count - 400)], as: UTF8.self)
        let patched = header.replacingOccurrences(of: "(100,)", with: "(999999999999,)")
        huge = Array(bytes[0..<10]) + Array(patched.utf8) + Array(bytes[(bytes.count - 400)...])
        huge[8] = UInt8(patched.utf8.count & 0xFF); huge[9] = UInt8(patched.utf8.count >> 8)
        try check(huge, "shape")
        try check(Array(bytes[0..<8]) + [0xFF, 0xFF], "header")
    }
}
