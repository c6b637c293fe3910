import MuseCore
import MuseImage
import MuseImageStyle
import MuseStyle
import XCTest

/// Optimising the pixels moves the Gram matrices towards the style's while the content features
/// stay near the content's.
final class StyleOptimizationTests: XCTestCase {
    func smallConfig(steps: Int, optimizer: String = "lbfgs") -> PictureStyleConfig {
        var config = PictureStyleConfig()
        config.size = 32
        config.steps = steps
        config.filterSizes = [3, 5, 7]
        config.filtersPerSize = 16
        config.optimizer = optimizer
        config.learningRate = 0.02
        config.seed = 4
        return config
    }

    func objective(_ config: PictureStyleConfig, content: Image, style: Image) throws -> (StyleObjective, Tensor) {
        let c = try PictureStyleTransfer.tensor(content, longestSide: config.size)
        let s = try PictureStyleTransfer.tensor(style, longestSide: config.size)
        return (try StyleObjective(bank: PictureStyleTransfer.filterBank(config), style: s, content: c, weights: config.weights, inputOffset: 0.5), c)
    }

    func testLBFGSLowersTheGramDistanceAndKeepsTheContentNear() throws {
        var config = smallConfig(steps: 30)
        config.weights = StyleWeights(content: 1, style: 10, totalVariation: 1)
        let content = syntheticPicture(width: 32, height: 28), style = stripedPicture(width: 30, height: 30)
        let (objective, contentTensor) = try objective(config, content: content, style: style)
        let before = try objective.values(contentTensor)
        let result = try PictureStyleTransfer.run(content: content, style: style, config: config)
        let after = try objective.values(PictureStyleTransfer.tensor(result.image, longestSide: config.size))
        XCTAssertEqual([result.image.width, result.image.height], [32, 28])
        XCTAssertLessThan(after.style, 0.2 * before.style, "style \(before.style) → \(after.style)")
        // Near: the result's features are much closer to the content's than those of the style
        // picture itself or of a grey picture (relative distance 1: all features lost).
        let styleAsOutput = try objective.values(PictureStyleTransfer.tensor(try style.resized(width: 32, height: 28), longestSide: 32))
        let grey = try objective.values(PictureStyleTransfer.tensor(Image(width: 32, height: 28, layout: .rgb, filledWith: 128), longestSide: 32))
        XCTAssertLessThan(after.content, 0.7 * styleAsOutput.content, "content: result \(after.content), style picture \(styleAsOutput.content)")
        XCTAssertLessThan(after.content, 0.7 * grey.content, "content: result \(after.content), grey \(grey.content)")
    }

    func testAdamAlsoLowersTheLoss() throws {
        let config = smallConfig(steps: 40, optimizer: "adam")
        let content = syntheticPicture(width: 32, height: 28), style = stripedPicture(width: 30, height: 30)
        var losses: [Float] = []
        _ = try PictureStyleTransfer.run(content: content, style: style, config: config) { losses.append($0.losses.total); return true }
        XCTAssertEqual(losses.count, 40)
        XCTAssertLessThan(try XCTUnwrap(losses.last), 0.5 * losses[0])
    }

    func testTextureFromNoiseApproachesTheStyleGrams() throws {
        var config = smallConfig(steps: 25)
        config.weights.totalVariation = 0.1
        let style = stripedPicture(width: 32, height: 32)
        var first: Float?, last: Float = 0
        let result = try PictureStyleTransfer.run(content: nil, style: style, config: config) { p in
            if first == nil { first = p.losses.style }
            last = p.losses.style
            return true
        }
        XCTAssertEqual([result.image.width, result.image.height], [32, 32])
        XCTAssertLessThan(last, 0.1 * (first ?? 0))
        XCTAssertLessThan(result.losses.style, 0.1)
    }

    func testSameSeedGivesTheSamePicture() throws {
        let config = smallConfig(steps: 3)
        let a = try PictureStyleTransfer.run(content: nil, style: stripedPicture(width: 24, height: 24), config: config).image
        let b = try PictureStyleTransfer.run(content: nil, style: stripedPicture(width: 24, height: 24), config: config).image
        XCTAssertEqual(a, b)
    }

    func testPictureSmallerThanTheLargestFilterIsRefused() {
        var config = smallConfig(steps: 1)
        config.size = 32
        let thin = Image(width: 40_000, height: 1, layout: .rgb, filledWith: 128)
        XCTAssertThrowsError(try PictureStyleTransfer.run(content: thin, style: stripedPicture(width: 32, height: 32), config: config)) { error in
            guard case .invalidArgument(let name, _, _)? = error as? StyleError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "picture size")
        }
    }

    func testUnknownOptimizerIsRefused() {
        var config = smallConfig(steps: 1)
        config.optimizer = "sgd"
        XCTAssertThrowsError(try config.validate())
    }
}
