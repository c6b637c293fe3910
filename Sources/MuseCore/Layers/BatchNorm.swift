import Foundation

// Batch normalisation (`torch.nn.functional.batch_norm`, `nn.BatchNorm1d`, `nn.BatchNorm2d`):
// a fused kernel over the input viewed as [N, C, L] (L = product of the spatial axes, 1 for
// [N, C]), forward and backward side by side, parallel over channels.

extension Tensor {
    /// Normalises each channel (axis 1) by batch statistics (`training`) or by the running ones,
    /// then applies the per-channel affine `weight`, `bias`, as `torch.nn.functional.batch_norm`.
    ///
    /// In training the statistics are the mean and biased variance over every axis but 1, and
    /// `runningMean`/`runningVariance` (if given) are updated in place:
    /// `running = (1 − momentum)·running + momentum·batch`, with the *unbiased* batch variance.
    /// - Parameters:
    ///   - weight, bias: γ, β [C] or `nil` (then 1 and 0).
    ///   - runningMean, runningVariance: [C] buffers; required when `training` is `false`.
    ///   - epsilon: added to the variance (PyTorch default 1e-5).
    /// - Returns: `self`'s shape, [N, C, …].
    /// - Throws: `TensorError.invalidShape` for rank < 2 or (training) a single value per channel;
    ///   `shapeMismatch` if a [C] tensor has another size; `invalidArgument` without running
    ///   statistics in evaluation.
    public func batchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVariance: Tensor?,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) throws -> Tensor {
        let op = "batch_norm"
        guard rank >= 2 else { throw TensorError.invalidShape(op: op, shape: shape, reason: "expected [N, C, …]") }
        let n = shape[0], c = shape[1], l = shape[2...].reduce(1, *), m = n * l
        for t in [weight, bias, runningMean, runningVariance] {
            if let t, t.shape != [c] { throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: t.shape) }
        }
        if training && m <= 1 {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "expected more than 1 value per channel when training")
        }
        guard training || (runningMean != nil && runningVariance != nil) else {
            throw TensorError.invalidArgument(op: op, reason: "evaluation needs running mean and variance")
        }
        let x = self
        var means = [Float](repeating: 0, count: c), invStds = [Float](repeating: 0, count: c)
        let px = x.storage.pointer
        let out = Tensor(uninitializedShape: shape)
        let po = out.storage.pointer
        let pw = weight?.storage.pointer, pb = bias?.storage.pointer
        let prm = runningMean?.storage.pointer, prv = runningVariance?.storage.pointer
        means.withUnsafeMutableBufferPointer { meanBuf in
            invStds.withUnsafeMutableBufferPointer { invBuf in
                let pm = meanBuf.baseAddress!, pi = invBuf.baseAddress!
                if l == 1 {
                    // [N, C] (after a dense layer): a channel's values are a column, C apart. Walk
                    // the rows and keep the channels' sums side by side, in the same order and
                    // precision as the per-channel loop below (which would jump C floats per value).
                    Parallel.forEachChunk(count: c, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n, 1))) { range in
                        BatchNormColumns.forward(px, po, n: n, c: c, channels: range, training: training, momentum: momentum, epsilon: epsilon,
                                                 weight: pw, bias: pb, runningMean: prm, runningVariance: prv, means: pm, invStds: pi)
                    }
                    return
                }
                Parallel.forEachChunk(count: c, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(m, 1))) { range in
                    for ch in range {
                        var mean: Float, variance: Float
                        if training {
                            var sum: Double = 0
                            for b in 0..<n { sum += Double(BatchNormLanes.sum(px + (b * c + ch) * l, l)) }
                            let mu = sum / Double(m)
                            var sq: Double = 0
                            for b in 0..<n { sq += Double(BatchNormLanes.squaredDeviations(px + (b * c + ch) * l, l, from: Float(mu))) }
                            mean = Float(mu)
                            variance = Float(sq / Double(m))
                            if let prm, let prv {
                                prm[ch] = (1 - momentum) * prm[ch] + momentum * mean
                                prv[ch] = (1 - momentum) * prv[ch] + momentum * Float(sq / Double(m - 1))
                            }
                        } else {
                            mean = prm![ch]
                            variance = prv![ch]
                        }
                        let inv = 1 / (variance + epsilon).squareRoot()
                        pm[ch] = mean
                        pi[ch] = inv
                        let scale = inv * (pw?[ch] ?? 1), shift = (pb?[ch] ?? 0) - mean * scale
                        for b in 0..<n {
                            let p = px + (b * c + ch) * l, q = po + (b * c + ch) * l
                            for i in 0..<l { q[i] = p[i] * scale + shift }
                        }
                    }
                }
            }
        }
        let inputs: [Tensor] = [x] + [weight, bias].compactMap { $0 }
        return Tensor.record(out, op, inputs) { g, _ in
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
            let dw = Tensor(uninitializedShape: [c]), db = Tensor(uninitializedShape: [c])
            let pg = g.storage.pointer, pdx = dx?.storage.pointer
            let pdw = dw.storage.pointer, pdb = db.storage.pointer
            if l == 1 {
                means.withUnsafeBufferPointer { pm in
                    invStds.withUnsafeBufferPointer { pi in
                        Parallel.forEachChunk(count: c, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n, 1))) { range in
                            BatchNormColumns.backward(pg, px, pdx, n: n, c: c, channels: range, training: training, weight: pw,
                                                      means: pm.baseAddress!, invStds: pi.baseAddress!, weightGrad: pdw, biasGrad: pdb)
                        }
                    }
                }
            } else {
                Parallel.forEachChunk(count: c, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(m, 1))) { range in
                    for ch in range {
                        let mean = means[ch], inv = invStds[ch]
                        // Σ g and Σ g·x̂ over the channel.
                        var sumG: Double = 0, sumGX: Double = 0
                        for b in 0..<n {
                            let (s1, s2) = BatchNormLanes.sumAndDot(pg + (b * c + ch) * l, px + (b * c + ch) * l, l, centre: mean)
                            sumG += Double(s1)
                            sumGX += Double(s2)
                        }
                        let dBias = Float(sumG), dWeight = Float(sumGX) * inv
                        pdb[ch] = dBias
                        pdw[ch] = dWeight
                        guard let pdx else { continue }
                        let gamma = pw?[ch] ?? 1
                        if training {
                            // dx = γ·inv/M · (M·g − Σg − x̂·Σ(g·x̂))
                            let k = gamma * inv, meanG = dBias / Float(m), meanGX = dWeight / Float(m)
                            for b in 0..<n {
                                let p = px + (b * c + ch) * l, q = pg + (b * c + ch) * l, d = pdx + (b * c + ch) * l
                                for i in 0..<l { d[i] = k * (q[i] - meanG - (p[i] - mean) * inv * meanGX) }
                            }
                        } else {
                            let k = gamma * inv
                            for b in 0..<n {
                                let q = pg + (b * c + ch) * l, d = pdx + (b * c + ch) * l
                                for i in 0..<l { d[i] = k * q[i] }
                            }
                        }
                    }
                }
            }
            var result: [Tensor?] = [dx]
            if let weight { result.append(weight.requiresGrad ? dw : nil) }
            if let bias { result.append(bias.requiresGrad ? db : nil) }
            return result
        }
    }
}

/// Batch norm of [N, C] input (one value per channel and sample) for a range of channels, walking
/// the rows: each row's channels are contiguous, so the loops run along memory. Every value goes
/// through the same float and double operations, summed over the samples in the same order, as
/// the per-channel loop, so the results are the same bits.
enum BatchNormColumns {
    static func forward(_ px: UnsafeMutablePointer<Float>, _ po: UnsafeMutablePointer<Float>, n: Int, c: Int, channels: Range<Int>,
                        training: Bool, momentum: Float, epsilon: Float, weight pw: UnsafeMutablePointer<Float>?,
                        bias pb: UnsafeMutablePointer<Float>?, runningMean prm: UnsafeMutablePointer<Float>?,
                        runningVariance prv: UnsafeMutablePointer<Float>?,
                        means pm: UnsafeMutablePointer<Float>, invStds pi: UnsafeMutablePointer<Float>) {
        let lo = channels.lowerBound, width = channels.count
        let scale = UnsafeMutablePointer<Float>.allocate(capacity: 2 * width)
        let shift = scale + width
        defer { scale.deallocate() }
        if training {
            let sums = UnsafeMutablePointer<Double>.allocate(capacity: width)
            defer { sums.deallocate() }
            sums.initialize(repeating: 0, count: width)
            for b in 0..<n { let row = px + b * c + lo; for j in 0..<width { sums[j] += Double(row[j]) } }
            for j in 0..<width { pm[lo + j] = Float(sums[j] / Double(n)) }
            sums.initialize(repeating: 0, count: width)
            for b in 0..<n {
                let row = px + b * c + lo
                for j in 0..<width { let d = row[j] - pm[lo + j]; sums[j] += Double(d * d) }
            }
            for j in 0..<width {
                let ch = lo + j
                let variance = Float(sums[j] / Double(n))
                if let prm, let prv {
                    prm[ch] = (1 - momentum) * prm[ch] + momentum * pm[ch]
                    prv[ch] = (1 - momentum) * prv[ch] + momentum * Float(sums[j] / Double(n - 1))
                }
                pi[ch] = 1 / (variance + epsilon).squareRoot()
            }
        } else {
            for j in 0..<width {
                pm[lo + j] = prm![lo + j]
                pi[lo + j] = 1 / (prv![lo + j] + epsilon).squareRoot()
            }
        }
        for j in 0..<width {
            let ch = lo + j
            scale[j] = pi[ch] * (pw?[ch] ?? 1)
            shift[j] = (pb?[ch] ?? 0) - pm[ch] * scale[j]
        }
        for b in 0..<n {
            let p = px + b * c + lo, q = po + b * c + lo
            for j in 0..<width { q[j] = p[j] * scale[j] + shift[j] }
        }
    }

    static func backward(_ pg: UnsafeMutablePointer<Float>, _ px: UnsafeMutablePointer<Float>, _ pdx: UnsafeMutablePointer<Float>?,
                         n: Int, c: Int, channels: Range<Int>, training: Bool, weight pw: UnsafeMutablePointer<Float>?,
                         means pm: UnsafePointer<Float>, invStds pi: UnsafePointer<Float>,
                         weightGrad pdw: UnsafeMutablePointer<Float>, biasGrad pdb: UnsafeMutablePointer<Float>) {
        let lo = channels.lowerBound, width = channels.count
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 2 * width)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: 2 * width)
        let sumG = sums, sumGX = sums + width
        for b in 0..<n {
            let q = pg + b * c + lo, p = px + b * c + lo
            for j in 0..<width {
                sumG[j] += Double(q[j])
                sumGX[j] += Double(q[j] * (p[j] - pm[lo + j]))
            }
        }
        let k = UnsafeMutablePointer<Float>.allocate(capacity: 3 * width)
        defer { k.deallocate() }
        let meanG = k + width, meanGX = k + 2 * width
        for j in 0..<width {
            let ch = lo + j, inv = pi[ch]
            let dBias = Float(sumG[j]), dWeight = Float(sumGX[j]) * inv
            pdb[ch] = dBias
            pdw[ch] = dWeight
            k[j] = (pw?[ch] ?? 1) * inv
            meanG[j] = dBias / Float(n)
            meanGX[j] = dWeight / Float(n)
        }
        guard let pdx else { return }
        for b in 0..<n {
            let p = px + b * c + lo, q = pg + b * c + lo, d = pdx + b * c + lo
            if training {
                for j in 0..<width { d[j] = k[j] * (q[j] - meanG[j] - (p[j] - pm[lo + j]) * pi[lo + j] * meanGX[j]) }
            } else {
                for j in 0..<width { d[j] = k[j] * q[j] }
            }
        }
    }
}

/// The per-row reductions of batch norm in 8 float lanes (a scalar running sum waits on each
/// add's latency; lanes keep several adds in flight). Rows are a channel's values in one sample.
enum BatchNormLanes {
    /// Σ p[i] over `count` values.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }

    /// Σ (p[i] − centre)² over `count` values.
    @inline(__always)
    static func squaredDeviations(_ p: UnsafePointer<Float>, _ count: Int, from centre: Float) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        let m = SIMD8<Float>(repeating: centre)
        while i + 8 <= count {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - m
            lanes += d * d
            i += 8
        }
        var total = lanes.sum()
        while i < count { let d = p[i] - centre; total += d * d; i += 1 }
        return total
    }

    /// (Σ g[i], Σ g[i]·(x[i] − centre)) over `count` values.
    @inline(__always)
    static func sumAndDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, centre: Float) -> (Float, Float) {
        var s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), i = 0
        let m = SIMD8<Float>(repeating: centre)
        while i + 8 <= count {
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
            s1 += gv
            s2 += gv * (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m)
            i += 8
        }
        var a = s1.sum(), b = s2.sum()
        while i < count { a += g[i]; b += g[i] * (x[i] - centre); i += 1 }
        return (a, b)
    }
}

/// Shared state and forward pass of `BatchNorm1d` and `BatchNorm2d`.
public class BatchNormBase: Layer {
    /// Number of channels C (axis 1 of the input).
    public let numFeatures: Int
    /// Added to the variance (PyTorch default 1e-5).
    public let epsilon: Float
    /// Weight of the newest batch in the running statistics (PyTorch default 0.1).
    public let momentum: Float
    /// γ [C] (ones at start), or `nil` without affine parameters.
    public let weight: Tensor?
    /// β [C] (zeros at start), or `nil`.
    public let bias: Tensor?
    /// Running mean [C] (zeros at start), updated in training mode.
    public let runningMean: Tensor
    /// Running unbiased variance [C] (ones at start), updated in training mode.
    public let runningVariance: Tensor
    /// Training batches seen so far, [] rank 0. PyTorch keeps it as int64; MuseCore saves it as F32.
    public let numBatchesTracked: Tensor
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }
    public var localBuffers: [(name: String, tensor: Tensor)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", numBatchesTracked)]
    }
    /// Input ranks accepted (2 and 3 for 1-D, 4 for 2-D).
    let ranks: Set<Int>
    let layerName: String

    init(numFeatures: Int, epsilon: Float, momentum: Float, affine: Bool, ranks: Set<Int>, layerName: String) {
        self.numFeatures = numFeatures
        self.epsilon = epsilon
        self.momentum = momentum
        weight = affine ? Tensor.ones([numFeatures], requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([numFeatures], requiresGrad: true) : nil
        runningMean = Tensor.zeros([numFeatures])
        runningVariance = Tensor.ones([numFeatures])
        numBatchesTracked = Tensor(scalar: 0)
        self.ranks = ranks
        self.layerName = layerName
    }

    /// Normalises with batch statistics (training, updating the running ones) or running
    /// statistics (evaluation). - Returns: the input's shape.
    /// - Throws: `TensorError` on a wrong rank or channel count, or one value per channel in training.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard ranks.contains(input.rank), input.shape[1] == numFeatures else {
            throw TensorError.invalidShape(op: layerName, shape: input.shape,
                                           reason: "expected rank \(ranks.sorted()) with \(numFeatures) channels on axis 1")
        }
        let y = try input.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                                    training: isTraining, momentum: momentum, epsilon: epsilon)
        if isTraining { numBatchesTracked.withUnsafeMutableBufferPointer { $0[0] += 1 } }
        return y
    }
}

/// `torch.nn.BatchNorm1d`: input [N, C] or [N, C, L], statistics per channel C.
/// Parameters `weight`, `bias`; buffers `running_mean`, `running_var`, `num_batches_tracked`.
public final class BatchNorm1d: BatchNormBase {
    /// A layer with γ = 1, β = 0, running mean 0 and variance 1 (PyTorch defaults).
    public init(numFeatures: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures: numFeatures, epsilon: epsilon, momentum: momentum, affine: affine, ranks: [2, 3], layerName: "BatchNorm1d")
    }
}

/// `torch.nn.BatchNorm2d`: input [N, C, H, W], statistics per channel C.
/// Parameters `weight`, `bias`; buffers `running_mean`, `running_var`, `num_batches_tracked`.
public final class BatchNorm2d: BatchNormBase {
    /// A layer with γ = 1, β = 0, running mean 0 and variance 1 (PyTorch defaults).
    public init(numFeatures: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        super.init(numFeatures: numFeatures, epsilon: epsilon, momentum: momentum, affine: affine, ranks: [4], layerName: "BatchNorm2d")
    }
}
