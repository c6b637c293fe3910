import Foundation
import MuseCore
import MuseTraining

/// The image VAE as a `TrainingTask`: each step draws `batchSize` distinct training pictures and
/// ε from the trainer's data generator and minimises −ELBO (reported as `loss`, with `kl`). Every
/// `sampleEvery` steps it writes `samples/step-<N>.png` (decoded from fixed latents) and
/// `samples/reconstructions-<N>.png` (held-out pictures above their reconstructions).
public final class ImageVAETrainingTask: LossTrainingTask {
    /// The model.
    public let model: ImageVAE
    /// Training pictures [count, channels, size, size] in [0, 1].
    public let pictures: Tensor
    /// Held-out pictures (the first training ones when `nil`).
    public let heldOut: Tensor?
    /// Folder for the progress grids, or `nil`.
    public let sampleDirectory: URL?
    /// Steps between progress grids (0 = none).
    public let sampleEvery: Int
    /// Paths of the grids written so far in this process.
    public private(set) var samplesWritten: [String] = []
    private var lastStepKL = 0.0
    public var module: any Module { model }
    public var bundleKind: String { ImageVAEConfig.bundleKind }

    /// - Throws: `ImageError.invalidArgument` when the pictures do not have the model's shape or
    ///   are fewer than a batch.
    public init(model: ImageVAE, pictures: Tensor, heldOut: Tensor? = nil, sampleDirectory: URL? = nil, sampleEvery: Int = 0) throws {
        let c = model.config
        for (name, t) in [("pictures", pictures), ("held-out pictures", heldOut)] {
            guard let t else { continue }
            guard t.rank == 4, Array(t.shape[1...]) == [c.channels, c.imageSize, c.imageSize] else {
                throw ImageError.invalidArgument(name: name, value: "\(t.shape)", reason: "must be [n, \(c.channels), \(c.imageSize), \(c.imageSize)]")
            }
        }
        guard pictures.shape[0] >= c.batchSize else {
            throw ImageError.invalidArgument(name: "pictures", value: "\(pictures.shape[0])", reason: "fewer than one batch of \(c.batchSize)")
        }
        (self.model, self.pictures, self.heldOut, self.sampleDirectory, self.sampleEvery) = (model, pictures, heldOut, sampleDirectory, sampleEvery)
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public var runSettings: [String: String] { ["batchSize": String(model.config.batchSize)] }

    /// Distinct indices (`BatchSampling.distinctIndices`), then ε ~ N(0, I), from `generator`.
    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The global batch's indices and ε from `generator`, of which `shard`'s rows are scored; the
    /// loss (and the reported KL) weighted by their share of the batch.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let indices = BatchSampling.distinctIndices(model.config.batchSize, from: pictures.shape[0], using: &generator)
        let allEpsilon = Tensor.randn([indices.count, model.config.zSize], using: &generator)
        let rows = try shard.rows(ofBatch: indices.count)
        let batch = try pictures.indexSelect(axis: 0, indices: Array(indices[rows]))
        let epsilon = try shard.slice(allEpsilon, rows: rows)
        let (total, _, kl) = try model.loss(pictures: batch, epsilon: epsilon)
        lastStepKL = Double(kl.item()) * Double(shard.weight(local: rows.count, global: indices.count))
        return shard.weighted(total, local: rows.count, global: indices.count)
    }

    public func trainStep(_ step: TrainingStep) throws {
        try step.optimize { try self.trainingLoss(using: &$0, shard: step.shard) }
        step.report("kl", lastStepKL)
        let done = step.index + 1
        if sampleEvery > 0, done % sampleEvery == 0, let sampleDirectory, step.shard.isPrimary {
            let samples = sampleDirectory.appendingPathComponent(String(format: "step-%06d.png", done)).path
            let reconstructions = sampleDirectory.appendingPathComponent(String(format: "reconstructions-%06d.png", done)).path
            try writeSamples(to: samples, rows: 8, columns: 8)
            try writeReconstructions(to: reconstructions, columns: 8)
            samplesWritten += [samples, reconstructions]
        }
    }

    /// Writes a grid of pictures decoded from the run's fixed latents.
    /// - Throws: `ImageError` from the PNG writer.
    public func writeSamples(to path: String, rows: Int, columns: Int) throws {
        var rng = SplitMix64(seed: model.config.seed ^ 0xF1ED_5EED)
        try ImageVAETrainingTask.writeGrid(model.sample(count: rows * columns, using: &rng), rows: rows, columns: columns, to: path)
    }

    /// Writes two rows per group: `columns` held-out pictures, then their reconstructions (4 pairs of rows).
    /// - Throws: `ImageError` from the PNG writer.
    public func writeReconstructions(to path: String, columns: Int) throws {
        let source = heldOut ?? pictures
        let n = min(source.shape[0], 4 * columns)
        let originals = try source.narrow(axis: 0, start: 0, length: n)
        try ImageVAETrainingTask.writeReconstructions(of: originals, model: model, columns: columns, to: path)
    }

    /// Writes `originals` ([n, c, s, s] in [0, 1]) row by row, each row of `columns` followed by
    /// the row of their reconstructions.
    /// - Throws: `ImageError` or `TensorError`.
    public static func writeReconstructions(of originals: Tensor, model: ImageVAE, columns: Int, to path: String) throws {
        let recon = try model.reconstruct(originals)
        let n = originals.shape[0], rows = (n + columns - 1) / columns
        var parts: [Tensor] = []
        for row in 0..<rows {
            let start = row * columns, length = min(columns, n - start)
            guard length == columns else { break }
            parts += [try originals.narrow(axis: 0, start: start, length: length), try recon.narrow(axis: 0, start: start, length: length)]
        }
        guard !parts.isEmpty else { throw ImageError.invalidArgument(name: "pictures", value: "\(n)", reason: "fewer than one row of \(columns)") }
        try writeGrid(Tensor.concat(parts, axis: 0), rows: parts.count, columns: columns, to: path)
    }

    /// Writes a [rows·columns, c, s, s] tensor in [0, 1] as a PNG grid, making the folder.
    /// - Throws: `ImageError`.
    public static func writeGrid(_ pictures: Tensor, rows: Int, columns: Int, to path: String) throws {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try ImageGrid.write(tensor: pictures, rows: rows, columns: columns, to: path, valueRange: 0...1)
    }

    /// `loss` (−ELBO, nats per picture, one fixed ε draw), `reconstruction`, `kl`, over up to
    /// 1024 held-out pictures.
    public func evaluate() throws -> Metrics {
        let source = heldOut ?? pictures
        let n = min(source.shape[0], 1024)
        var rng = SplitMix64(seed: model.config.seed ^ 0xE7A1)
        var total = 0.0, recon = 0.0, kl = 0.0
        try noGrad {
            for start in stride(from: 0, to: n, by: 256) {
                let x = try source.narrow(axis: 0, start: start, length: min(256, n - start))
                let l = try model.loss(pictures: x, epsilon: Tensor.randn([x.shape[0], model.config.zSize], using: &rng))
                let w = Double(x.shape[0])
                total += Double(l.total.item()) * w; recon += Double(l.reconstruction.item()) * w; kl += Double(l.kl.item()) * w
            }
        }
        return Metrics(["loss": total / Double(n), "reconstruction": recon / Double(n), "kl": kl / Double(n)])
    }
}

extension ImageVAE {
    /// The `image-vae` bundle kind: `muse sample`, `muse interpolate`, `muse evaluate`.
    public static let bundleKind = BundleKind(name: ImageVAEConfig.bundleKind, summary: "convolutional VAE on pictures (Bernoulli likelihood)",
                                              capabilities: [.sample, .interpolate, .evaluate]) { try load(bundle: $0) }

    /// Loads an opened bundle (evaluation mode).
    /// - Throws: `TrainingError` naming the field or tensor that does not fit, `ImageError` for a bad config.
    public static func load(bundle: ModelBundle) throws -> ImageVAE {
        let model = try ImageVAE(config: bundle.config(ImageVAEConfig.self))
        try bundle.loadWeights(into: model)
        model.train(false)
        return model
    }
}
