import Foundation
import MuseAudio
import MuseCore
import MuseDSP
@testable import MuseAudioModels
import MuseTraining
import XCTest
import _MuseTestSupport

/// The sequence spectrogram VAE (a latent per reduced frame, convolutions over time) on small
/// synthetic log-mel spectrograms: parity with PyTorch, any length, training through the shared
/// `Trainer` with exact resume, interpolation endpoints, and the dB metric.
final class SpectrogramSequenceVAETests: XCTestCase {
    /// 16 mels, hidden 24, z 4 per 4 frames, 32-frame crops (n_fft 512, hop 128 for fast audio edges).
    static func tinyConfig() -> SpectrogramSequenceVAEConfig {
        var config = SpectrogramSequenceVAEConfig()
        (config.nMels, config.hiddenChannels, config.zChannels, config.downsamplings, config.cropFrames) = (16, 24, 4, 2, 32)
        (config.batchSize, config.betaWarmupSteps, config.maxBeta, config.learningRate) = (8, 20, 0.001, 3e-3)
        (config.nFFT, config.hopLength) = (512, 128)
        return config
    }

    /// Clip k: notes of partials on mel rows f, 2f, 3f (f = 1 + k % 5) every 12 frames, decaying,
    /// over a 0.05 floor; `frames` long.
    static func clip(_ k: Int, frames: Int = 48) -> NormalizedSpectrogram {
        var v = [Float](repeating: 0.05, count: 16 * frames)
        let f = 1 + k % 5
        for h in 1...3 where h * f < 16 {
            for t in 0..<frames { v[h * f * frames + t] = Swift.max(0.05, Float(0.95 / Double(h)) * Float(Foundation.exp(-Double((t + k) % 12) / 6))) }
        }
        return NormalizedSpectrogram(values: v, frames: frames, name: "clip\(k)")
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("specseqvae-\(UUID().uuidString)")
    }

    /// A fresh tiny model trained by the shared `Trainer` on 8 clips (3 more held out), stopped after
    /// `stopAt` steps if given; evaluated before step 1 too.
    func trained(steps: Int, folder: URL, stopAt: Int? = nil, checkpointEvery: Int = 100) throws -> (task: SpectrogramSequenceVAETrainingTask, trainer: Trainer) {
        let clips = (0..<11).map { Self.clip($0, frames: 40 + 4 * $0) }
        let task = try SpectrogramSequenceVAETrainingTask(model: SpectrogramSequenceVAE(config: Self.tinyConfig()), train: Array(clips.prefix(8)),
                                                          eval: Array(clips.suffix(3)))
        var options = TrainerOptions(numSteps: steps, outputDirectory: folder, learningRate: task.model.config.learningRate,
                                     clipNorm: task.model.config.gradientClipNorm, seed: 7)
        (options.evalEvery, options.checkpointEvery, options.keepCheckpoints) = (0, checkpointEvery, 2)
        let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
        if let stopAt { trainer.afterStep = { if $0 == stopAt { trainer.interrupt.requestStop() } } }
        if trainer.resumedFrom == nil { try trainer.evaluateNow() }
        try trainer.run()
        return (task, trainer)
    }

    /// Same network in PyTorch (scripts/make_vae_fixtures.py, torch 2.13.0+cpu): 12 mels × 16
    /// frames, hidden 10, z 3, two stride-2 stages, seeded weights. Values and gradients agree to
    /// 1e-5 (absolute, or relative for larger values): float32 sums in another order differ by ~1e-6.
    func testForwardLossAndGradientsMatchPyTorch() throws {
        var config = SpectrogramSequenceVAEConfig()
        (config.nMels, config.hiddenChannels, config.zChannels, config.downsamplings, config.cropFrames) = (12, 10, 3, 2, 16)
        let model = try SpectrogramSequenceVAE(config: config)
        let fixture = try loadFixture("specseqvae_tiny", in: Bundle.module.url(forResource: "Fixtures", withExtension: nil)!)
        try model.loadStateDict(fixture.filter { !["in", "out", "grad"].contains(String($0.key.split(separator: ".")[0])) })
        let x = try fixture.tensor("in.spectrograms")
        let (mu, logVariance) = try model.encode(x)
        assertClose(mu, try fixture.tensor("out.mu"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "mu")
        assertClose(logVariance, try fixture.tensor("out.logvar"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "logvar")
        let epsilon = try fixture.tensor("in.epsilon")
        let z = try mu + (logVariance * 0.5).exp() * epsilon
        assertClose(try model.decode(z), try fixture.tensor("out.decoded"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "decoded")
        let loss = try model.loss(spectrograms: x, epsilon: epsilon, beta: 0.3)
        let expected = try fixture.tensor("out.total").item()
        XCTAssertEqual(loss.total.item(), expected, accuracy: 1e-5 * Swift.max(1, abs(expected)))
        XCTAssertEqual(loss.kl, try fixture.tensor("out.kl").item(), accuracy: 1e-5 * Swift.max(1, abs(loss.kl)))
        loss.total.backward()
        try assertGradientsMatch(model, fixture)
    }

    func testAnyClipLengthGoesThroughAndKeepsItsFrames() throws {
        let model = try SpectrogramSequenceVAE(config: Self.tinyConfig())
        for frames in [1, 13, 32, 45] {
            let clip = Self.clip(2, frames: frames)
            let (latent, latentFrames) = try model.latentMean(clip.values, frames: frames)
            XCTAssertEqual(latentFrames, (frames + 3) / 4)
            XCTAssertEqual(latent.count, 4 * latentFrames)
            let decoded = try model.reconstruct(clip.values, frames: frames)
            XCTAssertEqual(decoded.count, 16 * frames)
            XCTAssertTrue(decoded.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    /// 300 steps lower the held-out log-mel error to under 0.6 of the untrained model's (150 steps
    /// reached 0.56 when this was written).
    func testTrainingLowersTheHeldOutLogMelError() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (_, trainer) = try trained(steps: 300, folder: folder)
        let evaluations = trainer.state.evaluations
        XCTAssertEqual(evaluations.map(\.step), [0, 300])
        let (first, last) = (try XCTUnwrap(evaluations[0].metrics["error_db"]), try XCTUnwrap(evaluations[1].metrics["error_db"]))
        XCTAssertLessThan(last, first * 0.6, "held-out error \(first) dB → \(last) dB")
        XCTAssertEqual(evaluations[1].metrics["clips"], 3)
    }

    /// The first and last steps are A's and B's reconstructions (cut to the shorter clip); the
    /// middle steps lie between them; morph starts like A and ends like B.
    func testInterpolationStartsAtAAndEndsAtB() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try trained(steps: 300, folder: folder).task.model
        let a = Self.clip(0, frames: 40), b = Self.clip(3, frames: 52)
        let cutB = (0..<16).flatMap { m in b.values[(m * 52)..<(m * 52 + 40)] }
        let ra = try model.reconstruct(a.values, frames: 40), rb = try model.reconstruct(cutB, frames: 40)
        func distance(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(x.count) }
        for spherical in [false, true] {
            let steps = try model.interpolate((a.values, 40), (b.values, 52), steps: 5, spherical: spherical)
            XCTAssertEqual(steps.count, 5)
            XCTAssertTrue(steps.allSatisfy { $0.count == 16 * 40 })
            XCTAssertLessThan(distance(steps[0], ra), 1e-5)
            XCTAssertLessThan(distance(steps[4], rb), 1e-5)
            XCTAssertLessThan(distance(steps[2], ra), distance(steps[4], ra))
            XCTAssertLessThan(distance(steps[2], rb), distance(steps[0], rb))
        }
        let morph = try model.interpolate((a.values, 40), (b.values, 52), steps: 2, spherical: false, mode: .morph)
        XCTAssertEqual(morph.count, 1)
        func frames(_ s: [Float], _ r: Range<Int>) -> [Float] { (0..<16).flatMap { m in r.map { s[m * 40 + $0] } } }
        XCTAssertLessThan(distance(frames(morph[0], 0..<8), frames(ra, 0..<8)), distance(frames(morph[0], 0..<8), frames(rb, 0..<8)))
        XCTAssertLessThan(distance(frames(morph[0], 32..<40), frames(rb, 32..<40)), distance(frames(morph[0], 32..<40), frames(ra, 32..<40)))
        XCTAssertThrowsError(try model.interpolate((a.values, 40), (b.values, 52), steps: 1, spherical: false)) {
            XCTAssertEqual($0 as? SpectrogramVAEError, .tooFewSteps(1))
        }
    }

    /// `interpolateAudio` measures the audio it wrote: one error pair per step, the gap between
    /// steps skipped; the first step is nearer A than B and the last nearer B than A, and each end
    /// is nearer its own clip than the other end is (A and B: two of the training patterns made audible by
    /// Griffin-Lim, through a tiny model trained on them); a morph has none.
    func testInterpolatedAudioReportsEachStepsErrorFromBothEnds() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try trained(steps: 300, folder: folder).task.model
        let a = try model.audio(fromNormalized: Self.clip(0, frames: 40).values).audio
        let b = try model.audio(fromNormalized: Self.clip(3, frames: 52).values).audio
        let walk = try model.interpolateAudio(a, named: "a", b, named: "b", steps: 4, spherical: false, mode: .steps, maxSeconds: 10,
                                              gapSeconds: 0.25, iterations: 16)
        XCTAssertEqual(walk.stepErrors.count, 4)
        let (first, last) = (walk.stepErrors[0], walk.stepErrors[3])
        XCTAssertLessThan(first.fromA, first.fromB, "step 1: \(walk.stepErrors)")
        XCTAssertLessThan(last.fromB, last.fromA, "step 4: \(walk.stepErrors)")
        XCTAssertLessThan(last.fromB, first.fromB, "\(walk.stepErrors)")
        XCTAssertLessThan(first.fromA, last.fromA, "\(walk.stepErrors)")
        let morph = try model.interpolateAudio(a, named: "a", b, named: "b", steps: 2, spherical: false, mode: .morph, maxSeconds: 10,
                                               gapSeconds: 0.25, iterations: 4)
        XCTAssertTrue(morph.stepErrors.isEmpty)
    }

    /// Stopped at step 23 and re-run: the same weights as one uninterrupted 40-step run, bit for bit;
    /// the run folder loads as a bundle of the sequence kind.
    func testResumedRunEndsWithTheWeightsOfAnUninterruptedRun() throws {
        let straight = Self.temporaryFolder(), stopped = Self.temporaryFolder()
        defer { for f in [straight, stopped] { try? FileManager.default.removeItem(at: f) } }
        let reference = try trained(steps: 40, folder: straight, checkpointEvery: 15)
        let first = try trained(steps: 40, folder: stopped, stopAt: 23, checkpointEvery: 15)
        XCTAssertEqual(first.trainer.state.step, 23)
        let resumed = try trained(steps: 40, folder: stopped, checkpointEvery: 15)
        XCTAssertEqual(resumed.trainer.resumedFrom?.lastPathComponent, Checkpoint.folderName(step: 23))
        let a = reference.task.model.stateDict(), b = resumed.task.model.stateDict()
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (name, tensor) in a { XCTAssertEqual(tensor.scalars, b[name]?.scalars, name) }
        let loaded = try SpectrogramSequenceVAE.load(bundle: ModelBundle.open(stopped))
        XCTAssertEqual(loaded.config, reference.task.model.config)
        XCTAssertEqual(loaded.stateDict()["decoder.6.weight"]?.scalars, a["decoder.6.weight"]?.scalars)
        XCTAssertEqual(try ModelBundle.open(stopped).kind, SpectrogramSequenceVAEConfig.bundleKind)
    }

    func testBadSpectrogramsAndConfigurationsAreOneLineErrors() throws {
        let model = try SpectrogramSequenceVAE(config: Self.tinyConfig())
        XCTAssertThrowsError(try model.tensor([[Float](repeating: 0, count: 10)], frames: 4)) {
            XCTAssertEqual("\($0)", "bad spectrogram patch: spectrogram 0 has 10 values, expected 64")
        }
        XCTAssertThrowsError(try model.tensor([[Float](repeating: 0, count: 16 * 6)], frames: 6)) {
            XCTAssertEqual("\($0)", "bad spectrogram patch: 6 frames is not a positive multiple of 4")
        }
        var config = Self.tinyConfig()
        config.cropFrames = 30
        XCTAssertThrowsError(try SpectrogramSequenceVAE(config: config)) { XCTAssertTrue($0 is SpectrogramVAEError) }
        XCTAssertThrowsError(try SpectrogramSequenceVAETrainingTask(model: model, train: [], eval: [])) {
            XCTAssertEqual("\($0)".split(separator: "\n").count, 1)
        }
    }

    /// Referred to its own peak: a gain changes nothing; one of 4 rows 10 dB down (peak unchanged)
    /// is 10/4 dB; a row 100 dB down counts only to the 60 dB floor.
    func testLogMelErrorRefersEachSpectrogramToItsOwnPeak() throws {
        let ones = Spectrogram(values: [Float](repeating: 1, count: 4 * 5), rowCount: 4, frameCount: 5)
        var quieter = ones
        for f in 0..<5 { quieter[1, f] = 0.1 }
        XCTAssertEqual(try LogMelError.meanAbsoluteDecibels(melPower: ones, Spectrogram(values: ones.values.map { $0 * 7 }, rowCount: 4, frameCount: 5)), 0, accuracy: 1e-9)
        XCTAssertEqual(try LogMelError.meanAbsoluteDecibels(melPower: ones, quieter), 2.5, accuracy: 1e-5)
        for f in 0..<5 { quieter[1, f] = 1e-10 }
        XCTAssertEqual(try LogMelError.meanAbsoluteDecibels(melPower: ones, quieter), 15, accuracy: 1e-4)
        XCTAssertThrowsError(try LogMelError.meanAbsoluteDecibels(melPower: ones, Spectrogram(values: [1], rowCount: 1, frameCount: 1)))
    }

    /// The evaluation of a tone through an untrained tiny model: the inversion alone stays close
    /// (a steady tone inverts well), every figure is finite, JSON round-trips.
    func testEvaluationReportsModelReconstructAndInversionErrors() throws {
        let model = try SpectrogramSequenceVAE(config: Self.tinyConfig())
        let n = 22_050
        let tone = AudioBuffer(mono: (0..<n).map { 0.5 * Float(sin(2 * Double.pi * 440 * Double($0) / 22_050)) }, sampleRate: 22_050)
        let clip = try SpectrogramVAEEvaluation.evaluate(model: model, buffer: tone, name: "tone", iterations: 16)
        XCTAssertEqual(clip.seconds, Double(173 * 128) / 22_050, accuracy: 1e-9)
        XCTAssertLessThan(clip.inversionDecibels, 6)
        XCTAssertGreaterThan(clip.modelDecibels, clip.inversionDecibels, "an untrained model is worse than the inversion")
        XCTAssertTrue([clip.modelDecibels, clip.reconstructDecibels, clip.klPerSecond].allSatisfy(\.isFinite))
        let report = SpectrogramVAEEvaluation(clips: [clip], iterations: 16, skipped: [])
        let decoded = try JSONDecoder().decode(SpectrogramVAEEvaluation.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded.clips.first?.modelDecibels, clip.modelDecibels)
        XCTAssertTrue(report.summary.contains("inversion alone"))
    }
}
