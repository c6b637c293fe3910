import Foundation
import MuseCore
import MuseTraining
import XCTest
import _MuseTestSupport

/// The training core against PyTorch (`scripts/make_training_fixtures.py`): tasks that own their
/// step (two optimizers), parameter groups, gradient accumulation, gradient hooks and tied
/// parameters land on PyTorch's parameters after the same steps, to 1e-5 relative + 1e-6 absolute
/// (the same float32 formulas op for op; only summation order differs).
final class TrainingCoreTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("muse-training-\(UUID())")
    }
    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    func fixture() throws -> [String: Tensor] { try loadFixture("training", in: Self.fixtures) }

    /// The entries under `prefix.` with the prefix removed (cloned, so they can be trained).
    func entries(_ f: [String: Tensor], _ prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, v) in f where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v.clone() }
        return out
    }

    func assertWeights(_ module: any Module, _ expected: [String: Tensor], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let state = module.stateDict()
        XCTAssertEqual(Set(state.keys), Set(expected.keys), what, file: file, line: line)
        for (name, t) in expected { if let ours = state[name] { assertClose(ours, t, "\(what) \(name)", file: file, line: line) } }
    }

    func options(_ name: String, steps: Int, learningRate: Float = 1e-2) -> TrainerOptions {
        var o = TrainerOptions(numSteps: steps, outputDirectory: root.appendingPathComponent(name), learningRate: learningRate, clipNorm: nil)
        o.evalEvery = 0
        o.checkpointEvery = 0
        return o
    }

    // MARK: two optimizers

    func testGANStyleStepWithTwoOptimizersMatchesPyTorch() throws {
        let f = try fixture()
        var rng = SplitMix64(seed: 1)
        let task = GANToy(generator: MLP(2, 4, 2, using: &rng), discriminator: MLP(2, 4, 1, using: &rng), fixture: f)
        try task.generator.loadStateDict(entries(f, "gan.init.generator"))
        try task.discriminator.loadStateDict(entries(f, "gan.init.discriminator"))
        let trainer = try Trainer(task: task, options: options("gan", steps: 3, learningRate: 2e-2), progress: ProgressReporter(silent: true))
        var metrics: [Metrics] = []
        trainer.afterStep = { _ in metrics.append(trainer.state.lastTrainingMetrics ?? Metrics()) }
        try trainer.run()
        let dLosses = try f.tensor("gan.d_losses").scalars, gLosses = try f.tensor("gan.g_losses").scalars
        for step in 0..<3 {
            XCTAssertEqual(metrics[step]["discriminator_loss"] ?? .nan, Double(dLosses[step]), accuracy: 1e-5, "D loss step \(step)")
            XCTAssertEqual(metrics[step]["generator_loss"] ?? .nan, Double(gLosses[step]), accuracy: 1e-5, "G loss step \(step)")
        }
        assertWeights(task.generator, entries(f, "gan.final.generator"), "generator")
        assertWeights(task.discriminator, entries(f, "gan.final.discriminator"), "discriminator")
        // Each optimizer's Adam state is saved under its own name and a resumed run reads it back.
        let state = try SafeTensors.read(contentsOf: Checkpoint.list(in: root.appendingPathComponent("gan")).last!.url.appendingPathComponent("optimizer.safetensors"))
        XCTAssertEqual(state["discriminator.step"]?.item(), 3)
        XCTAssertNotNil(state["generator.0.weight.exp_avg"])
    }

    // MARK: parameter groups, accumulation, hooks

    func testAdamWParameterGroupsDecayOnlyMatrices() throws {
        let f = try fixture()
        var rng = SplitMix64(seed: 2)
        let model = SmallNet(using: &rng)
        try model.loadStateDict(entries(f, "adamw.init"))
        let task = RegressionTask(model: model, x: try f.tensor("adamw.x"), y: try f.tensor("adamw.y")) { module, options in
            let named = module.namedParameters()
            let decay = named.filter { $0.tensor.rank >= 2 }, noDecay = named.filter { $0.tensor.rank < 2 }
            return Adam(groups: [(decay, 0.1), (noDecay, 0)], learningRate: options.learningRate, betas: (0.9, 0.99))
        }
        try Trainer(task: task, options: options("adamw", steps: 3), progress: ProgressReporter(silent: true)).run()
        assertWeights(model, entries(f, "adamw.final"), "AdamW groups")
    }

    func testGradientAccumulationEqualsALargerBatch() throws {
        let f = try fixture()
        let x = try f.tensor("accum.x"), y = try f.tensor("accum.y")
        var rng = SplitMix64(seed: 3)
        let accumulated = Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        try accumulated.loadStateDict(entries(f, "accum.init"))
        let task = RegressionTask(model: accumulated, x: x, y: y, microBatches: 2)
        var o = options("accum", steps: 2)
        o.gradientAccumulationSteps = 2
        try Trainer(task: task, options: o, progress: ProgressReporter(silent: true)).run()
        assertWeights(accumulated, entries(f, "accum.final"), "2 × 4 accumulated vs PyTorch's batch of 8")
        XCTAssertEqual(task.batchesDrawn, 4, "two micro-batches per step")
    }

    func testGradientHookRunsBeforeTheStep() throws {
        let f = try fixture()
        var rng = SplitMix64(seed: 4)
        let model = Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        try model.loadStateDict(entries(f, "hook.init"))
        let task = RegressionTask(model: model, x: try f.tensor("hook.x"), y: try f.tensor("hook.y")) { module, options in
            SGD(module.namedParameters(), learningRate: options.learningRate, momentum: 0.9)
        }
        let trainer = try Trainer(task: task, options: options("hook", steps: 3, learningRate: 0.1), progress: ProgressReporter(silent: true))
        var calls: [(String, Int)] = []
        trainer.gradientHooks.append { context in
            calls.append((context.optimizerName, context.step))
            for (_, p) in context.parameters { p.grad?.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= 0.5 } } }
        }
        try trainer.run()
        assertWeights(model, entries(f, "hook.final"), "halved gradients, SGD momentum")
        XCTAssertEqual(calls.map(\.1), [0, 1, 2])
        XCTAssertEqual(Set(calls.map(\.0)), ["model"])
    }

    // MARK: tied parameters

    func testTiedEmbeddingsAreOneParameterUpdatedAndClippedOnce() throws {
        let f = try fixture()
        var rng = SplitMix64(seed: 5)
        let model = TiedLM(vocabulary: 5, width: 3, using: &rng)
        try model.wte.weight.copy(from: f.tensor("tied.init.wte.weight"))
        XCTAssertEqual(model.namedParameters().map(\.name), ["wte.weight"])
        XCTAssertEqual(model.parameterCount, 15)
        XCTAssertEqual(Set(model.stateDict().keys), ["wte.weight", "lm_head.weight"])
        let task = TiedTask(model: model, tokens: try f.tensor("tied.tokens").scalars.map { Int($0) },
                            targets: try f.tensor("tied.targets").scalars.map { Int($0) })
        var o = options("tied", steps: 3, learningRate: 5e-2)
        o.clipNorm = 0.1
        o.reportGradientNorm = true
        let trainer = try Trainer(task: task, options: o, progress: ProgressReporter(silent: true))
        var norms: [Double] = []
        trainer.afterStep = { _ in norms.append(trainer.state.lastTrainingMetrics?["grad_norm"] ?? .nan) }
        try trainer.run()
        let expected = try f.tensor("tied.norms").scalars
        for (ours, theirs) in zip(norms, expected) { XCTAssertEqual(ours, Double(theirs), accuracy: 1e-5 * Double(theirs) + 1e-6) }
        assertClose(model.wte.weight, try f.tensor("tied.final.wte.weight"), "tied weight after 3 clipped Adam steps")
        // Saved under both of PyTorch's names, loaded back into the one tensor.
        let bundle = root.appendingPathComponent("tied-bundle")
        try ModelBundle.write(to: bundle, kind: "toy", configJSON: Data("{}".utf8), step: 3, metrics: nil, module: model)
        let saved = try SafeTensors.read(contentsOf: bundle.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(Set(saved.keys), ["wte.weight", "lm_head.weight"])
        XCTAssertEqual(saved["lm_head.weight"]?.scalars, model.wte.weight.scalars)
        var other = SplitMix64(seed: 9)
        let fresh = TiedLM(vocabulary: 5, width: 3, using: &other)
        try ModelBundle.open(bundle).loadWeights(into: fresh)
        XCTAssertEqual(fresh.wte.weight.scalars, model.wte.weight.scalars)
        XCTAssertTrue(fresh.lmHead.weight === fresh.wte.weight)
    }

    // MARK: schedules

    func testLearningRateSchedulesMatchPyTorchAndNanoGPT() throws {
        let f = try fixture()
        let schedules: [(String, any LRSchedule, Int)] = [
            ("step", StepLR(base: 0.5, stepSize: 3, gamma: 0.5), 20),
            // PyTorch's CosineAnnealingLR is recursive; past T_max it rises again, so compare to T_max.
            ("cosine", CosineLR(base: 0.5, totalSteps: 15, minimum: 0.01), 16),
            ("nanogpt", WarmupCosineLR(base: 6e-4, warmupSteps: 10, decaySteps: 50, minimum: 6e-5), 60),
        ]
        for (name, schedule, count) in schedules {
            let expected = try f.tensor("lr.\(name)").scalars
            for step in 0..<count {
                XCTAssertEqual(schedule.learningRate(atStep: step), expected[step], accuracy: 1e-6 * max(expected[step], 1e-3), "\(name) step \(step)")
            }
        }
        XCTAssertEqual(ConstantLR(0.3).learningRate(atStep: 99), 0.3)
        var o = options("s", steps: 60, learningRate: 6e-4)
        o.schedule = .warmupCosine(warmupSteps: 10, decaySteps: 50, minimum: 6e-5)
        XCTAssertEqual(o.learningRate(atStep: 30), WarmupCosineLR(base: 6e-4, warmupSteps: 10, decaySteps: 50, minimum: 6e-5).learningRate(atStep: 30))
    }

    /// char-rnn's train.lua loop, literally: update i (1-based) uses the current rate; after it, when
    /// i is a multiple of the epoch length and i / ntrain ≥ decay_after, the rate is multiplied by the decay.
    func testEpochDecayFollowsCharRNNsTrainingLoop() {
        for (ntrain, after, decay) in [(10, 10, Float(0.97)), (3, 1, 0.5), (1, 2, 0.9)] {
            let schedule = EpochDecayLR(base: 2e-3, stepsPerEpoch: ntrain, afterEpochs: after, factor: decay)
            var lr: Float = 2e-3
            for i in 1...(ntrain * (after + 6)) {
                XCTAssertEqual(schedule.learningRate(atStep: i - 1), lr, accuracy: lr * 1e-5, "ntrain \(ntrain) update \(i)")
                if i % ntrain == 0, Double(i) / Double(ntrain) >= Double(after) { lr *= decay }
            }
        }
        var o = options("e", steps: 400, learningRate: 2e-3)
        o.schedule = .epochDecay(stepsPerEpoch: 10, afterEpochs: 10, factor: 0.97)
        XCTAssertEqual(o.learningRate(atStep: 99), 2e-3)
        XCTAssertEqual(o.learningRate(atStep: 100), 2e-3 * 0.97, accuracy: 1e-9)
        XCTAssertEqual(o.learningRate(atStep: 399), 2e-3 * Float(pow(0.97, 30.0)), accuracy: 1e-8)
    }

    func testTrainerAppliesTheScheduleToEachOptimizerInProportion() throws {
        let f = try fixture()
        var rng = SplitMix64(seed: 1)
        let task = GANToy(generator: MLP(2, 4, 2, using: &rng), discriminator: MLP(2, 4, 1, using: &rng), fixture: f)
        var o = options("ratio", steps: 3, learningRate: 2e-2)
        o.schedule = .cosine(minimum: 0)
        let trainer = try Trainer(task: task, options: o, progress: ProgressReporter(silent: true))
        var rates: [(Float, Float)] = []
        trainer.afterStep = { _ in rates.append((trainer.optimizers[0].optimizer.learningRate, trainer.optimizers[1].optimizer.learningRate)) }
        try trainer.run()
        for (step, (d, g)) in rates.enumerated() {
            let scheduled = CosineLR(base: 2e-2, totalSteps: 3).learningRate(atStep: step)
            XCTAssertEqual(g, scheduled, "the generator's Adam was made with the options' rate")
            XCTAssertEqual(d, 1e-2 * scheduled / 2e-2, accuracy: 1e-9, "the discriminator's rate keeps its ratio")
        }
    }

    // MARK: resume

    func testResumingWithADifferentConfigurationOrCorpusIsRefusedUnlessFresh() throws {
        let f = try fixture()
        func makeTask(width: Int) -> RegressionTask {
            var rng = SplitMix64(seed: 6)
            return RegressionTask(model: Linear(inFeatures: 3, outFeatures: 2, using: &rng), x: try! f.tensor("accum.x"), y: try! f.tensor("accum.y"),
                                  config: ["width": width])
        }
        var o = options("resume", steps: 4)
        o.runSettings = ["corpus": "corpora/a"]
        try Trainer(task: makeTask(width: 2), options: o, progress: ProgressReporter(silent: true)).run()
        XCTAssertThrowsError(try Trainer(task: makeTask(width: 3), options: o)) { error in
            guard case let .runMismatch(_, field, saved, current)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual([field, saved, current], ["width", "2", "3"])
            XCTAssertTrue("\(error)".contains("--fresh"))
            XCTAssertFalse("\(error)".contains("\n"))
        }
        var otherCorpus = o
        otherCorpus.runSettings = ["corpus": "corpora/b"]
        XCTAssertThrowsError(try Trainer(task: makeTask(width: 2), options: otherCorpus)) { error in
            guard case let .runMismatch(_, field, _, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "corpus")
        }
        var otherSeed = o
        otherSeed.seed = 99
        XCTAssertThrowsError(try Trainer(task: makeTask(width: 2), options: otherSeed)) { error in
            guard case let .runMismatch(_, field, _, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "seed")
        }
        let same = try Trainer(task: makeTask(width: 2), options: o)
        XCTAssertEqual(same.state.step, 4)
        var fresh = o
        fresh.fresh = true
        let restarted = try Trainer(task: makeTask(width: 3), options: fresh)
        XCTAssertNil(restarted.resumedFrom)
        XCTAssertEqual(restarted.state.step, 0)
        XCTAssertEqual(Checkpoint.list(in: o.outputDirectory).count, 0)
    }

    func testOptionsThatMakeNoSenseAreRefused() throws {
        var rng = SplitMix64(seed: 7)
        let task = RegressionTask(model: Linear(inFeatures: 1, outFeatures: 1, using: &rng), x: Tensor.zeros([2, 1]), y: Tensor.zeros([2, 1]))
        var o = options("bad", steps: 1)
        o.gradientAccumulationSteps = 0
        XCTAssertThrowsError(try Trainer(task: task, options: o)) { XCTAssertTrue($0 is TrainingError) }
        o.gradientAccumulationSteps = 1
        o.clipNorm = -1
        XCTAssertThrowsError(try Trainer(task: task, options: o)) { XCTAssertTrue($0 is TrainingError) }
    }
}

// MARK: - Toy models and tasks

/// Linear → tanh → Linear, named as `torch.nn.Sequential` ("0", "2").
final class MLP: Module {
    let first: Linear, second: Linear
    var isTraining = true
    var children: [(name: String, module: any Module)] { [("0", first), ("2", second)] }
    init(_ input: Int, _ hidden: Int, _ output: Int, using generator: inout SplitMix64) {
        first = Linear(inFeatures: input, outFeatures: hidden, using: &generator)
        second = Linear(inFeatures: hidden, outFeatures: output, using: &generator)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try second(first(x).tanh()) }
}

/// fc1 → LayerNorm → tanh → fc2.
final class SmallNet: Layer {
    let fc1: Linear, norm = LayerNorm(normalizedShape: [4]), fc2: Linear
    var isTraining = true
    var children: [(name: String, module: any Module)] { [("fc1", fc1), ("norm", norm), ("fc2", fc2)] }
    init(using generator: inout SplitMix64) {
        fc1 = Linear(inFeatures: 3, outFeatures: 4, using: &generator)
        fc2 = Linear(inFeatures: 4, outFeatures: 2, using: &generator)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor { try fc2(norm(fc1(x)).tanh()) }
}

/// An embedding whose output projection is the same tensor (GPT's weight tying).
final class TiedLM: Module {
    let wte: Embedding, lmHead: TiedHead
    var isTraining = true
    var children: [(name: String, module: any Module)] { [("wte", wte), ("lm_head", lmHead)] }
    init(vocabulary: Int, width: Int, using generator: inout SplitMix64) {
        wte = Embedding(numEmbeddings: vocabulary, embeddingDim: width, using: &generator)
        lmHead = TiedHead(weight: wte.weight)
    }
    /// - Returns: [tokens, vocabulary] logits.
    func callAsFunction(_ tokens: [Int]) throws -> Tensor {
        try wte(tokens, shape: [tokens.count]).tanh().matmul(lmHead.weight, transposeB: true)
    }

    /// The output projection: holds the embedding's tensor, under its own name.
    final class TiedHead: Module {
        let weight: Tensor
        var isTraining = true
        var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
        init(weight: Tensor) { self.weight = weight }
    }
}

/// MSE regression of fixed data, in `microBatches` equal slices drawn in turn.
final class RegressionTask: LossTrainingTask {
    let model: any Layer
    let x: Tensor, y: Tensor
    let microBatches: Int
    let optimizer: ((any Module, TrainerOptions) -> any Optimizer)?
    let config: [String: Int]
    private(set) var batchesDrawn = 0
    var module: any Module { model }
    var bundleKind: String { "regression-toy" }

    init(model: any Layer, x: Tensor, y: Tensor, microBatches: Int = 1, config: [String: Int] = [:],
         optimizer: ((any Module, TrainerOptions) -> any Optimizer)? = nil) {
        (self.model, self.x, self.y, self.microBatches, self.config, self.optimizer) = (model, x, y, microBatches, config, optimizer)
    }

    func configJSON() throws -> Data { try ModelBundle.encode(config) }

    func makeOptimizers(options: TrainerOptions) -> [(name: String, optimizer: any Optimizer)] {
        [("model", optimizer?(model, options) ?? Adam(model.namedParameters(), learningRate: options.learningRate))]
    }

    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        let rows = x.shape[0] / microBatches, part = batchesDrawn % microBatches
        batchesDrawn += 1
        let xs = try x.narrow(axis: 0, start: part * rows, length: rows), ys = try y.narrow(axis: 0, start: part * rows, length: rows)
        return try mseLoss(model(xs), ys)
    }

    func evaluate() throws -> Metrics { Metrics(["loss": Double(try mseLoss(model(x), y).item())]) }
}

/// The GAN toy: the discriminator's step on real and generated data, then the generator's.
final class GANToy: TrainingTask {
    let generator: MLP, discriminator: MLP
    let fixture: [String: Tensor]
    let root: Root
    var module: any Module { root }
    var bundleKind: String { "gan-toy" }

    /// Both networks under one module, as a bundle saves them.
    final class Root: Module {
        let generator: MLP, discriminator: MLP
        var isTraining = true
        var children: [(name: String, module: any Module)] { [("generator", generator), ("discriminator", discriminator)] }
        init(_ g: MLP, _ d: MLP) { (generator, discriminator) = (g, d) }
    }

    init(generator: MLP, discriminator: MLP, fixture: [String: Tensor]) {
        (self.generator, self.discriminator, self.fixture) = (generator, discriminator, fixture)
        root = Root(generator, discriminator)
    }

    func configJSON() throws -> Data { Data("{}".utf8) }

    /// Adam(1e-2, β 0.5, 0.999) for D, Adam(options' rate 2e-2, β 0.9, 0.99) for G, D first.
    func makeOptimizers(options: TrainerOptions) -> [(name: String, optimizer: any Optimizer)] {
        [("discriminator", Adam(discriminator.namedParameters(), learningRate: 1e-2, betas: (0.5, 0.999))),
         ("generator", Adam(generator.namedParameters(), learningRate: options.learningRate, betas: (0.9, 0.99)))]
    }

    func trainStep(_ step: TrainingStep) throws {
        let real = try fixture.tensor("gan.real.\(step.index)"), noise = try fixture.tensor("gan.noise.\(step.index)")
        let ones = Tensor.ones([8, 1]), zeros = Tensor.zeros([8, 1])
        try step.optimize("discriminator") { _ in
            let fake = try noGrad { try self.generator(noise) }
            return try binaryCrossEntropyWithLogits(logits: self.discriminator(real), targets: ones)
                + binaryCrossEntropyWithLogits(logits: self.discriminator(fake), targets: zeros)
        }
        try step.optimize("generator") { _ in
            try binaryCrossEntropyWithLogits(logits: self.discriminator(self.generator(noise)), targets: ones)
        }
    }

    func evaluate() throws -> Metrics { Metrics() }
}

/// Next-token cross-entropy of the tied toy.
final class TiedTask: LossTrainingTask {
    let model: TiedLM
    let tokens: [Int], targets: [Int]
    var module: any Module { model }
    var bundleKind: String { "tied-toy" }
    init(model: TiedLM, tokens: [Int], targets: [Int]) { (self.model, self.tokens, self.targets) = (model, tokens, targets) }
    func configJSON() throws -> Data { Data("{}".utf8) }
    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor { try crossEntropy(logits: model(tokens), targets: targets) }
    func evaluate() throws -> Metrics { Metrics() }
}
