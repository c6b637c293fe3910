import Foundation
import MuseCore
import MuseEncoding
import MuseMIDI
@testable import MuseModels
import MuseTraining
import XCTest
import _MuseTestSupport

/// MusicVAE against PyTorch (scripts/make_vae_fixtures.py: torch 2.13.0+cpu, same modules and
/// names, seeded weights), plus behaviour of training and interpolation on tiny models.
final class MusicVAETests: XCTestCase {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// The fixture's sizes: B=3, T=32, C=90, Z=5, encoder 6×2 bidirectional, decoder 7×2.
    func fixtureModel() throws -> (MusicVAE, [String: Tensor]) {
        var config = MusicVAEConfig()
        (config.zSize, config.encoderHiddenSize, config.encoderLayers, config.decoderHiddenSize, config.decoderLayers) = (5, 6, 2, 7, 2)
        config.freeBits = 1
        let model = try MusicVAE(config: config)
        let fixture = try loadFixture("musicvae_tiny", in: Self.fixtures)
        try model.loadStateDict(fixture.filter { !$0.key.contains(".") || !["in", "out", "grad"].contains(String($0.key.split(separator: ".")[0])) })
        return (model, fixture)
    }

    func fixtureWindows(_ fixture: [String: Tensor]) throws -> [[Int]] {
        let flat = try fixture.tensor("in.windows").indices()
        return stride(from: 0, to: flat.count, by: 32).map { Array(flat[$0..<($0 + 32)]) }
    }

    // Tolerances: float32 LSTMs over 32 steps with different summation orders than torch's;
    // values are O(1) and agree to ~1e-6, so 1e-4 absolute + relative leaves margin while any
    // wrong gate order, split or concatenation is off by O(0.1).

    func testEncoderMeanAndSigmaMatchPyTorch() throws {
        let (model, fixture) = try fixtureModel()
        let (mu, sigma) = try model.encode(model.oneHot(fixtureWindows(fixture)))
        assertClose(mu, try fixture.tensor("out.mu"), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "mu")
        assertClose(sigma, try fixture.tensor("out.sigma"), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "sigma")
    }

    func testTeacherForcedLogitsMatchPyTorch() throws {
        let (model, fixture) = try fixtureModel()
        let events = try model.oneHot(fixtureWindows(fixture))
        let (mu, sigma) = try model.encode(events)
        let z = try mu + sigma * fixture.tensor("in.epsilon")
        assertClose(try model.decodeTeacherForced(events, z: z), try fixture.tensor("out.logits"),
                    relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "logits")
    }

    func testLossAndGradientsMatchPyTorch() throws {
        let (model, fixture) = try fixtureModel()
        let windows = try fixtureWindows(fixture)
        var rng = SplitMix64(seed: 0)
        let loss = try model.loss(events: model.oneHot(windows), targets: windows.flatMap { $0 },
                                  epsilon: fixture.tensor("in.epsilon"), beta: 0.5, using: &rng)
        XCTAssertEqual(loss.total.item(), try fixture.tensor("out.total").item(), accuracy: 1e-3)
        XCTAssertEqual(loss.reconstruction, try fixture.tensor("out.reconstruction").item(), accuracy: 1e-3)
        XCTAssertEqual(loss.kl, try fixture.tensor("out.kl").item(), accuracy: 1e-4)
        loss.total.backward()
        try assertGradientsMatch(model, fixture)
    }

    func testBundleRoundTripKeepsWeightsAndTorchNames() throws {
        let (model, _) = try fixtureModel()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("musicvae-bundle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(bundle: folder)
        let loaded = try MusicVAE.load(from: folder)
        XCTAssertEqual(loaded.config, model.config)
        for (name, t) in model.namedParameters() { XCTAssertEqual(loaded.stateDict()[name]?.scalars, t.scalars, name) }
        XCTAssertNotNil(loaded.stateDict()["encoder.weight_ih_l1_reverse"])
        XCTAssertNotNil(loaded.stateDict()["decoder_init.weight"])
    }

    func testBundleOfAnotherKindIsAOneLineError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("melody-bundle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"kind": "melody-rnn", "hiddenSize": 128}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try MusicVAE.load(from: folder)) { error in
            XCTAssertEqual(error as? TrainingError, .wrongKind(folder: folder.path, found: "melody-rnn", usable: ["music-vae"], purpose: ""))
            XCTAssertFalse("\(error)".contains("\n"))
        }
        try Data("not json".utf8).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try MusicVAE.load(from: folder)) { XCTAssertTrue($0 is TrainingError) }
        XCTAssertThrowsError(try MusicVAE.load(from: folder.appendingPathComponent("missing"))) { error in
            guard case .missingFile = error as? TrainingError else { return XCTFail("\(error)") }
        }
    }

    func testInterpolationWithFewerThanTwoStepsIsAnError() throws {
        let (model, fixture) = try fixtureModel()
        let windows = try fixtureWindows(fixture)
        var rng = SplitMix64(seed: 1)
        for steps in [1, 0, -3] {
            XCTAssertThrowsError(try model.interpolate(from: windows[0], to: windows[1], steps: steps, spherical: false,
                                                       temperature: 0, using: &rng)) { error in
                XCTAssertEqual(error as? MusicVAEError, .tooFewSteps(steps))
                XCTAssertEqual("\(error)", "interpolation needs at least 2 steps (the two endpoints), got \(steps)")
            }
        }
    }

    func testSlerpKeepsNormBetweenEqualNormEndpointsAndLerpIsStraight() {
        let a: [Float] = [3, 0, 0], b: [Float] = [0, 3, 0]
        let sphere = LatentPath.points(from: a, to: b, steps: 5, spherical: true)
        for p in sphere { XCTAssertEqual((p.map { $0 * $0 }.reduce(0, +)).squareRoot(), 3, accuracy: 1e-5) }
        XCTAssertEqual(sphere.first!, a)
        XCTAssertEqual(sphere.last![1], 3, accuracy: 1e-6)
        let line = LatentPath.points(from: a, to: b, steps: 3, spherical: false)
        XCTAssertEqual(line[1], [1.5, 1.5, 0])
    }

    // MARK: - Training behaviour on tiny models

    /// A small model over a handful of real windows.
    func tinyTask(seed: UInt64 = 3, windowCount: Int = 16) throws -> (MusicVAETrainingTask, [[Int]]) {
        var config = MusicVAEConfig()
        (config.zSize, config.encoderHiddenSize, config.decoderHiddenSize, config.decoderLayers) = (16, 32, 48, 1)
        config.batchSize = 16
        config.learningRate = 3e-3
        config.seed = seed
        config.samplingSchedule = "constant"
        config.samplingRate = 0
        let model = try MusicVAE(config: config)
        let windows = try realWindows(count: windowCount)
        return (try MusicVAETrainingTask(model: model, train: windows, eval: []), windows)
    }

    /// Trains `task` with the shared `Trainer` into `folder` (a fresh temporary one if nil) until
    /// `steps`, stopping after `stopAt` steps if given; `perStep` sees the task after every step.
    @discardableResult
    func run(_ task: MusicVAETrainingTask, steps: Int, folder: URL? = nil, stopAt: Int? = nil,
             perStep: @escaping (MusicVAETrainingTask) -> Void = { _ in }) throws -> Trainer {
        let directory = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("musicvae-run-\(UUID().uuidString)")
        defer { if folder == nil { try? FileManager.default.removeItem(at: directory) } }
        var options = TrainerOptions(numSteps: steps, outputDirectory: directory, learningRate: task.model.config.learningRate,
                                     clipNorm: task.model.config.gradientClipNorm, seed: task.model.config.seed &+ 0x5eed)
        (options.evalEvery, options.checkpointEvery) = (0, 0)
        let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
        trainer.afterStep = { step in
            perStep(task)
            if step == stopAt { trainer.interrupt.requestStop() }
        }
        try trainer.run()
        return trainer
    }

    /// Distinct windows from the O'Neill's corpus (skips when the corpora are not built).
    func realWindows(count: Int) throws -> [[Int]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("corpora/oneills").path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw XCTSkip("corpora/oneills not built (scripts/build_corpora.sh oneills)")
        }
        let converter = MelodyWindowConverter()
        let encoding = try converter.oneHot()
        var windows: [[Int]] = []
        for file in try MIDICorpus.files(in: folder).prefix(40) where windows.count < count {
            guard let sequence = try? NoteSequence(contentsOfMIDIFile: file) else { continue }
            for window in converter.windows(from: sequence).prefix(2) where windows.count < count {
                windows.append(try window.map { try encoding.encode(event: $0) })
            }
        }
        return windows
    }

    func testTrainingLowersTheLossOnRealWindows() throws {
        let (task, _) = try tinyTask()
        var losses: [MusicVAE.Loss] = []
        let trainer = try run(task, steps: 61) { losses.append($0.lastLoss!) }
        let (first, last) = (losses[0], losses[60])
        XCTAssertLessThan(last.reconstruction, first.reconstruction * 0.5, "60 steps on 16 windows should halve the loss")
        XCTAssertGreaterThan(last.accuracy, first.accuracy)
        let evaluation = try XCTUnwrap(trainer.state.evaluations.last)
        XCTAssertEqual(evaluation.step, 61)
        XCTAssertGreaterThan(try XCTUnwrap(evaluation.metrics["accuracy"]), Double(first.accuracy))
    }

    func testScheduledSamplingStepTrainsToo() throws {
        let (task, windows) = try tinyTask()
        var rng = SplitMix64(seed: 9)
        let model = task.model
        let events = try model.oneHot(windows)
        let eps = Tensor.randn([windows.count, model.config.zSize], using: &rng)
        // Probability 0 through the step-by-step path equals the fused teacher-forced path.
        let (mu, sigma) = try model.encode(events)
        let z = try mu + sigma * eps
        assertClose(try model.decodeScheduled(events, z: z, probability: 0, using: &rng), try model.decodeTeacherForced(events, z: z),
                    relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "scheduled path at p = 0")
        let loss = try model.loss(events: events, targets: windows.flatMap { $0 }, epsilon: eps, beta: 0.1, samplingProbability: 0.5, using: &rng)
        loss.total.backward()
        XCTAssertNotNil(model.decoder.cells[0][0].grad)
        XCTAssertTrue(loss.total.item().isFinite)
    }

    func testInterpolationEndpointsDecodeCloserToTheirOwnInput() throws {
        let (task, windows) = try tinyTask(seed: 5, windowCount: 8)
        try run(task, steps: 800)  // at 250 steps the endpoints decoded only 1 step nearer their own input: too close to call
        let model = task.model
        model.eval()
        // Two inputs that differ in most steps.
        func distance(_ x: [Int], _ y: [Int]) -> Int { zip(x, y).filter { $0 != $1 }.count }
        var best = (0, 1)
        for i in 0..<windows.count { for j in (i + 1)..<windows.count where distance(windows[i], windows[j]) > distance(windows[best.0], windows[best.1]) { best = (i, j) } }
        let a = windows[best.0], b = windows[best.1]
        var rng = SplitMix64(seed: 2)
        for spherical in [false, true] {
            let path = try model.interpolate(from: a, to: b, steps: 6, spherical: spherical, temperature: 0, using: &rng)
            XCTAssertEqual(path.count, 6)
            XCTAssertLessThan(distance(path[0], a), distance(path[0], b), "first step should decode near A")
            XCTAssertLessThan(distance(path[5], b), distance(path[5], a), "last step should decode near B")
        }
    }

    /// Stopped after 3 steps and re-run to 6: the same weights as 6 uninterrupted steps, bit for
    /// bit (batches, ε, β, sampling and learning rate follow the saved step and generator); the
    /// run folder then loads as a bundle through its newest checkpoint.
    func testCheckpointResumeContinuesTheSameRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("musicvae-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (straight, _) = try tinyTask(seed: 11)
        try run(straight, steps: 6)
        let (first, _) = try tinyTask(seed: 11)
        XCTAssertEqual(try run(first, steps: 6, folder: folder, stopAt: 3).state.step, 3)
        let (resumed, _) = try tinyTask(seed: 11)
        let trainer = try run(resumed, steps: 6, folder: folder)
        XCTAssertEqual(trainer.resumedFrom?.lastPathComponent, Checkpoint.folderName(step: 3))
        XCTAssertEqual(trainer.state.step, 6)
        for (name, t) in straight.model.namedParameters() {
            XCTAssertEqual(resumed.model.stateDict()[name]?.scalars, t.scalars, "resumed \(name)")
        }
        let loaded = try MusicVAE.load(from: folder)
        XCTAssertEqual(loaded.stateDict().count, resumed.model.stateDict().count)
        for (name, t) in loaded.stateDict() { XCTAssertEqual(t.scalars, resumed.model.stateDict()[name]?.scalars, name) }
    }

    func testFirstWindowIsTheEarliestInTimeAndRoundTripsToNotes() throws {
        let converter = MelodyWindowConverter()
        // Bar 0 empty, then C4 D4 quarter notes for two bars, then E4 for two more.
        var notes: [NoteSequence.Note] = []
        for k in 0..<16 {
            let pitch = k < 8 ? (k % 2 == 0 ? 60 : 62) : 64
            notes.append(.init(pitch: pitch, velocity: 90, startTime: 2 + Double(k) * 0.5, endTime: 2.5 + Double(k) * 0.5))
        }
        let sequence = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)], totalTime: 10)
        let window = try converter.firstWindow(of: sequence, file: "test.mid")
        XCTAssertEqual(window.count, 32)
        let encoding = try converter.oneHot()
        XCTAssertEqual(window[0], try encoding.encode(event: 60))
        XCTAssertEqual(window[4], try encoding.encode(event: 62))
        let back = try converter.sequence(fromClassWindows: [window, window])
        XCTAssertEqual(back.notes.count, 16)
        XCTAssertEqual(back.notes[8].startTime, 4, accuracy: 1e-9, "second window starts 2 bars (4 s at 120 qpm) later")
        XCTAssertThrowsError(try converter.firstWindow(of: NoteSequence(notes: [], tempos: [], totalTime: 0), file: "empty.mid")) {
            XCTAssertEqual("\($0)", "empty.mid: no 2-bar melody in 4/4 to encode")
        }
    }
}

/// Every parameter's gradient against the fixture's `grad.<name>` (1e-3 relative + 1e-4 absolute:
/// float32 backward passes summed in another order than torch's; a wrong formula is off by O(1)).
