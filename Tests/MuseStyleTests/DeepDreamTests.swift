import MuseCore
import MuseImage
import MuseImageStyle
import MuseStyle
import XCTest

/// DeepDream on a (randomly initialised) Fashion-MNIST-shaped classifier.
final class DeepDreamTests: XCTestCase {
    func classifier(channels: Int = 1) throws -> ImageClassifier {
        var config = ImageClassifierConfig()
        config.channels = channels
        config.convChannels = [8, 16]
        config.architecture = .strided  // four layers, conv1 … conv4
        config.seed = 5
        let model = try ImageClassifier(config: config)
        model.train(false)
        return model
    }

    func testDreamRaisesTheLayerObjectiveAndKeepsTheSize() throws {
        var config = DeepDreamConfig()
        (config.layer, config.octaves, config.steps, config.jitter) = ("conv3", 2, 6, 2)
        let dream = try DeepDream(classifier: classifier(), config: config)
        var values: [(Int, Float)] = []
        let picture = syntheticPicture(width: 40, height: 32)
        let out = try dream.run(picture) { octave, _, v in values.append((octave, v)) }
        XCTAssertEqual([out.width, out.height], [40, 32])
        XCTAssertEqual(out.layout, .rgb)
        let last = values.filter { $0.0 == 2 }.map(\.1)
        XCTAssertEqual(last.count, 6)
        XCTAssertGreaterThan(try XCTUnwrap(last.last), try XCTUnwrap(last.first))
        XCTAssertNotEqual(out, picture)
    }

    func testGreyClassifierChangesAllColourChannelsEqually() throws {
        var config = DeepDreamConfig()
        (config.layer, config.octaves, config.steps, config.jitter) = ("conv2", 1, 2, 0)
        let dream = try DeepDream(classifier: classifier(), config: config)
        let picture = Image(width: 24, height: 24, layout: .rgb, filledWith: 120)
        let out = try dream.run(picture)
        // Same start in every channel and the same delta: R, G and B stay equal, and something changed.
        for p in 0..<(24 * 24) {
            XCTAssertEqual(out.samples[3 * p], out.samples[3 * p + 1]); XCTAssertEqual(out.samples[3 * p], out.samples[3 * p + 2])
        }
        XCTAssertNotEqual(out, picture)
    }

    func testColourClassifierDreamsOnAGreyPictureInColour() throws {
        var config = DeepDreamConfig()
        (config.layer, config.octaves, config.steps) = ("conv1:3", 1, 2)
        let dream = try DeepDream(classifier: classifier(channels: 3), config: config)
        let out = try dream.run(Image(width: 20, height: 20, layout: .grey, filledWith: 90))
        XCTAssertEqual(out.layout, .rgb)
    }

    /// The default (pooled) classifier has two layers; `last` is the deepest, `conv3` is refused.
    func testPooledClassifierOffersItsTwoLayersAndLast() throws {
        var netConfig = ImageClassifierConfig()
        (netConfig.convChannels, netConfig.seed) = ([8, 16], 5)
        let net = try ImageClassifier(config: netConfig)
        var config = DeepDreamConfig()
        (config.octaves, config.steps, config.jitter) = (1, 2, 0)
        XCTAssertEqual(config.layer, "last")
        let dream = try DeepDream(classifier: net, config: config)
        XCTAssertEqual(dream.layerNames, ["conv1", "conv2"])
        XCTAssertEqual(try dream.activations(Tensor.zeros([1, 1, 24, 24])).shape, [1, 16, 12, 12], "conv2 after one pool")
        config.layer = "conv3"
        XCTAssertThrowsError(try DeepDream(classifier: net, config: config)) { error in
            XCTAssertTrue("\(error)".contains("conv1, conv2 or last"), "\(error)")
        }
    }

    func testUnknownLayerIsRefusedWithTheValidNames() throws {
        var config = DeepDreamConfig()
        config.layer = "fc9"
        XCTAssertThrowsError(try DeepDream(classifier: classifier(), config: config)) { error in
            XCTAssertTrue("\(error)".contains("conv1, conv2, conv3, conv4 or last"), "\(error)")
        }
        config.layer = "conv4:999"
        XCTAssertThrowsError(try DeepDream(classifier: classifier(), config: config))
    }

    func testTooManyOctavesForASmallPictureAreRefused() throws {
        var config = DeepDreamConfig()
        config.octaves = 8
        config.octaveScale = 2
        XCTAssertThrowsError(try DeepDream(classifier: classifier(), config: config).run(Image(width: 32, height: 32, layout: .grey, filledWith: 0)))
    }
}
