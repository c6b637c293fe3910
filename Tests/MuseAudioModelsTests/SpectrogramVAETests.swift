import Foundation
import MuseCore
@testable import MuseAudioModels
import MuseTraining
import XCTest
import _MuseTestSupport

/// The spectrogram VAE on small synthetic log-mel patches (harmonic stacks at different pitches
/// that decay over time, the shape of a rendered note), plus patch cutting and crossfading.
final class SpectrogramVAETests: XCTestCase {
    static func tinyConfig() -> SpectrogramVAEConfig {
        var config = SpectrogramVAEConfig()
        (config.nMels, config.patchFrames, config.channels, config.zSize) = (16, 16, [8, 16], 8)
        (config.batchSize, config.betaWarmupSteps, config.maxBeta, config.learningRate) = (8, 50, 0.05, 3e-3)
        return config
    }

    /// Patch k: partials on mel rows f, 2f, 3f (f = 1 + k), starting at frame k, decaying.
    static func patches(count: Int) -> [[Float]] {
        (0..<count).map { k in
            var p = [Float](repeating: 0.05, count: 16 * 16)
            let f = 1 + k % 5
            for h in 1...3 where h * f < 16 {
                for t in (k % 4)..<16 { p[h * f * 16 + t] = Float(0.9 / Double(h)) * Float(Foundation.exp(-Double(t - k % 4) / 10)) }
            }
            return p
        }
    }

    static func meanSquaredError(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(a.count)
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("specvae-\(UUID().uuidString)")
    }

    /// A fresh tiny model trained by the shared `Trainer` on 8 patches (4 more held out) into
    /// `folder`, stopped after `stopAt` steps if given; eval loss is measured before step 1 too.
    func trained(steps: Int, folder: URL, stopAt: Int? = nil, checkpointEvery: Int = 100)
        throws -> (task: SpectrogramVAETrainingTask, trainer: Trainer, data: [[Float]]) {
        let all = Self.patches(count: 12)
        let data = Array(all.prefix(8))
        let task = try SpectrogramVAETrainingTask(model: try SpectrogramVAE(config: Self.tinyConfig()), train: data,
                                                  eval: Array(all.suffix(4)))
        var options = TrainerOptions(numSteps: steps, outputDirectory: folder, learningRate: task.model.config.learningRate,
                                     clipNorm: task.model.config.gradientClipNorm, seed: 7)
        (options.evalEvery, options.checkpointEvery, options.keepCheckpoints) = (0, checkpointEvery, 2)
        let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
        if let stopAt { trainer.afterStep = { if $0 == stopAt { trainer.interrupt.requestStop() } } }
        if trainer.resumedFrom == nil { try trainer.evaluateNow() }
        try trainer.run()
        return (task, trainer, data)
    }

    /// Same network in PyTorch (scripts/make_vae_fixtures.py, torch 2.13.0+cpu): 16 mels × 16
    /// frames, channels [4, 8], z 3, seeded weights. Tolerance 1e-4: float32 convolutions summed
    /// in another order agree to ~1e-6 on O(1) values; a wrong flatten or reshape order is off by O(0.1).
    func testForwardLossAndGradientsMatchPyTorch() throws {
        var config = SpectrogramVAEConfig()
        (config.nMels, config.patchFrames, config.channels, config.zSize) = (16, 16, [4, 8], 3)
        let model = try SpectrogramVAE(config: config)
        let fixture = try loadFixture("specvae_tiny", in: Bundle.module.url(forResource: "Fixtures", withExtension: nil)!)
        try model.loadStateDict(fixture.filter { !["in", "out", "grad"].contains(String($0.key.split(separator: ".")[0])) })
        let x = try fixture.tensor("in.patches")
        let (mu, logVariance) = try model.encode(x)
        assertClose(mu, try fixture.tensor("out.mu"), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "mu")
        assertClose(logVariance, try fixture.tensor("out.logvar"), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "logvar")
        let epsilon = try fixture.tensor("in.epsilon")
        let z = try mu + (logVariance * 0.5).exp() * epsilon
        assertClose(try model.decode(z), try fixture.tensor("out.decoded"), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "decoded")
        let loss = try model.loss(patches: x, epsilon: epsilon, beta: 0.3)
        XCTAssertEqual(loss.total.item(), try fixture.tensor("out.total").item(), accuracy: 1e-3)
        XCTAssertEqual(loss.kl, try fixture.tensor("out.kl").item(), accuracy: 1e-4)
        loss.total.backward()
        try assertGradientsMatch(model, fixture)
    }

    func testShapesThroughEncoderAndDecoder() throws {
        let model = try SpectrogramVAE(config: Self.tinyConfig())
        let x = try model.tensor(Self.patches(count: 3))
        let (mu, logVariance) = try model.encode(x)
        XCTAssertEqual(mu.shape, [3, 8])
        XCTAssertEqual(logVariance.shape, [3, 8])
        XCTAssertEqual(try model.decode(mu).shape, [3, 1, 16, 16])
    }

    func testTrainingLowersTheLossAndReconstructsBetterThanTheMean() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (task, trainer, data) = try trained(steps: 200, folder: folder)
        let evaluations = trainer.state.evaluations
        XCTAssertEqual(evaluations.map(\.step), [0, 200])
        let (first, last) = (evaluations[0].metrics, evaluations[1].metrics)
        XCTAssertLessThan(try XCTUnwrap(last["reconstruction_mse"]), try XCTUnwrap(first["reconstruction_mse"]) * 0.5,
                          "200 steps should halve the held-out reconstruction error")
        XCTAssertLessThan(try XCTUnwrap(last["loss"]), try XCTUnwrap(first["loss"]))
        XCTAssertEqual(last["patches"], 4)
        let mean = (0..<data[0].count).map { i in data.reduce(0) { $0 + $1[i] } / Float(data.count) }
        let reconstructed = try task.model.reconstruct(data)
        let modelError = zip(data, reconstructed).map { Self.meanSquaredError($0, $1) }.reduce(0, +) / Float(data.count)
        let meanError = data.map { Self.meanSquaredError($0, mean) }.reduce(0, +) / Float(data.count)
        XCTAssertLessThan(modelError, meanError * 0.5, "model \(modelError) vs dataset mean \(meanError)")
    }

    func testInterpolationEndpointsDecodeCloserToTheirOwnInput() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (trainer, _, data) = try trained(steps: 200, folder: folder)
        let a = data[0], b = data[3]
        for spherical in [false, true] {
            let path = try trainer.model.interpolate(from: a, to: b, steps: 5, spherical: spherical)
            XCTAssertEqual(path.count, 5)
            XCTAssertLessThan(Self.meanSquaredError(path[0], a), Self.meanSquaredError(path[0], b))
            XCTAssertLessThan(Self.meanSquaredError(path[4], b), Self.meanSquaredError(path[4], a))
            XCTAssertTrue(path.allSatisfy { $0.allSatisfy(\.isFinite) })
        }
        XCTAssertThrowsError(try trainer.model.interpolate(from: a, to: b, steps: 1, spherical: false)) {
            XCTAssertEqual($0 as? SpectrogramVAEError, .tooFewSteps(1))
        }
    }

    func testBetaWarmsUpLinearly() {
        var config = SpectrogramVAEConfig()
        (config.maxBeta, config.betaWarmupSteps) = (2, 100)
        XCTAssertEqual(config.beta(atStep: 0), 0)
        XCTAssertEqual(config.beta(atStep: 50), 1)
        XCTAssertEqual(config.beta(atStep: 500), 2)
    }

    func testBadPatchesAndConfigurationsAreOneLineErrors() throws {
        let model = try SpectrogramVAE(config: Self.tinyConfig())
        XCTAssertThrowsError(try model.tensor([[Float](repeating: 0, count: 10)])) {
            XCTAssertEqual("\($0)", "bad spectrogram patch: patch 0 has 10 values, expected 256")
        }
        var nan = Self.patches(count: 1)[0]
        nan[7] = .nan
        XCTAssertThrowsError(try model.tensor([nan])) { XCTAssertEqual("\($0)", "bad spectrogram patch: patch 0 holds NaN or infinity") }
        var config = Self.tinyConfig()
        config.nMels = 18
        XCTAssertThrowsError(try SpectrogramVAE(config: config)) { XCTAssertTrue($0 is SpectrogramVAEError) }
    }

    func testCutCoversEveryFrameAndRejectsShortInput() throws {
        // 2 mels × 10 frames, values = frame index + 100·mel.
        let spectrogram = (0..<2).flatMap { m in (0..<10).map { Float($0 + 100 * m) } }
        let patches = try SpectrogramPatches.cut(spectrogram, nMels: 2, patchFrames: 4, hopFrames: 4)
        XCTAssertEqual(patches, [[0, 1, 2, 3, 100, 101, 102, 103], [4, 5, 6, 7, 104, 105, 106, 107], [6, 7, 8, 9, 106, 107, 108, 109]])
        XCTAssertThrowsError(try SpectrogramPatches.cut(spectrogram, nMels: 2, patchFrames: 16, hopFrames: 4)) {
            XCTAssertEqual($0 as? SpectrogramVAEError, .tooShort(frames: 10, needed: 16))
        }
    }

    func testCrossfadeHasTheJoinedLengthAndKeepsAConstantSignal() {
        let patch = [Float](repeating: 0.25, count: 3 * 8)
        let joined = SpectrogramPatches.crossfade([patch, patch, patch], nMels: 3, patchFrames: 8, overlapFrames: 2)
        XCTAssertEqual(joined.count, 3 * (3 * 8 - 2 * 2))
        for v in joined { XCTAssertEqual(v, 0.25, accuracy: 1e-6) }
        // Between a 0-patch and a 1-patch the overlap ramps monotonically.
        let ramp = SpectrogramPatches.crossfade([[Float](repeating: 0, count: 8), [Float](repeating: 1, count: 8)],
                                                nMels: 1, patchFrames: 8, overlapFrames: 4)
        XCTAssertEqual(ramp.count, 12)
        XCTAssertEqual(ramp[3], 0)
        XCTAssertEqual(ramp[8], 1)
        XCTAssertEqual(ramp[4...7].sorted(), Array(ramp[4...7]))
    }

    func testNormalizationRoundTripsInsideTheRangeAndClipsOutside() {
        let db: [Float] = [-100, -80, -40, 0, 5]
        let x = SpectrogramPatches.normalize(decibels: db, topDB: 80)
        XCTAssertEqual(x, [0, 0, 0.5, 1, 1])
        XCTAssertEqual(SpectrogramPatches.denormalize(x, topDB: 80), [-80, -80, -40, 0, 0])
    }

    /// Stopped at step 37 (Ctrl-C path) and re-run: the same weights and optimizer state as one
    /// uninterrupted 60-step run, bit for bit (the batches, ε and β all follow the saved step and
    /// generator state); and the run folder loads as a bundle through its newest checkpoint.
    func testResumedRunEndsWithTheWeightsOfAnUninterruptedRun() throws {
        let straight = Self.temporaryFolder(), stopped = Self.temporaryFolder()
        defer { for f in [straight, stopped] { try? FileManager.default.removeItem(at: f) } }
        let reference = try trained(steps: 60, folder: straight, checkpointEvery: 25)
        let first = try trained(steps: 60, folder: stopped, stopAt: 37, checkpointEvery: 25)
        XCTAssertEqual(first.trainer.state.step, 37)
        XCTAssertEqual(Checkpoint.list(in: stopped).map(\.step), [25, 37])
        let resumed = try trained(steps: 60, folder: stopped, checkpointEvery: 25)
        XCTAssertEqual(resumed.trainer.resumedFrom?.lastPathComponent, Checkpoint.folderName(step: 37))
        XCTAssertEqual(resumed.trainer.state.step, 60)
        XCTAssertEqual(resumed.task.step, 59)
        let a = reference.task.model.stateDict(), b = resumed.task.model.stateDict()
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, tensor) in a { XCTAssertEqual(tensor.scalars, b[name]?.scalars, name) }
        XCTAssertEqual(reference.trainer.state.lastTrainingLoss, resumed.trainer.state.lastTrainingLoss)
        XCTAssertEqual(Checkpoint.list(in: stopped).map(\.step), [50, 60], "keeps the newest 2")
        let loaded = try SpectrogramVAE.load(from: stopped)
        XCTAssertEqual(loaded.stateDict()["decoder.2.weight"]?.scalars, a["decoder.2.weight"]?.scalars)
        XCTAssertEqual(try ModelBundle.open(stopped).kind, SpectrogramVAEConfig.bundleKind)
    }

    func testBundleRoundTripAndWrongKind() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let task = try SpectrogramVAETrainingTask(model: try SpectrogramVAE(config: Self.tinyConfig()), train: Self.patches(count: 2), eval: [])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try task.configJSON().write(to: folder.appendingPathComponent("config.json"))
        try task.model.save(to: folder.appendingPathComponent("model.safetensors"))
        let loaded = try SpectrogramVAE.load(from: folder)
        XCTAssertEqual(loaded.config, task.model.config)
        XCTAssertNotNil(loaded.stateDict()["encoder.0.weight"])
        XCTAssertNotNil(loaded.stateDict()["decoder.2.weight"])
        try Data(#"{"kind": "music-vae", "zSize": 8}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try SpectrogramVAE.load(from: folder)) {
            XCTAssertEqual($0 as? TrainingError, .wrongKind(folder: folder.path, found: "music-vae", usable: ["spectrogram-vae"], purpose: ""))
        }
        XCTAssertThrowsError(try SpectrogramVAETrainingTask(model: task.model, train: [], eval: [])) {
            XCTAssertEqual("\($0)".split(separator: "\n").count, 1)
        }
    }
}
