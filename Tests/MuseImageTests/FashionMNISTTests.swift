import MuseImage
import XCTest

/// Debian's dataset-fashion-mnist against the facts NumPy computed from the same files
/// (`scripts/make_image_fixtures.py` → fashion_mnist_t10k.json).
final class FashionMNISTTests: XCTestCase {
    func loadTestSet() throws -> FashionMNIST {
        guard FashionMNIST.isInstalled(split: .test) else {
            throw XCTSkip("Debian's dataset-fashion-mnist is not installed (scripts/setup.sh)")
        }
        return try FashionMNIST.load(split: .test)
    }

    func testTestSetHasTenThousandImagesOf28By28() throws {
        let set = try loadTestSet()
        XCTAssertEqual([set.images.count, set.images.height, set.images.width], [10_000, 28, 28])
        XCTAssertEqual(set.labels.count, 10_000)
    }

    func testTestSetLabelsMatchNumPy() throws {
        let set = try loadTestSet()
        let facts = try Fixture.json("fashion_mnist_t10k.json")
        XCTAssertEqual(Array(set.labels.prefix(10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])  // ankle boot, pullover, trouser…
        XCTAssertEqual(Array(set.labels.prefix(20)).map(Int.init), facts["firstLabels"] as? [Int])
        var counts = [Int](repeating: 0, count: 10)
        for label in set.labels { counts[Int(label)] += 1 }
        XCTAssertEqual(counts, facts["labelCounts"] as? [Int])
    }

    func testTestSetPixelsMatchNumPy() throws {
        let set = try loadTestSet()
        let facts = try Fixture.json("fashion_mnist_t10k.json")
        XCTAssertEqual(set.images.pixels.reduce(0) { $0 + Int($1) }, facts["pixelSum"] as? Int)
        XCTAssertEqual(set.images.pixels[0..<784].reduce(0) { $0 + Int($1) }, facts["firstImageSum"] as? Int)
        XCTAssertEqual(set.images.pixels[(14 * 28)..<(15 * 28)].map(Int.init), facts["firstImageRow14"] as? [Int])
        XCTAssertEqual(set.images.pixels.suffix(784).reduce(0) { $0 + Int($1) }, facts["lastImageSum"] as? Int)
    }

    /// The DCGAN's input: [n, 1, 28, 28] in [−1, 1], byte / 127.5 − 1.
    func testTensorHelperScalesToMinusOneOne() throws {
        let set = try loadTestSet()
        let batch = try set.images.tensor(range: 0..<4)
        XCTAssertEqual(batch.shape, [4, 1, 28, 28])
        let values = batch.scalars
        XCTAssertEqual(values[14 * 28 + 13], Float(136) / 127.5 - 1)
        XCTAssertEqual(values.min(), -1); XCTAssertLessThanOrEqual(values.max()!, 1)
        XCTAssertThrowsError(try set.images.tensor(indices: [10_000]))
    }

    /// The first 64 test pictures as an 8×8 grid with a 2-pixel gutter: 8·30 + 2 = 242 pixels a
    /// side, each cell a copy of its picture.
    func testSampleGridOfTheTestSet() throws {
        let set = try loadTestSet()
        let path = try temporaryFolder().appendingPathComponent("fashion-mnist-8x8.png").path
        try ImageGrid.write(tensor: try set.images.tensor(range: 0..<64), rows: 8, columns: 8, to: path)
        let grid = try PNGFile.read(path: path)
        XCTAssertEqual([grid.width, grid.height], [242, 242])
        let picture = try set.images.image(at: 9)  // row 1, column 1
        for (x, y) in [(0, 0), (13, 14), (27, 27), (20, 5)] {
            XCTAssertEqual(grid.sample(x: 2 + 30 + x, y: 2 + 30 + y), picture.sample(x: x, y: y))
        }
    }

    func testMissingDirectoryNamesTheFileAndThePackage() {
        let error = imageError(try FashionMNIST.load(split: .train, directory: "/nonexistent"))
        guard case .unreadable(let file, let reason)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "/nonexistent/train-images-idx3-ubyte.gz")
        XCTAssertTrue(reason.contains("dataset-fashion-mnist"))
    }
}
