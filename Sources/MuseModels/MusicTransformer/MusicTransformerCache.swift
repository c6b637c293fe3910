import CBLAS
import Foundation
import MuseCore

/// Incremental decoding state of a `MusicTransformer`: every layer's keys and values of the
/// positions fed so far, so each new token costs one pass of its own row through the model.
///
/// For the relative model the relative term of the new query needs no state of its own: at
/// position t the query row of Srel is `q_t · Er[M − 1 + j − t]` for keys j ≤ t — the last t + 1
/// rows of the (fixed) relative table — which is the skewed row the full forward pass computes.
/// So step t costs O(t·E) for attention (keys and relative rows alike) plus O(E·(E + dFF)) for
/// the projections: O(N) per event, never a recomputation of earlier positions.
public struct MusicTransformerCache {
    /// Rows decoded in parallel.
    public let batch: Int
    /// Positions fed so far.
    public private(set) var length = 0
    /// Per layer: keys [length, batch, E], row-major, appended per step.
    var keys: [[Float]]
    /// Per layer: values [length, batch, E].
    var values: [[Float]]

    /// An empty cache for `batch` rows of `model`.
    public init(model: MusicTransformer, batch: Int) {
        self.batch = batch
        keys = Array(repeating: [], count: model.layers.count)
        values = Array(repeating: [], count: model.layers.count)
    }

    /// Feeds one token per row at position `length` and returns the next-token logits.
    /// The model must be in evaluation mode (dropout off); no graph is recorded.
    /// - Parameter tokens: `batch` token ids.
    /// - Returns: logits [batch, V] as scalars, row-major.
    /// - Throws: `ModelError.invalidArgument` for a wrong token count, `TensorError` for an id outside the vocabulary.
    public mutating func step(_ model: MusicTransformer, tokens: [Int]) throws -> [Float] {
        guard tokens.count == batch else {
            throw ModelError.invalidArgument("cache of \(batch) rows fed \(tokens.count) tokens")
        }
        let t = length
        return try noGrad {
            let e = model.config.dModel
            var x = try model.embed(tokens, batch: batch, length: 1, startPosition: t)      // [B, 1, E]
            for (l, layer) in model.layers.enumerated() {
                let w = layer.attentionWeights
                let qkv = try layer.norm1(x).matmul(w.inProjWeight, transposeB: true) + w.inProjBias  // [B, 1, 3E]
                let merged = try attendStep(layer: l, qkv: qkv.scalars, position: t, model: model)   // B·E
                let attended = try w.outProj(Tensor(merged, shape: [batch, 1, e]))
                x = try x + attended
                x = try x + layer.feedForward(layer.norm2(x))
            }
            length += 1
            return try model.logits(fromHidden: x).scalars
        }
    }

    /// Appends the step's keys and values to layer `l` and attends the step's queries over all
    /// positions 0…t. - Returns: the heads' outputs side by side, [B, E].
    mutating func attendStep(layer l: Int, qkv: [Float], position t: Int, model: MusicTransformer) throws -> [Float] {
        let e = model.config.dModel, h = model.config.numHeads, d = e / h, b = batch
        for row in 0..<b {
            keys[l].append(contentsOf: qkv[(row * 3 * e + e)..<(row * 3 * e + 2 * e)])
            values[l].append(contentsOf: qkv[(row * 3 * e + 2 * e)..<(row * 3 * e + 3 * e)])
        }
        let relative = model.layers[l].relativeAttention
        let tableRows = relative?.maxRelativePosition ?? 0
        let scale = 1 / Float(d).squareRoot()
        var merged = [Float](repeating: 0, count: b * e)
        var scores = [Float](repeating: 0, count: t + 1)
        let table = relative?.relativeEmbeddings ?? Tensor.zeros([1])      // [H, M, D], read in place
        table.withUnsafeBufferPointer { tp in
        qkv.withUnsafeBufferPointer { qp in
        keys[l].withUnsafeBufferPointer { kp in
        values[l].withUnsafeBufferPointer { vp in
        merged.withUnsafeMutableBufferPointer { mp in
        scores.withUnsafeMutableBufferPointer { sp in
            guard let tb = tp.baseAddress, let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress,
                  let mb = mp.baseAddress, let sb = sp.baseAddress else { return }
            for row in 0..<b {
                for head in 0..<h {
                    // One GEMV per term: scores = scale·K·q (+ scale·Er·q over the rows that exist), out = Vᵀ·p.
                    let q = qb + row * 3 * e + head * d
                    let n = Int32(t + 1), ld = Int32(b * e)
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, Int32(d), scale, kb + row * e + head * d, ld, q, 1, 0, sb, 1)
                    let firstRelative = relative == nil ? t + 1 : max(0, t - (tableRows - 1))
                    if firstRelative <= t {
                        let er = tb + (head * tableRows + tableRows - 1 + firstRelative - t) * d
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(t + 1 - firstRelative), Int32(d), scale, er, Int32(d), q, 1, 1,
                                    sb + firstRelative, 1)
                    }
                    var m = -Float.infinity
                    for j in 0...t { m = max(m, sb[j]) }
                    var sum: Float = 0
                    for j in 0...t {
                        let x = Foundation.exp(sb[j] - m)
                        sb[j] = x
                        sum += x
                    }
                    cblas_sgemv(CblasRowMajor, CblasTrans, n, Int32(d), 1 / sum, vb + row * e + head * d, ld, sb, 1, 0,
                                mb + row * e + head * d, 1)
                }
            }
        } } } } } }
        return merged
    }
}
