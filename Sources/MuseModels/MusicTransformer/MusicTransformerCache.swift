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
    /// Positions each layer's buffers hold before they grow (doubling, so appends are amortised O(1)).
    private(set) var capacity: Int
    /// Per layer: keys [batch, heads, capacity, headDim], row-major; each head's keys are one
    /// contiguous block, so a query's scores are one GEMV over consecutive memory.
    var keys: [[Float]]
    /// Per layer: values [batch, heads, capacity, headDim], laid out as `keys`.
    var values: [[Float]]
    /// Scores of one query over positions 0…t, reused across steps.
    private var scores: [Float] = []

    /// An empty cache for `batch` rows of `model`, with room for `expectedLength` positions
    /// before its buffers grow.
    public init(model: MusicTransformer, batch: Int, expectedLength: Int = 256) {
        self.batch = batch
        capacity = max(1, expectedLength)
        let size = batch * model.config.dModel * capacity
        keys = Array(repeating: [Float](repeating: 0, count: size), count: model.layers.count)
        values = keys
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
        if t == capacity { grow(model: model) }
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

    /// Doubles every layer's buffers, moving each head's block to its new place.
    private mutating func grow(model: MusicTransformer) {
        let h = model.config.numHeads, d = model.config.dModel / h
        let newCapacity = capacity * 2
        func moved(_ old: [Float]) -> [Float] {
            var new = [Float](repeating: 0, count: batch * h * newCapacity * d)
            for block in 0..<(batch * h) {
                let from = block * capacity * d, to = block * newCapacity * d
                new.replaceSubrange(to..<(to + capacity * d), with: old[from..<(from + capacity * d)])
            }
            return new
        }
        keys = keys.map(moved)
        values = values.map(moved)
        capacity = newCapacity
    }

    /// Appends the step's keys and values to layer `l` and attends the step's queries over all
    /// positions 0…t. The (row, head) pairs are independent: they run on the cores in chunks
    /// when there is enough work, each with OpenBLAS single-threaded (its own workers would only
    /// spin on products this small, and under load they cost more than the product).
    /// - Returns: the heads' outputs side by side, [B, E].
    mutating func attendStep(layer l: Int, qkv: [Float], position t: Int, model: MusicTransformer) throws -> [Float] {
        let e = model.config.dModel, h = model.config.numHeads, d = e / h, b = batch, cap = capacity
        let relative = model.layers[l].relativeAttention
        let tableRows = relative?.maxRelativePosition ?? 0
        let scale = 1 / Float(d).squareRoot()
        let pairs = b * h, span = t + 1
        var merged = [Float](repeating: 0, count: b * e)
        if scores.count < pairs * span { scores = [Float](repeating: 0, count: max(pairs * span, 2 * scores.count)) }
        let table = relative?.relativeEmbeddings ?? Tensor.zeros([1])      // [H, M, D], read in place
        table.withUnsafeBufferPointer { tp in
        qkv.withUnsafeBufferPointer { qp in
        keys[l].withUnsafeMutableBufferPointer { kp in
        values[l].withUnsafeMutableBufferPointer { vp in
        merged.withUnsafeMutableBufferPointer { mp in
        scores.withUnsafeMutableBufferPointer { sp in
            guard let tb = tp.baseAddress, let qb = qp.baseAddress, let kb = kp.baseAddress, let vb = vp.baseAddress,
                  let mb = mp.baseAddress, let sb = sp.baseAddress else { return }
            // About 4·span·d multiply-adds per pair: split across cores past a few hundred thousand.
            Parallel.forEachChunk(count: pairs, minimumChunk: max(1, (1 << 17) / max(1, 4 * span * d))) { chunk in
                for pair in chunk {
                    let row = pair / h, head = pair % h
                    // This head's key and value blocks [cap, D]; position t gets the new row.
                    let block = pair * cap * d
                    let k = kb + block, v = vb + block, sc = sb + pair * span
                    (k + t * d).update(from: qb + row * 3 * e + e + head * d, count: d)
                    (v + t * d).update(from: qb + row * 3 * e + 2 * e + head * d, count: d)
                    // One GEMV per term: scores = scale·K·q (+ scale·Er·q over the rows that exist), out = Vᵀ·p.
                    let q = qb + row * 3 * e + head * d
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(span), Int32(d), scale, k, Int32(d), q, 1, 0, sc, 1)
                    let firstRelative = relative == nil ? span : max(0, t - (tableRows - 1))
                    if firstRelative <= t {
                        let er = tb + (head * tableRows + tableRows - 1 + firstRelative - t) * d
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(span - firstRelative), Int32(d), scale, er, Int32(d), q, 1, 1,
                                    sc + firstRelative, 1)
                    }
                    let sum = RowSoftmax.exponentiateShifted(sc, count: span)
                    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(span), Int32(d), 1 / sum, v, Int32(d), sc, 1, 0,
                                mb + row * e + head * d, 1)
                }
            }
        } } } } } }
        return merged
    }
}
