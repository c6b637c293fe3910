import Foundation
import MuseCore
import MuseTraining

/// A small CNN classifier (`config.architecture`): by default two blocks of [3×3 conv → BN →
/// ReLU → 2×2 max-pool] (32 then 64 channels; 28 → 14 → 7), Flatten → Dense(128) → ReLU (the
/// features) → Dropout → Dense(classes). Pictures in [−1, 1] (the generators' range).
public final class ImageClassifier: Module {
    /// Sizes and settings.
    public let config: ImageClassifierConfig
    /// The 3×3 convolutions in order (2 pooled, 4 strided), each followed by its batch norm in `norms`.
    public let convs: [Conv2d], norms: [BatchNorm2d]
    /// 2×2 max-pool after each convolution of the pooled plan.
    let pool = MaxPool2d(size: 2)
    public let fc1: Linear, dropout: Dropout, fc2: Linear
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        var list: [(name: String, module: any Module)] = []
        for (i, (conv, norm)) in zip(convs, norms).enumerated() { list += [("conv\(i + 1)", conv), ("bn\(i + 1)", norm)] }
        return list + [("fc1", fc1), ("dropout", dropout), ("fc2", fc2)]
    }

    /// PyTorch-initialised layers drawn from `config.seed`.
    /// - Throws: `ImageError.invalidArgument` for a config the network cannot take.
    public init(config: ImageClassifierConfig) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        let (a, b) = (config.convChannels[0], config.convChannels[1]), s = config.imageSize / 4
        func conv(_ i: Int, _ o: Int, stride: Int = 1) -> Conv2d {
            Conv2d(inChannels: i, outChannels: o, kernelSize: 3, stride: Size2D(stride, stride), padding: 1, bias: false, using: &rng)
        }
        switch config.architecture {
        case .pooled:
            convs = [conv(config.channels, a), conv(a, b)]
        case .strided:
            convs = [conv(config.channels, a), conv(a, a, stride: 2), conv(a, b), conv(b, b, stride: 2)]
        }
        norms = convs.map { BatchNorm2d(numFeatures: $0.weight.shape[0]) }
        fc1 = Linear(inFeatures: b * s * s, outFeatures: config.featureSize, using: &rng)
        dropout = Dropout(probability: config.dropout, seed: config.seed &+ 0xD0)
        fc2 = Linear(inFeatures: config.featureSize, outFeatures: config.classes, using: &rng)
    }

    /// Names of the conv → BN → ReLU layers, first first: `conv1`, `conv2` (pooled) or `conv1` … `conv4` (strided).
    public var layerNames: [String] { (1...convs.count).map { "conv\($0)" } }

    /// Output channels of each layer of `layerNames`.
    public var layerChannels: [Int] { convs.map { $0.weight.shape[0] } }

    /// The activations after layer `index`'s ReLU (the pooled plan pools between layers, as `features`).
    /// - Parameter pictures: [N, channels, h, w] in [−1, 1], any h, w the layers take.
    /// - Throws: `ImageError.invalidArgument` for an index outside `layerNames`; `TensorError` for a wrong input shape.
    public func activations(_ pictures: Tensor, throughLayer index: Int) throws -> Tensor {
        guard convs.indices.contains(index) else {
            throw ImageError.invalidArgument(name: "layer", value: "\(index)", reason: "must be in 0..<\(convs.count)")
        }
        var x = pictures
        for i in 0...index {
            if i > 0, config.architecture == .pooled { x = try pool(x) }
            x = try norms[i](convs[i](x)).relu()
        }
        return x
    }

    /// - Parameter pictures: [N, channels, size, size] in [−1, 1]
    /// - Returns: the penultimate activations [N, featureSize] (after ReLU).
    /// - Throws: `TensorError` for a wrong input shape.
    public func features(_ pictures: Tensor) throws -> Tensor {
        var x = pictures
        for (conv, norm) in zip(convs, norms) {
            x = try norm(conv(x)).relu()
            if config.architecture == .pooled { x = try pool(x) }
        }
        return try fc1(x.flatten(startAxis: 1)).relu()
    }

    /// - Returns: class logits [N, classes].
    /// - Throws: `TensorError` for a wrong input shape.
    public func callAsFunction(_ pictures: Tensor) throws -> Tensor {
        try fc2(dropout(features(pictures)))
    }

    /// Features and predicted classes of `pictures` in evaluation mode, in batches of `batchSize`,
    /// without gradients; restores the mode.
    /// - Returns: features [N, featureSize] and the argmax class of each picture.
    /// - Throws: `TensorError` for a wrong input shape.
    public func featuresAndPredictions(_ pictures: Tensor, batchSize: Int = 500) throws -> (features: Tensor, predictions: [Int]) {
        let was = isTraining
        train(false)
        defer { train(was) }
        var values: [Float] = [], predictions: [Int] = []
        let n = pictures.shape[0]
        try noGrad {
            for start in stride(from: 0, to: n, by: max(1, batchSize)) {
                let x = try pictures.narrow(axis: 0, start: start, length: min(batchSize, n - start))
                let f = try features(x)
                let logits = try fc2(f)
                values += f.scalars
                predictions += try logits.argmax(axis: 1).scalars.map { Int($0) }
            }
        }
        return (try Tensor(values, shape: [n, config.featureSize]), predictions)
    }

    /// The `image-classifier` bundle kind: `muse evaluate` uses it for Fréchet distances.
    public static let bundleKind = BundleKind(name: ImageClassifierConfig.bundleKind, summary: "small CNN picture classifier (Fréchet-distance features)",
                                              capabilities: [.evaluate]) { try load(bundle: $0) }

    /// Loads an opened bundle (evaluation mode).
    /// - Throws: `TrainingError` naming the field or tensor that does not fit, `ImageError` for a bad config.
    public static func load(bundle: ModelBundle) throws -> ImageClassifier {
        let model = try ImageClassifier(config: bundle.config(ImageClassifierConfig.self))
        try bundle.loadWeights(into: model)
        model.train(false)
        return model
    }
}

/// The classifier as a `LossTrainingTask`: cross-entropy on `batchSize` distinct training
/// pictures per step (with a random horizontal flip when `flip`, and a random shift of up to
/// `maxShift` pixels along each axis, the uncovered border filled with −1, the background);
/// evaluation reports the test `accuracy` and `loss`.
public final class ImageClassifierTrainingTask: LossTrainingTask {
    /// The model.
    public let model: ImageClassifier
    /// Training pictures [n, c, s, s] in [−1, 1] and their labels.
    public let pictures: Tensor, labels: [Int]
    /// Test pictures and labels.
    public let testPictures: Tensor, testLabels: [Int]
    /// Mirror half of each batch left–right (Fashion-MNIST's classes are symmetric).
    public let flip: Bool
    /// Largest random shift along each axis, in pixels (0: none).
    public let maxShift: Int
    public var module: any Module { model }
    public var bundleKind: String { ImageClassifierConfig.bundleKind }

    /// - Throws: `ImageError.invalidArgument` when counts of pictures and labels differ, a label is
    ///   out of range or `maxShift` is negative or not below the picture size.
    public init(model: ImageClassifier, pictures: Tensor, labels: [Int], testPictures: Tensor, testLabels: [Int], flip: Bool = true,
                maxShift: Int = 0) throws {
        guard maxShift >= 0, maxShift < model.config.imageSize else {
            throw ImageError.invalidArgument(name: "maxShift", value: "\(maxShift)", reason: "must be in 0..<\(model.config.imageSize)")
        }
        guard pictures.shape[0] == labels.count, testPictures.shape[0] == testLabels.count, labels.count >= model.config.batchSize else {
            throw ImageError.invalidArgument(name: "labels", value: "\(labels.count)", reason: "must match the pictures and fill a batch")
        }
        guard (labels + testLabels).allSatisfy({ (0..<model.config.classes).contains($0) }) else {
            throw ImageError.invalidArgument(name: "labels", value: "…", reason: "must be in 0..<\(model.config.classes)")
        }
        (self.model, self.pictures, self.labels, self.testPictures, self.testLabels) = (model, pictures, labels, testPictures, testLabels)
        (self.flip, self.maxShift) = (flip, maxShift)
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public var randomStates: [String: UInt64] {
        get { ["dropout": model.dropout.generator.state] }
        set { if let s = newValue["dropout"] { model.dropout.generator = SplitMix64(seed: s) } }
    }

    /// Distinct indices, then one flip coin per picture, then (with `maxShift`) one shift per
    /// picture and axis, from `generator`.
    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The global batch's indices and flip coins from `generator`, of which `shard`'s rows are
    /// scored, weighted by their share of the batch. The BatchNorm layers normalise with the
    /// statistics of this rank's rows (not the global batch's), as PyTorch's DDP without SyncBatchNorm.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let all = BatchSampling.distinctIndices(model.config.batchSize, from: labels.count, using: &generator)
        let allCoins = flip ? all.map { _ in generator.next() & 1 == 1 } : []
        let rows = try shard.rows(ofBatch: all.count)
        let indices = Array(all[rows])
        let batch = try pictures.indexSelect(axis: 0, indices: indices)
        if flip {
            let coins = Array(allCoins[rows])
            let side = model.config.imageSize, plane = side * side, perPicture = model.config.channels * plane
            batch.withUnsafeMutableBufferPointer { p in
                for (i, coin) in coins.enumerated() where coin {
                    for row in 0..<(perPicture / side) {
                        let base = i * perPicture + row * side
                        for x in 0..<(side / 2) { p.swapAt(base + x, base + side - 1 - x) }
                    }
                }
            }
        }
        if maxShift > 0 {
            // Shifts are drawn for the whole global batch (every rank draws the same values), then sliced.
            let span = UInt64(2 * maxShift + 1)
            let allShifts = all.map { _ in (Int(generator.next() % span) - maxShift, Int(generator.next() % span) - maxShift) }
            let shifts = Array(allShifts[rows])
            batch.withUnsafeMutableBufferPointer { p in Self.shift(p, shifts: shifts, channels: model.config.channels, side: model.config.imageSize) }
        }
        let loss = try crossEntropy(logits: model(batch), targets: indices.map { labels[$0] })
        return shard.weighted(loss, local: indices.count, global: all.count)
    }

    /// Moves picture i of `pictures` ([n, channels, side, side]) by `shifts[i]` = (dy, dx) pixels
    /// (positive: down, right), filling the uncovered rows and columns with −1.
    static func shift(_ pictures: UnsafeMutableBufferPointer<Float>, shifts: [(Int, Int)], channels: Int, side: Int) {
        var plane = [Float](repeating: 0, count: side * side)
        for (i, (dy, dx)) in shifts.enumerated() where dy != 0 || dx != 0 {
            for c in 0..<channels {
                let base = (i * channels + c) * side * side
                for k in 0..<(side * side) { plane[k] = pictures[base + k] }
                for y in 0..<side {
                    let sy = y - dy
                    for x in 0..<side {
                        let sx = x - dx
                        pictures[base + y * side + x] = (0..<side).contains(sy) && (0..<side).contains(sx) ? plane[sy * side + sx] : -1
                    }
                }
            }
        }
    }

    /// `accuracy` (fraction of test pictures classified right) and `loss` (mean cross-entropy).
    public func evaluate() throws -> Metrics {
        var correct = 0, loss = 0.0
        let n = testLabels.count
        try noGrad {
            for start in stride(from: 0, to: n, by: 500) {
                let length = min(500, n - start)
                let logits = try model(testPictures.narrow(axis: 0, start: start, length: length))
                let targets = Array(testLabels[start..<(start + length)])
                loss += Double(try crossEntropy(logits: logits, targets: targets).item()) * Double(length)
                correct += zip(try logits.argmax(axis: 1).scalars, targets).filter { Int($0) == $1 }.count
            }
        }
        return Metrics(["accuracy": Double(correct) / Double(max(n, 1)), "loss": loss / Double(max(n, 1))])
    }
}
