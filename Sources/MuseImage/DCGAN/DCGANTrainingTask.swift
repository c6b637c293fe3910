import Foundation
import MuseCore
import MuseTraining

/// TensorFlow's DCGAN tutorial as a `TrainingTask` with two optimizers: each step draws
/// `batchSize` distinct real pictures and noise from the trainer's data generator, updates the
/// discriminator on BCE(D(real), 1) + BCE(D(G(z)), 0), then draws fresh noise and updates the
/// generator on BCE(D(G(z)), 1) (reported as `discriminator_loss`, `generator_loss`). Every
/// `sampleEvery` steps it writes `samples/step-<N>.png`, a grid of pictures from fixed noise, into
/// the sample folder so a user can watch it learn.
public final class DCGANTrainingTask: TrainingTask {
    /// The model.
    public let model: DCGAN
    /// Real pictures [count, channels, imageSize, imageSize] in [−1, 1].
    public let pictures: Tensor
    /// Held-out pictures for `evaluate` (the first training ones when empty).
    public let heldOut: Tensor?
    /// Folder for the progress grids, or `nil` for none.
    public let sampleDirectory: URL?
    /// Steps between progress grids (0 = none).
    public let sampleEvery: Int
    /// Rows and columns of a progress grid.
    public let sampleGrid: (rows: Int, columns: Int)
    /// Paths of the grids written so far in this process.
    public private(set) var samplesWritten: [String] = []
    public var module: any Module { model }
    public var bundleKind: String { DCGANConfig.bundleKind }

    /// - Throws: `ImageError.invalidArgument` when `pictures` does not have the model's shape or
    ///   holds fewer pictures than a batch.
    public init(model: DCGAN, pictures: Tensor, heldOut: Tensor? = nil, sampleDirectory: URL? = nil, sampleEvery: Int = 0,
                sampleGrid: (rows: Int, columns: Int) = (8, 8)) throws {
        let c = model.config
        for (name, t) in [("pictures", pictures), ("held-out pictures", heldOut)] {
            guard let t else { continue }
            guard t.rank == 4, Array(t.shape[1...]) == [c.channels, c.imageSize, c.imageSize] else {
                throw ImageError.invalidArgument(name: name, value: "\(t.shape)",
                                                 reason: "must be [n, \(c.channels), \(c.imageSize), \(c.imageSize)]")
            }
        }
        guard pictures.shape[0] >= c.batchSize else {
            throw ImageError.invalidArgument(name: "pictures", value: "\(pictures.shape[0])",
                                             reason: "fewer than one batch of \(c.batchSize)")
        }
        guard sampleEvery >= 0 else { throw ImageError.invalidArgument(name: "sampleEvery", value: "\(sampleEvery)", reason: "must not be negative") }
        (self.model, self.pictures, self.heldOut) = (model, pictures, heldOut)
        (self.sampleDirectory, self.sampleEvery, self.sampleGrid) = (sampleDirectory, sampleEvery, sampleGrid)
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public var runSettings: [String: String] { ["batchSize": String(model.config.batchSize)] }

    /// Adam for the discriminator, then Adam for the generator, both with the options' rate and betas.
    public func makeOptimizers(options: TrainerOptions) -> [(name: String, optimizer: any Optimizer)] {
        [("discriminator", Adam(model.discriminator.namedParameters(), learningRate: options.learningRate, betas: options.betas)),
         ("generator", Adam(model.generator.namedParameters(), learningRate: options.learningRate, betas: options.betas))]
    }

    /// The dropout generators' states.
    public var randomStates: [String: UInt64] {
        get { ["dropout1": model.discriminator.dropout1.generator.state, "dropout2": model.discriminator.dropout2.generator.state] }
        set {
            if let s = newValue["dropout1"] { model.discriminator.dropout1.generator = SplitMix64(seed: s) }
            if let s = newValue["dropout2"] { model.discriminator.dropout2.generator = SplitMix64(seed: s) }
        }
    }

    /// The discriminator's loss on real pictures and pictures generated from `noise`.
    public func discriminatorLoss(real: Tensor, noise: Tensor) throws -> Tensor {
        let fake = try noGrad { try model.generator(noise) }
        let n = real.shape[0]
        return try binaryCrossEntropyWithLogits(logits: model.discriminator(real), targets: Tensor.ones([n, 1]))
            + binaryCrossEntropyWithLogits(logits: model.discriminator(fake), targets: Tensor.zeros([fake.shape[0], 1]))
    }

    /// The generator's loss: BCE(D(G(noise)), 1).
    public func generatorLoss(noise: Tensor) throws -> Tensor {
        try binaryCrossEntropyWithLogits(logits: model.discriminator(model.generator(noise)), targets: Tensor.ones([noise.shape[0], 1]))
    }

    /// Real batch: distinct indices (`BatchSampling.distinctIndices`), then noise, then the
    /// generator's noise. Data-parallel: the global batch's indices and noise are drawn on every
    /// rank and each scores its rows, both losses weighted by their share of the batch; both
    /// optimizers' gradients are averaged (the trainer's gradient hook runs per optimizer). The
    /// generator's BatchNorm normalises with this rank's rows' statistics (as PyTorch's DDP without
    /// SyncBatchNorm); the running statistics are averaged over the ranks after every step.
    public func trainStep(_ step: TrainingStep) throws {
        let n = model.config.batchSize
        let shard = step.shard
        let rows = try shard.rows(ofBatch: n)
        try step.optimize("discriminator") { rng in
            let indices = BatchSampling.distinctIndices(n, from: pictures.shape[0], using: &rng)
            let noise = model.noise(count: n, using: &rng)
            let real = try pictures.indexSelect(axis: 0, indices: Array(indices[rows]))
            let loss = try discriminatorLoss(real: real, noise: shard.slice(noise, rows: rows))
            return shard.weighted(loss, local: rows.count, global: n)
        }
        try step.optimize("generator") { rng in
            let noise = model.noise(count: n, using: &rng)
            return shard.weighted(try generatorLoss(noise: shard.slice(noise, rows: rows)), local: rows.count, global: n)
        }
        let done = step.index + 1
        if sampleEvery > 0, done % sampleEvery == 0, let sampleDirectory, shard.isPrimary {
            let path = sampleDirectory.appendingPathComponent(String(format: "step-%06d.png", done)).path
            try writeSamples(to: path)
            samplesWritten.append(path)
        }
    }

    /// Writes the grid of pictures from the fixed noise (evaluation mode) to `path`.
    /// - Throws: `ImageError` from the PNG writer.
    public func writeSamples(to path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        let images = try model.generate(noise: model.fixedNoise(count: sampleGrid.rows * sampleGrid.columns))
        try ImageGrid.write(tensor: images, rows: sampleGrid.rows, columns: sampleGrid.columns, to: path)
    }

    /// `discriminator_loss` and `generator_loss` on one batch of held-out pictures (evaluation
    /// mode: no dropout, running statistics) and noise from a fixed seed; `d_real` and `d_fake`,
    /// the mean probability the discriminator gives real and generated pictures.
    public func evaluate() throws -> Metrics {
        let source = heldOut ?? pictures
        let n = min(source.shape[0], model.config.batchSize)
        let real = try source.narrow(axis: 0, start: 0, length: n)
        var rng = SplitMix64(seed: model.config.seed ^ 0xE7A1)
        let noise = model.noise(count: n, using: &rng)
        return try noGrad {
            let dReal = try model.discriminator(real), dFake = try model.discriminator(model.generator(noise))
            let ones = Tensor.ones([n, 1]), zeros = Tensor.zeros([n, 1])
            let d = try binaryCrossEntropyWithLogits(logits: dReal, targets: ones) + binaryCrossEntropyWithLogits(logits: dFake, targets: zeros)
            let g = try binaryCrossEntropyWithLogits(logits: dFake, targets: ones)
            return Metrics(["discriminator_loss": Double(d.item()), "generator_loss": Double(g.item()),
                            "d_real": Double(dReal.sigmoid().mean().item()), "d_fake": Double(dFake.sigmoid().mean().item())])
        }
    }
}

extension DCGAN {
    /// The `dcgan` bundle kind: `muse sample`, `muse interpolate`, `muse evaluate`.
    public static let bundleKind = BundleKind(name: DCGANConfig.bundleKind, summary: "DCGAN (TensorFlow tutorial) on pictures",
                                              capabilities: [.sample, .interpolate, .evaluate]) { try load(bundle: $0) }

    /// Loads an opened bundle (evaluation mode).
    /// - Throws: `TrainingError` naming the field or tensor that does not fit, `ImageError` for a bad config.
    public static func load(bundle: ModelBundle) throws -> DCGAN {
        let model = try DCGAN(config: bundle.config(DCGANConfig.self))
        try bundle.loadWeights(into: model)
        model.train(false)
        return model
    }
}

extension DCGANTrainingTask {
    /// The real pictures every step of a plain run trains on, replaying `trainStep`'s draws from
    /// the trainer's data generator (a fresh run starts it at `SplitMix64(seed: options.seed)`):
    /// per step the batch's distinct indices, the discriminator's noise, the generator's noise.
    /// Lets a peer (bench-dcgan's PyTorch side) train on the same data order. One process, no
    /// gradient accumulation (each would change the draws).
    /// - Parameters:
    ///   - steps: steps to replay.
    ///   - config: the model's config (`batchSize`, `noiseSize`).
    ///   - pictureCount: pictures in the training set (`pictures.shape[0]`).
    ///   - generator: the data generator before the first step; left where the trainer's is after `steps` steps.
    /// - Returns: [steps][batchSize] indices into the training pictures, in batch order.
    public static func batchIndices(steps: Int, config: DCGANConfig, pictureCount: Int,
                                    generator: inout SplitMix64) -> [[Int]] {
        let n = config.batchSize
        return (0..<max(steps, 0)).map { _ in
            // The same draws, in the same order, as trainStep's two optimize closures.
            let indices = BatchSampling.distinctIndices(n, from: pictureCount, using: &generator)
            _ = Tensor.randn([n, config.noiseSize], using: &generator)
            _ = Tensor.randn([n, config.noiseSize], using: &generator)
            return indices
        }
    }
}
