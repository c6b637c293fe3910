import Foundation
import MuseCore
import MuseImage
import MuseTraining
import XCTest

/// The convolutional image VAE: shapes, its loss against a direct computation, training, manifold.
final class ImageVAETests: XCTestCase {
    func smallConfig() -> ImageVAEConfig {
        var c = ImageVAEConfig()
        (c.imageSize, c.convChannels, c.batchSize) = (8, [4, 6], 8)
        return c
    }

    func testShapesOfEncoderDecoderAndManifold() throws {
        let model = try ImageVAE(config: ImageVAEConfig())
        var rng = SplitMix64(seed: 2)
        let x = Tensor.uniform([3, 1, 28, 28], using: &rng)
        let (mean, logVariance) = try model.encode(x)
        XCTAssertEqual(mean.shape, [3, 2]); XCTAssertEqual(logVariance.shape, [3, 2])
        XCTAssertEqual(try model.reconstruct(x).shape, [3, 1, 28, 28])
        let manifold = try model.manifold(side: 4)
        XCTAssertEqual(manifold.shape, [16, 1, 28, 28])
        XCTAssertTrue(manifold.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testLossIsSummedPixelBCEPlusKLPerPicture() throws {
        let model = try ImageVAE(config: smallConfig())
        var rng = SplitMix64(seed: 4)
        let x = Tensor.uniform([5, 1, 8, 8], using: &rng), eps = Tensor.randn([5, 2], using: &rng)
        let (total, reconstruction, kl) = try model.loss(pictures: x, epsilon: eps)
        let (m, lv) = try model.encode(x)
        let z = try m + (lv * 0.5).exp() * eps
        let logits = try model.decodeLogits(z).scalars, targets = x.scalars
        var bce = 0.0
        for (l, t) in zip(logits, targets) { bce += Double(max(l, 0) - l * t) + log1p(exp(-Double(abs(l)))) }
        XCTAssertEqual(Double(reconstruction.item()), bce / 5, accuracy: 1e-3)
        var expectedKL = 0.0
        for (a, b) in zip(m.scalars, lv.scalars) { expectedKL += -0.5 * Double(1 + b - a * a - exp(b)) }
        XCTAssertEqual(Double(kl.item()), expectedKL / 5, accuracy: 1e-4)
        XCTAssertEqual(total.item(), reconstruction.item() + kl.item(), accuracy: 1e-4)
    }

    func testManifoldNeedsTwoLatentDimensions() throws {
        var c = smallConfig()
        c.zSize = 3
        XCTAssertThrowsError(try ImageVAE(config: c).manifold(side: 4)) { XCTAssertTrue("\($0)".contains("2-D latent"), "\($0)") }
    }

    func testTrainingLowersTheHeldOutLoss() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("imagevae-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two kinds of picture: a bright top half or a bright left half.
        var values: [Float] = []
        for i in 0..<64 {
            for y in 0..<8 { for x in 0..<8 { values.append((i % 2 == 0 ? y < 4 : x < 4) ? 0.9 : 0.1) } }
        }
        let pictures = try Tensor(values, shape: [64, 1, 8, 8])
        let model = try ImageVAE(config: smallConfig())
        let task = try ImageVAETrainingTask(model: model, pictures: pictures)
        let before = try task.evaluate()["loss"]!
        var options = TrainerOptions(numSteps: 60, outputDirectory: folder, learningRate: 1e-2)
        (options.evalEvery, options.checkpointEvery) = (0, 1000)
        _ = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true)).run()
        let after = try task.evaluate()["loss"]!
        XCTAssertLessThan(after, before - 5, "−ELBO per picture: \(before) → \(after)")
    }
}
