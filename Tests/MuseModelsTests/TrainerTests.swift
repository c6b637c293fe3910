import Foundation
import MuseCore
import MuseTraining
import XCTest
@testable import MuseModels


/// Checkpoints, resume and stop requests of the generic `Trainer`, on a small melody RNN.
final class TrainerTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("muse-trainer-\(UUID())")
    }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    /// Deterministic toy melodies: scale fragments with held notes, different lengths (some shorter than a window).
    static func toyMelodies(count: Int, seed: UInt64) -> [[Int]] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let n = 10 + Int(g.next() % 60)
            var events: [Int] = []
            var pitch = 60 + Int(g.next() % 8)
            while events.count < n {
                events.append(pitch)
                events.append(contentsOf: Array(repeating: -2, count: Int(g.next() % 3)))
                pitch = min(83, max(48, pitch + [-2, -1, 1, 2][Int(g.next() % 4)]))
            }
            return Array(events.prefix(n))
        }
    }

    func makeTask(seed: UInt64 = 3) throws -> MelodyTrainingTask {
        var config = MelodyRNNConfig()
        config.hiddenSize = 24
        config.batchSize = 8
        config.sequenceLength = 32
        config.dropout = 0.3
        let model = try MelodyRNN(config: config, seed: seed)
        return try MelodyTrainingTask(model: model, train: Self.toyMelodies(count: 40, seed: 1), eval: Self.toyMelodies(count: 8, seed: 2))
    }

    func options(_ dir: String, steps: Int) -> TrainerOptions {
        var o = TrainerOptions(numSteps: steps, outputDirectory: root.appendingPathComponent(dir), seed: 11)
        o.evalEvery = 10
        o.checkpointEvery = 7
        o.keepCheckpoints = 2
        o.schedule = .cosine(minimum: 0)
        return o
    }

    func testResumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() throws {
        let straight = try makeTask()
        try Trainer(task: straight, options: options("straight", steps: 30), progress: ProgressReporter(silent: true)).run()

        // First half: a stop request after step 15, as Ctrl-C would do.
        let first = try makeTask()
        let interrupt = InterruptMonitor()
        let halfRun = try Trainer(task: first, options: options("resumed", steps: 30), progress: ProgressReporter(silent: true),
                                  interrupt: interrupt)
        halfRun.afterStep = { if $0 == 15 { interrupt.requestStop() } }
        let stoppedAt = try halfRun.run().step
        XCTAssertEqual(stoppedAt, 15)
        XCTAssertEqual(Checkpoint.list(in: root.appendingPathComponent("resumed")).last?.step, 15)

        // Second half: a fresh process (new, differently initialised model) resumes from the checkpoint.
        let second = try makeTask(seed: 99)
        let resumed = try Trainer(task: second, options: options("resumed", steps: 30), progress: ProgressReporter(silent: true))
        XCTAssertEqual(resumed.state.step, 15)
        XCTAssertEqual(try resumed.run().step, 30)

        let a = straight.model.stateDict(), b = second.model.stateDict()
        for (name, t) in a { XCTAssertEqual(t.scalars, b[name]!.scalars, "\(name) differs after resume") }
        XCTAssertEqual(straight.model.randomStates, second.model.randomStates)
    }

    func testCheckpointsAreCompleteAndOnlyTheLastKAreKept() throws {
        let task = try makeTask()
        try Trainer(task: task, options: options("keep", steps: 30), progress: ProgressReporter(silent: true)).run()
        let dir = root.appendingPathComponent("keep")
        XCTAssertEqual(Checkpoint.list(in: dir).map(\.step), [28, 30])
        let last = dir.appendingPathComponent(Checkpoint.folderName(step: 30))
        for f in ["model.safetensors", "config.json", "optimizer.safetensors", "training_state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: last.appendingPathComponent(f).path), f)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".tmp") }
        XCTAssertEqual(leftovers, [])
        let state = try Checkpoint.readState(last)
        XCTAssertEqual(state.evaluations.map(\.step), [10, 20, 30])
        let optimizer = try SafeTensors.read(contentsOf: last.appendingPathComponent("optimizer.safetensors"))
        XCTAssertEqual(optimizer["step"]?.item(), 30)
        XCTAssertNotNil(optimizer["lstm.weight_ih_l0.exp_avg"] ?? optimizer.keys.first { $0.hasPrefix("lstm.weight_ih_l0") }.flatMap { optimizer[$0] })
        // A bundle loader given the run folder picks the newest checkpoint.
        let model = try MelodyRNN.load(bundle: dir)
        for (name, t) in task.model.stateDict() { XCTAssertEqual(model.stateDict()[name]?.scalars, t.scalars, name) }
    }

    func testTrainingLowersTheHeldOutLoss() throws {
        let task = try makeTask()
        var o = options("loss", steps: 100)
        o.learningRate = 1e-2
        let trainer = try Trainer(task: task, options: o, progress: ProgressReporter(silent: true))
        let before = try XCTUnwrap(task.evaluate()["loss"])
        try trainer.run()
        let after = try XCTUnwrap(trainer.state.evaluations.last?.metrics["loss"])
        XCTAssertLessThan(after, before - 0.5, "held-out loss \(before) → \(after)")
    }
}
