import Foundation
import MuseCore
import MuseImage
import MuseTraining
import XCTest

/// The DCGAN against PyTorch (scripts/make_dcgan_fixtures.py), its shapes, bundles and training run.
final class DCGANTests: XCTestCase {
    /// The fixture's small configuration (same layers as the tutorial's, smaller sizes, no dropout).
    func smallConfig() -> DCGANConfig {
        var c = DCGANConfig()
        (c.noiseSize, c.imageSize, c.baseChannels, c.batchSize) = (6, 8, 8, 4)
        (c.generatorChannels, c.discriminatorChannels, c.dropout) = ([6, 4], [4, 6], 0)
        return c
    }

    func fixture() throws -> [String: Tensor] {
        try SafeTensors.read(contentsOf: Fixture.folder.appendingPathComponent("dcgan.safetensors"))
    }

    func entries(_ f: [String: Tensor], _ prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v.clone() }
        return out
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ what: String, tolerance: Float = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        guard a.shape == b.shape else { return }
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, what, file: file, line: line)
    }

    func testTwoStepsMatchPyTorchLossesGradientsAndWeights() throws {
        let f = try fixture()
        let model = try DCGAN(config: smallConfig())
        try model.loadStateDict(entries(f, "init"))
        let task = try DCGANTrainingTask(model: model, pictures: f["real.0"]!)
        let optD = Adam(model.discriminator.namedParameters(), learningRate: 1e-3)
        let optG = Adam(model.generator.namedParameters(), learningRate: 1e-3)
        let dLosses = f["d_losses"]!.scalars, gLosses = f["g_losses"]!.scalars
        for step in 0..<2 {
            optD.zeroGrad()
            let d = try task.discriminatorLoss(real: f["real.\(step)"]!, noise: f["noise_d.\(step)"]!)
            XCTAssertEqual(d.item(), dLosses[step], accuracy: 1e-5, "discriminator loss, step \(step)")
            d.backward()
            if step == 0 {
                for (name, p) in model.discriminator.namedParameters(prefix: "discriminator.") {
                    assertClose(try XCTUnwrap(p.grad, name), try XCTUnwrap(f["grad.d.\(name)"], name), "gradient of \(name)")
                }
            }
            optD.step()
            optG.zeroGrad()
            let g = try task.generatorLoss(noise: f["noise_g.\(step)"]!)
            XCTAssertEqual(g.item(), gLosses[step], accuracy: 1e-5, "generator loss, step \(step)")
            g.backward()
            if step == 0 {
                for (name, p) in model.generator.namedParameters(prefix: "generator.") {
                    assertClose(try XCTUnwrap(p.grad, name), try XCTUnwrap(f["grad.g.\(name)"], name), "gradient of \(name)")
                }
            }
            optG.step()
        }
        let expected = entries(f, "final"), state = model.stateDict()
        XCTAssertEqual(Set(state.keys), Set(expected.keys))
        for (name, t) in expected { if let ours = state[name] { assertClose(ours, t, "after two steps: \(name)") } }
    }

    func testTutorialShapes() throws {
        let model = try DCGAN(config: DCGANConfig())
        var rng = SplitMix64(seed: 1)
        let images = try noGrad { try model.generator(model.noise(count: 3, using: &rng)) }
        XCTAssertEqual(images.shape, [3, 1, 28, 28])
        XCTAssertTrue(images.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        XCTAssertEqual(try noGrad { try model.discriminator(images) }.shape, [3, 1])
        XCTAssertEqual(model.generator.dense.weight.shape, [7 * 7 * 256, 100])
        XCTAssertNil(model.generator.deconv3.bias)
    }

    func testConfigRefusesImageSizeNotMultipleOfFour() {
        var c = DCGANConfig()
        c.imageSize = 30
        XCTAssertThrowsError(try DCGAN(config: c)) { XCTAssertTrue("\($0)".contains("imageSize=30"), "\($0)") }
    }

    func testTrainingWritesSampleGridsAndResumesExactly() throws {
        let folder = try temporaryFolder()
        var config = smallConfig()
        config.dropout = 0.3
        var rng = SplitMix64(seed: 3)
        let pictures = Tensor.uniform([16, 1, 8, 8], low: -1, high: 1, using: &rng)
        func run(_ name: String, steps: Int, stopAfter: Int? = nil) throws -> (DCGAN, DCGANTrainingTask) {
            let model = try DCGAN(config: config)
            let dir = folder.appendingPathComponent(name)
            let task = try DCGANTrainingTask(model: model, pictures: pictures, sampleDirectory: dir.appendingPathComponent("samples"),
                                             sampleEvery: 2, sampleGrid: (2, 3))
            var options = TrainerOptions(numSteps: steps, outputDirectory: dir, learningRate: 1e-3)
            (options.evalEvery, options.checkpointEvery) = (0, 100)
            let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
            if let stopAfter { trainer.afterStep = { if $0 == stopAfter { trainer.interrupt.requestStop() } } }
            _ = try trainer.run()
            return (model, task)
        }
        let (whole, task) = try run("whole", steps: 4)
        XCTAssertEqual(task.samplesWritten.map { URL(fileURLWithPath: $0).lastPathComponent }, ["step-000002.png", "step-000004.png"])
        let grid = try PNGFile.read(path: task.samplesWritten[1])
        XCTAssertEqual([grid.width, grid.height], [3 * (8 + 2) + 2, 2 * (8 + 2) + 2], "2-pixel gutters around and between")
        _ = try run("parts", steps: 4, stopAfter: 1)
        let (resumed, _) = try run("parts", steps: 4)
        let a = whole.stateDict(), b = resumed.stateDict()
        for (name, t) in a { XCTAssertEqual(t.scalars, b[name]?.scalars, name) }
    }

    func testBatchIndicesReplayTheTrainersDataOrder() throws {
        let folder = try temporaryFolder()
        let config = smallConfig()  // no dropout: a run depends on the weights, the pictures and the data generator only
        let count = 40, size = 8 * 8, steps = 3, seed: UInt64 = 11
        var rng = SplitMix64(seed: 5)
        let pictures = Tensor.uniform([count, 1, 8, 8], low: -1, high: 1, using: &rng)
        var replay = SplitMix64(seed: seed)
        let batches = DCGANTrainingTask.batchIndices(steps: steps, config: config, pictureCount: count, generator: &replay)
        XCTAssertEqual(batches.count, steps)
        XCTAssertTrue(batches.allSatisfy { $0.count == config.batchSize && Set($0).count == $0.count && $0.allSatisfy { (0..<count).contains($0) } })
        let used = Set(batches.joined())
        XCTAssertLessThan(used.count, count, "some pictures unused, so a wrong replay shows")
        // The pictures no replayed batch holds are negated: the run ends with the same weights only
        // if the trainer never looked at them.
        var changed = pictures.scalars
        for i in 0..<count where !used.contains(i) {
            for j in (i * size)..<((i + 1) * size) { changed[j] = -changed[j] }
        }
        func train(_ pictures: Tensor, _ name: String) throws -> (DCGAN, Trainer) {
            let model = try DCGAN(config: config)
            let task = try DCGANTrainingTask(model: model, pictures: pictures)
            var options = TrainerOptions(numSteps: steps, outputDirectory: folder.appendingPathComponent(name), learningRate: 1e-3, seed: seed)
            (options.evalEvery, options.checkpointEvery) = (0, 100)
            let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
            try trainer.run()
            return (model, trainer)
        }
        let (original, trainer) = try train(pictures, "original")
        let (other, _) = try train(Tensor(changed, shape: pictures.shape), "changed")
        let a = original.stateDict(), b = other.stateDict()
        for (name, t) in a { XCTAssertEqual(t.scalars, b[name]?.scalars, name) }
        // And a picture a batch does hold changes them.
        var one = pictures.scalars
        let first = batches[0][0]
        for j in (first * size)..<((first + 1) * size) { one[j] = -one[j] }
        let (third, _) = try train(Tensor(one, shape: pictures.shape), "one")
        XCTAssertNotEqual(third.generator.dense.weight.scalars, original.generator.dense.weight.scalars)
        XCTAssertEqual(replay.state, trainer.state.dataGeneratorState, "the replay leaves the generator where the trainer does")
    }

    func testBundleLoadsForSampling() throws {
        let folder = try temporaryFolder()
        let model = try DCGAN(config: smallConfig())
        try ModelBundle.write(to: folder, kind: DCGANConfig.bundleKind, configJSON: ModelBundle.encode(model.config),
                              step: nil, metrics: nil, module: model)
        let loaded = try DCGAN.load(bundle: ModelBundle.open(folder))
        let noise = model.fixedNoise(count: 2)
        XCTAssertEqual(try loaded.generate(noise: noise).scalars, try model.generate(noise: noise).scalars)
    }
}
