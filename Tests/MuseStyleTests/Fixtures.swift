import Foundation
import MuseCore
import MuseImage
import XCTest

/// Loads the expectations written by `scripts/make_style_fixtures.py`.
enum Fixture {
    static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// A float32 `.npy` fixture as a tensor.
    static func npy(_ name: String) throws -> Tensor { try NPY.read(contentsOf: folder.appendingPathComponent(name + ".npy")) }

    /// The loss values of one case of `style_losses.json`.
    static func losses(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("style_losses.json")))
        return try XCTUnwrap((object as? [String: Any])?[name] as? [String: Any])
    }
}

extension XCTestCase {
    /// A fresh empty folder for files this test writes, removed when the test ends.
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("MuseStyleTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// A small RGB picture with smooth structure: a diagonal gradient and a disc.
func syntheticPicture(width: Int, height: Int, phase: Float = 0) -> Image {
    var pixels = [UInt8]()
    for y in 0..<height {
        for x in 0..<width {
            let fx = Float(x) / Float(width), fy = Float(y) / Float(height)
            let inDisc = (fx - 0.5) * (fx - 0.5) + (fy - 0.5) * (fy - 0.5) < 0.08
            let r = inDisc ? 0.9 : fx, g = fy, b = 0.5 + 0.5 * sin(8 * fx + phase)
            pixels += [r, g, b].map { UInt8(max(0, min(255, $0 * 255))) }
        }
    }
    return Image(width: width, height: height, layout: .rgb, pixels: pixels)
}

/// A style picture: diagonal coloured stripes with seeded speckle.
func stripedPicture(width: Int, height: Int, seed: UInt64 = 3) -> Image {
    var generator = SplitMix64(seed: seed)
    var pixels = [UInt8]()
    for y in 0..<height {
        for x in 0..<width {
            let stripe = ((x + 2 * y) / 3) % 2 == 0
            let noise = Float(generator.next() % 40)
            pixels += (stripe ? [200, 40, 30] : [20, 60, 190]).map { UInt8(min(255, Float($0) + noise)) }
        }
    }
    return Image(width: width, height: height, layout: .rgb, pixels: pixels)
}
