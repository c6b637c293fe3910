import Foundation
import MuseCore
@testable import MuseImage
import MuseTraining
import XCTest

/// The Fashion-MNIST CNN and the sample-quality numbers built on its features.
final class ImageClassifierTests: XCTestCase {
    func testShapesOfLogitsAndFeatures() throws {
        let model = try ImageClassifier(config: ImageClassifierConfig())
        var rng = SplitMix64(seed: 1)
        let x = Tensor.uniform([3, 1, 28, 28], low: -1, high: 1, using: &rng)
        XCTAssertEqual(try model(x).shape, [3, 10])
        let (features, predictions) = try model.featuresAndPredictions(x, batchSize: 2)
        XCTAssertEqual(features.shape, [3, 128])
        XCTAssertEqual(predictions.count, 3)
        XCTAssertTrue(model.isTraining, "the mode is restored")
    }

    func testStridedPlanKeepsItsLayersAndShapes() throws {
        var config = ImageClassifierConfig()
        config.architecture = .strided
        let model = try ImageClassifier(config: config)
        XCTAssertEqual(model.convs.count, 4)
        XCTAssertTrue(Set(model.stateDict().keys).isSuperset(of: ["conv4.weight", "bn4.running_mean", "fc1.weight"]))
        XCTAssertEqual(model.fc1.weight.shape, [128, 64 * 7 * 7])
        var rng = SplitMix64(seed: 2)
        XCTAssertEqual(try model(Tensor.uniform([2, 1, 28, 28], low: -1, high: 1, using: &rng)).shape, [2, 10])
        XCTAssertEqual(try ImageClassifier(config: ImageClassifierConfig()).convs.count, 2, "the default plan pools")
    }

    /// A bundle config written before `architecture` existed decodes as the strided plan; a new one round-trips.
    func testConfigWithoutArchitectureDecodesAsStrided() throws {
        let old = #"{"imageSize":28,"channels":1,"classes":10,"convChannels":[32,64],"featureSize":128,"dropout":0.3,"batchSize":128,"learningRate":0.002,"seed":0}"#
        XCTAssertEqual(try JSONDecoder().decode(ImageClassifierConfig.self, from: Data(old.utf8)).architecture, .strided)
        let config = ImageClassifierConfig()
        XCTAssertEqual(try JSONDecoder().decode(ImageClassifierConfig.self, from: JSONEncoder().encode(config)), config)
    }

    /// Shifted training pictures move by the drawn offsets, with −1 where nothing moved in.
    func testShiftMovesPicturesAndFillsBackground() throws {
        var values = (0..<(2 * 16)).map { Float($0) }
        values.withUnsafeMutableBufferPointer { p in
            ImageClassifierTrainingTask.shift(p, shifts: [(1, -2), (0, 0)], channels: 1, side: 4)
        }
        let first = Array(values[0..<16]), second = Array(values[16..<32])
        XCTAssertEqual(first, [-1, -1, -1, -1,
                               2, 3, -1, -1,
                               6, 7, -1, -1,
                               10, 11, -1, -1])
        XCTAssertEqual(second, (16..<32).map { Float($0) })
    }

    func testLearnsTwoSeparableClasses() throws {
        var config = ImageClassifierConfig()
        (config.imageSize, config.classes, config.convChannels, config.featureSize, config.batchSize) = (8, 2, [4, 4], 8, 16)
        var values: [Float] = [], labels: [Int] = []
        var rng = SplitMix64(seed: 3)
        for i in 0..<64 {
            let label = i % 2
            labels.append(label)
            for y in 0..<8 { for _ in 0..<8 { values.append((label == 0 ? y < 4 : y >= 4) ? 0.8 : -0.8 + 0.1 * rng.nextUnitFloat()) } }
        }
        let pictures = try Tensor(values, shape: [64, 1, 8, 8])
        let model = try ImageClassifier(config: config)
        let task = try ImageClassifierTrainingTask(model: model, pictures: pictures, labels: labels, testPictures: pictures, testLabels: labels)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("classifier-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainerOptions(numSteps: 40, outputDirectory: folder, learningRate: 1e-2)
        (options.evalEvery, options.checkpointEvery) = (0, 1000)
        try Trainer(task: task, options: options, progress: ProgressReporter(silent: true)).run()
        model.train(false)
        XCTAssertEqual(try task.evaluate()["accuracy"], 1)
    }

    func testSampleQualityOfIdenticalSetsIsZeroAndCountsLabels() throws {
        var config = ImageClassifierConfig()
        (config.imageSize, config.convChannels, config.featureSize) = (8, [4, 4], 6)
        let model = try ImageClassifier(config: config)
        var rng = SplitMix64(seed: 9)
        let pictures = Tensor.uniform([40, 1, 8, 8], low: -1, high: 1, using: &rng)
        let same = try SampleQuality(classifier: model, samples: pictures, reference: pictures)
        XCTAssertEqual(same.frechetDistance, 0, accuracy: 1e-10)
        XCTAssertEqual(same.labelDistribution.count, 10)
        XCTAssertEqual(same.labelDistribution.reduce(0, +), 1, accuracy: 1e-12)
        let shifted = try SampleQuality(classifier: model, samples: pictures * 0.2, reference: pictures)
        XCTAssertGreaterThan(shifted.frechetDistance, 1e-7, "an untrained network's features are small, but they move")
    }
}
