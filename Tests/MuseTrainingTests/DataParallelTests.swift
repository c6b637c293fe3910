import Foundation
import MuseCore
@testable import MuseTraining
import XCTest
import _MuseTestSupport

/// The parts of data-parallel training that need no second process: how a global batch is split,
/// how shard losses are weighted, the snapshot rank 0 broadcasts, and what the other ranks skip.
/// `mpirun` end to end: museTests/DataParallelCLITests.
final class DataParallelTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("muse-dp-\(UUID())")
    }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func options(_ name: String, steps: Int) -> TrainerOptions {
        var o = TrainerOptions(numSteps: steps, outputDirectory: root.appendingPathComponent(name), learningRate: 1e-2, clipNorm: nil)
        o.evalEvery = 0
        o.checkpointEvery = 0
        return o
    }

    func testShardsCoverEveryRowOnceInBlocksDifferingByAtMostOne() throws {
        for world in 1...4 {
            for count in world...11 {
                let blocks = try (0..<world).map { try TrainingShard(rank: $0, worldSize: world).rows(ofBatch: count) }
                XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<count), "world \(world), batch \(count)")
                let sizes = blocks.map(\.count)
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "world \(world), batch \(count): \(sizes)")
            }
        }
    }

    func testABatchWithFewerRowsThanProcessesIsRefused() {
        XCTAssertThrowsError(try TrainingShard(rank: 1, worldSize: 3).rows(ofBatch: 2)) { error in
            XCTAssertEqual("\(error)", "a global batch of 2 cannot be split over 3 processes (raise --batch-size)")
        }
    }

    func testAPlainRunLeavesTheLossUntouched() throws {
        let loss = Tensor(scalar: 0.3)
        XCTAssertTrue(TrainingShard.whole.weighted(loss, local: 3, global: 8) === loss)
        XCTAssertEqual(TrainingShard.whole.weight(local: 3, global: 8), 1)
    }

    func testSliceKeepsTheRowsOfTheFirstDimension() throws {
        let t = try Tensor((0..<12).map(Float.init), shape: [4, 3])
        let s = try TrainingShard(rank: 1, worldSize: 2).slice(t, rows: 2..<4)
        XCTAssertEqual(s.shape, [2, 3])
        XCTAssertEqual(s.scalars, [6, 7, 8, 9, 10, 11])
        XCTAssertThrowsError(try TrainingShard.whole.slice(t, rows: 3..<5))
    }

    /// Three ranks on uneven blocks (3, 3, 2 rows of 8): the mean of their weighted gradients is
    /// the whole batch's gradient.
    func testWeightedShardGradientsAverageToTheWholeBatchGradient() throws {
        var rng = SplitMix64(seed: 9)
        let x = Tensor.randn([8, 3], using: &rng), y = Tensor.randn([8, 2], using: &rng)
        let model = Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        func gradients(_ loss: () throws -> Tensor) throws -> [[Float]] {
            for p in model.namedParameters() { p.tensor.grad = nil }
            try loss().backward()
            return model.namedParameters().map { $0.tensor.grad?.scalars ?? [] }
        }
        let whole = try gradients { try mseLoss(model(x), y) }
        var mean = whole.map { [Float](repeating: 0, count: $0.count) }
        let world = 3
        for rank in 0..<world {
            let shard = TrainingShard(rank: rank, worldSize: world)
            let rows = try shard.rows(ofBatch: 8)
            let part = try gradients {
                shard.weighted(try mseLoss(model(shard.slice(x, rows: rows)), shard.slice(y, rows: rows)), local: rows.count, global: 8)
            }
            for i in mean.indices { for j in mean[i].indices { mean[i][j] += part[i][j] / Float(world) } }
        }
        for i in whole.indices {
            for j in whole[i].indices { XCTAssertEqual(mean[i][j], whole[i][j], accuracy: 1e-6) }
        }
    }

    /// What rank 0 broadcasts makes another trainer (other initial weights) continue identically.
    func testASnapshotMakesAnotherTrainerContinueBitForBit() throws {
        var rng = SplitMix64(seed: 1)
        let x = Tensor.randn([8, 3], using: &rng), y = Tensor.randn([8, 2], using: &rng)
        let first = Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        let second = Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        let a = try Trainer(task: RandomRowsTask(model: first, x: x, y: y), options: options("a", steps: 3), progress: ProgressReporter(silent: true))
        try a.run()
        let b = try Trainer(task: RandomRowsTask(model: second, x: x, y: y), options: options("b", steps: 6), progress: ProgressReporter(silent: true))
        try b.restore(a.snapshot())
        XCTAssertEqual(b.state.step, 3)
        let a6 = try Trainer(task: RandomRowsTask(model: first, x: x, y: y), options: options("a", steps: 6), progress: ProgressReporter(silent: true))
        try a6.run()
        try b.run()
        XCTAssertEqual(first.weight.scalars, second.weight.scalars)
        XCTAssertEqual(first.bias?.scalars, second.bias?.scalars)
    }

    func testOtherRanksNeitherResumeNorWriteCheckpoints() throws {
        var rng = SplitMix64(seed: 2)
        let x = Tensor.randn([8, 3], using: &rng), y = Tensor.randn([8, 2], using: &rng)
        var o = options("run", steps: 2)
        try Trainer(task: RandomRowsTask(model: Linear(inFeatures: 3, outFeatures: 2, using: &rng), x: x, y: y), options: o,
                    progress: ProgressReporter(silent: true)).run()
        let before = Checkpoint.list(in: o.outputDirectory).map(\.url.lastPathComponent)
        XCTAssertEqual(before, ["checkpoint-00000002"])
        o.numSteps = 4
        o.shard = TrainingShard(rank: 1, worldSize: 2)
        let other = try Trainer(task: RandomRowsTask(model: Linear(inFeatures: 3, outFeatures: 2, using: &rng), x: x, y: y), options: o,
                                progress: ProgressReporter(silent: true))
        XCTAssertNil(other.resumedFrom)
        XCTAssertEqual(other.state.step, 0, "waits for rank 0's state instead")
        try other.run()
        XCTAssertEqual(Checkpoint.list(in: o.outputDirectory).map(\.url.lastPathComponent), before)
    }

    func testATaskWithoutShardedLossRefusesSeveralProcesses() throws {
        var rng = SplitMix64(seed: 3)
        var o = options("run", steps: 1)
        o.shard = TrainingShard(rank: 0, worldSize: 2)
        let task = WholeBatchTask(model: Linear(inFeatures: 3, outFeatures: 2, using: &rng), x: Tensor.randn([4, 3], using: &rng))
        let trainer = try Trainer(task: task, options: o, progress: ProgressReporter(silent: true))
        XCTAssertThrowsError(try trainer.run()) { error in
            XCTAssertEqual("\(error)", "whole-batch-toy does not train on several processes yet (run it without mpirun)")
        }
    }

    func testARankOutsideTheWorldIsRefused() {
        var o = options("run", steps: 1)
        o.shard = TrainingShard(rank: 2, worldSize: 2)
        XCTAssertThrowsError(try o.validate())
    }

    func testAPlainRunNeverStartsMPI() throws {
        XCTAssertNil(try DataParallel.fromEnvironment(environment: ["PATH": "/usr/bin"]))
        XCTAssertEqual(DataParallel.launchedWorldSize(environment: ["OMPI_COMM_WORLD_SIZE": "4"]), 4)
    }
}

/// MSE regression on 4 random rows of 8 per step, drawn from the data generator; shards them.
final class RandomRowsTask: LossTrainingTask {
    let model: Linear
    let x: Tensor, y: Tensor
    var module: any Module { model }
    var bundleKind: String { "random-rows-toy" }

    init(model: Linear, x: Tensor, y: Tensor) { (self.model, self.x, self.y) = (model, x, y) }

    func configJSON() throws -> Data { Data("{}".utf8) }

    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor { try trainingLoss(using: &generator, shard: .whole) }

    func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let picks = (0..<4).map { _ in Int(generator.next() % 8) }
        let mine = Array(picks[try shard.rows(ofBatch: picks.count)])
        let rowsX = try Tensor(mine.flatMap { Array(x.scalars[($0 * 3)..<($0 * 3 + 3)]) }, shape: [mine.count, 3])
        let rowsY = try Tensor(mine.flatMap { Array(y.scalars[($0 * 2)..<($0 * 2 + 2)]) }, shape: [mine.count, 2])
        return shard.weighted(try mseLoss(model(rowsX), rowsY), local: mine.count, global: picks.count)
    }

    func evaluate() throws -> Metrics { Metrics(["loss": Double(try mseLoss(model(x), y).item())]) }
}

/// A task that only knows whole batches (the default `trainingLoss(using:shard:)`).
final class WholeBatchTask: LossTrainingTask {
    let model: Linear
    let x: Tensor
    var module: any Module { model }
    var bundleKind: String { "whole-batch-toy" }
    init(model: Linear, x: Tensor) { (self.model, self.x) = (model, x) }
    func configJSON() throws -> Data { Data("{}".utf8) }
    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor { try model(x).square().mean() }
    func evaluate() throws -> Metrics { Metrics() }
}
