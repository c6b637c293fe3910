import Foundation

// Losses, reduced to a rank-0 mean as PyTorch's default `reduction='mean'`.

/// Cross-entropy between logits and class indices (`torch.nn.functional.cross_entropy`), fused:
/// log-softmax, the label-smoothed target, and the mean over non-ignored rows in one pass.
///
/// loss_n = −(1−ε)·log p[n, y_n] − (ε/C)·Σ_c log p[n, c]; the mean is over rows whose target is
/// not `ignoreIndex` (all ignored → NaN, as PyTorch).
/// - Parameters:
///   - logits: [N, C] unnormalised scores.
///   - targets: N class indices in 0..<C, or `ignoreIndex`.
///   - labelSmoothing: ε in [0, 1].
/// - Returns: rank-0 mean loss.
/// - Throws: `TensorError.shapeMismatch`, `.indexOutOfRange`, `.invalidArgument`.
public func crossEntropy(logits: Tensor, targets: [Int], ignoreIndex: Int = -100, labelSmoothing: Float = 0) throws -> Tensor {
    guard logits.rank == 2, logits.shape[0] == targets.count else {
        throw TensorError.shapeMismatch(op: "cross_entropy", lhs: logits.shape, rhs: [targets.count])
    }
    guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
        throw TensorError.invalidArgument(op: "cross_entropy", reason: "label smoothing \(labelSmoothing) not in [0, 1]")
    }
    let N = logits.shape[0], C = logits.shape[1]
    for t in targets where t != ignoreIndex && (t < 0 || t >= C) {
        throw TensorError.indexOutOfRange(op: "cross_entropy", index: t, bound: C)
    }
    let logp = Tensor.softmaxKernel(logits, axis: 1, log: true)
    let p = logp.storage.pointer
    let valid = targets.filter { $0 != ignoreIndex }.count
    let eps = labelSmoothing
    var total: Double = 0
    for n in 0..<N where targets[n] != ignoreIndex {
        let row = p + n * C
        var sumLog: Double = 0
        if eps > 0 { for c in 0..<C { sumLog += Double(row[c]) } }
        total += -Double(1 - eps) * Double(row[targets[n]]) - Double(eps) / Double(C) * sumLog
    }
    let out = Tensor(scalar: Float(total / Double(valid)))
    return Tensor.record(out, "cross_entropy", [logits]) { g, _ in
        // d/dlogits = (softmax − ((1−ε)·onehot + ε/C)) / valid on kept rows
        let scale = g.item() / Float(valid)
        let p = logp.storage.pointer  // through the tensor, so the closure keeps it alive
        let dx = Tensor.zeros([N, C])
        let pd = dx.storage.pointer
        for n in 0..<N where targets[n] != ignoreIndex {
            let row = p + n * C, d = pd + n * C
            for c in 0..<C { d[c] = (Foundation.exp(row[c]) - eps / Float(C)) * scale }
            d[targets[n]] -= (1 - eps) * scale
        }
        return [dx]
    }
}

/// Binary cross-entropy on logits (`binary_cross_entropy_with_logits`), mean over elements,
/// computed stably: max(x, 0) − x·y + log(1 + e^{−|x|}).
/// - Parameters: logits and targets (probabilities in [0, 1]) of the same shape.
/// - Throws: `TensorError.shapeMismatch`.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor) throws -> Tensor {
    guard logits.shape == targets.shape else {
        throw TensorError.shapeMismatch(op: "binary_cross_entropy_with_logits", lhs: logits.shape, rhs: targets.shape)
    }
    let n = logits.count
    let px = logits.storage.pointer, py = targets.storage.pointer
    var total: Double = 0
    for i in 0..<n {
        let x = px[i], y = py[i]
        total += Double(Swift.max(x, 0) - x * y + Foundation.log1p(Foundation.exp(-Swift.abs(x))))
    }
    let out = Tensor(scalar: Float(total / Double(n)))
    return Tensor.record(out, "bce_with_logits", [logits, targets]) { g, _ in
        let scale = g.item() / Float(n)
        return [Tensor.zip(logits, targets) { (Tensor.sigmoidScalar($0) - $1) * scale },
                Tensor.map(logits) { -$0 * scale }]
    }
}

/// Mean squared error `mean((prediction − target)²)`. - Throws: `TensorError.shapeMismatch`.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
    guard prediction.shape == target.shape else {
        throw TensorError.shapeMismatch(op: "mse_loss", lhs: prediction.shape, rhs: target.shape)
    }
    return try (prediction - target).square().mean()
}

/// KL(N(mean, e^{logVariance}) ‖ N(0, 1)) for a VAE posterior: −½ Σ (1 + logσ² − μ² − σ²) summed
/// over every axis but the first (the latent dimensions) and averaged over the first (the batch).
/// - Parameters: mean, logVariance: [batch, latent...], same shape.
/// - Returns: rank-0 mean-over-batch KL in nats.
/// - Throws: `TensorError.shapeMismatch`.
public func gaussianKLDivergence(mean: Tensor, logVariance: Tensor) throws -> Tensor {
    let perElement = try gaussianKLPerElement(mean: mean, logVariance: logVariance)
    return perElement.sum() / Float(Swift.max(mean.shape[0], 1))
}

/// The KL of `gaussianKLDivergence` for each row of the batch (summed over the latent axes, not
/// averaged): what a per-example KL threshold ("free bits", MusicVAE's `max(KL − free_nats, 0)`)
/// applies to.
/// - Parameters: mean, logVariance: [batch, latent...], same shape.
/// - Returns: [batch], nats per row.
/// - Throws: `TensorError.shapeMismatch`.
public func gaussianKLDivergencePerRow(mean: Tensor, logVariance: Tensor) throws -> Tensor {
    let perElement = try gaussianKLPerElement(mean: mean, logVariance: logVariance)
    return try perElement.reshape([mean.shape[0], mean.shape.dropFirst().reduce(1, *)]).sum(axis: 1)
}

private func gaussianKLPerElement(mean: Tensor, logVariance: Tensor) throws -> Tensor {
    guard mean.shape == logVariance.shape, mean.rank >= 1 else {
        throw TensorError.shapeMismatch(op: "gaussian_kl", lhs: mean.shape, rhs: logVariance.shape)
    }
    return try (1 + logVariance - mean.square() - logVariance.exp()) * -0.5
}
