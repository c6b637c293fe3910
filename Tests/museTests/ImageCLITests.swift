import Foundation
import XCTest

/// `muse train|sample|interpolate|evaluate` for the picture models, with tiny settings on
/// Fashion-MNIST (skipped when Debian's dataset-fashion-mnist is not installed).
final class ImageCLITests: CLITestCase {
    static let fashionMNIST = "/usr/share/datasets/fashion-mnist"

    func requireFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: ImageCLITests.fashionMNIST + "/t10k-images-idx3-ubyte.gz") else {
            throw XCTSkip("Debian's dataset-fashion-mnist is not installed")
        }
    }

    /// Width and height from a PNG's IHDR chunk.
    func pngSize(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG signature", file: file, line: line)
        func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return [be32(16), be32(20)]
    }

    func testDCGANTrainsSamplesInterpolatesAndEvaluates() throws {
        try requireFashionMNIST()
        let train = try muse(["train", "dcgan", "--output", "gan", "--num-steps", "2", "--batch-size", "8", "--max-pictures", "64",
                              "--sample-every", "1", "--checkpoint-every", "2"])
        XCTAssertEqual(train.status, 0, train.err)
        XCTAssertTrue(train.out.contains("fashion-mnist: 64 training, 64 test pictures"), train.out)
        XCTAssertEqual(try pngSize("gan/samples/step-000002.png"), [8 * 30 + 2, 8 * 30 + 2])
        let sample = try muse(["sample", "dcgan", "--bundle", "gan", "--grid", "3x5", "-o", "grid.png"])
        XCTAssertEqual(sample.status, 0, sample.err)
        XCTAssertEqual(try pngSize("grid.png"), [5 * 30 + 2, 3 * 30 + 2])
        let walk = try muse(["interpolate", "--bundle", "gan", "--steps", "6", "-o", "walk.png"])
        XCTAssertEqual(walk.status, 0, walk.err)
        XCTAssertEqual(try pngSize("walk.png"), [6 * 30 + 2, 30 + 2])
        let classifier = try muse(["train", "image-classifier", "--output", "cls", "--num-steps", "2", "--batch-size", "8",
                                   "--max-pictures", "64"])
        XCTAssertEqual(classifier.status, 0, classifier.err)
        let evaluate = try muse(["evaluate", "dcgan", "--bundle", "gan", "--classifier", "cls", "--count", "40", "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.err)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluate.out.utf8)) as? [String: Any])
        let samples = try XCTUnwrap(report["samples"] as? [String: Any]), floor = try XCTUnwrap(report["floor"] as? [String: Any])
        XCTAssertEqual(samples["sampleCount"] as? Int, 40)
        XCTAssertEqual((samples["labelDistribution"] as? [Double])?.count, 10)
        XCTAssertEqual((samples["labelDistribution"] as? [Double])?.reduce(0, +) ?? 0, 1, accuracy: 1e-9)
        XCTAssertGreaterThan(try XCTUnwrap(samples["frechetDistance"] as? Double), try XCTUnwrap(floor["frechetDistance"] as? Double),
                             "two steps of training are far from the training pictures")
    }

    func testImageVAETrainsAndDrawsSamplesReconstructionsAndManifold() throws {
        try requireFashionMNIST()
        let train = try muse(["train", "image-vae", "--output", "vae", "--num-steps", "2", "--batch-size", "8", "--max-pictures", "64",
                              "--sample-every", "2"])
        XCTAssertEqual(train.status, 0, train.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("vae/samples/reconstructions-000002.png").path))
        let sample = try muse(["sample", "image-vae", "--bundle", "vae", "--grid", "2x4", "-o", "s.png", "--reconstructions", "r.png",
                               "--manifold", "m.png", "--manifold-side", "5"])
        XCTAssertEqual(sample.status, 0, sample.err)
        XCTAssertEqual(try pngSize("s.png"), [4 * 30 + 2, 2 * 30 + 2])
        XCTAssertEqual(try pngSize("r.png"), [4 * 30 + 2, 4 * 30 + 2], "two rows of pictures, each above its reconstructions")
        XCTAssertEqual(try pngSize("m.png"), [5 * 30 + 2, 5 * 30 + 2])
    }

    func testSamplingADCGANFromAVAEBundleIsRefusedInOneLine() throws {
        try requireFashionMNIST()
        let train = try muse(["train", "image-vae", "--output", "vae", "--num-steps", "1", "--batch-size", "8", "--max-pictures", "16"])
        XCTAssertEqual(train.status, 0, train.err)
        let sample = try muse(["sample", "dcgan", "--bundle", "vae"])
        XCTAssertEqual(sample.status, 1)
        XCTAssertTrue(sample.err.hasPrefix("muse: error: "), sample.err)
        XCTAssertEqual(sample.err.filter { $0 == "\n" }.count, 1, sample.err)
    }

    func testTruncatedIDXFileIsRefusedInOneLine() throws {
        let data = folder.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        // An uncompressed IDX header cut short, gzip-wrapped by nothing: the reader names the file.
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: data.appendingPathComponent(name))
        }
        let result = try muse(["train", "image-classifier", "--fashion-mnist", data.path, "--output", "cls", "--num-steps", "1"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.hasPrefix("muse: error: \(data.path)/train-images-idx3-ubyte.gz"), result.err)
        XCTAssertEqual(result.err.filter { $0 == "\n" }.count, 1, result.err)
    }
}
