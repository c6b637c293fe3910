import MuseCore
import XCTest
import _MuseTestSupport

/// Music Transformer's relative self-attention: the skew against the paper's pad-reshape-slice,
/// the layer against the naive O(L²·D) formula and against a PyTorch implementation of the same
/// layer (scripts/make_relative_attention_fixtures.py), and the biased attention kernel against
/// the unbiased one and finite differences.
final class RelativeAttentionTests: XCTestCase {
    /// The paper's skew with existing ops: pad a zero column in front, reshape [L + 1, L], drop row 0.
    static func padReshapeSlice(_ r: Tensor) throws -> Tensor {
        let b = r.shape[0], h = r.shape[1], l = r.shape[2]
        let padded = try Tensor.concat([Tensor.zeros([b, h, l, 1]), r], axis: 3)   // [B, H, L, L + 1]
        return try padded.reshape([b, h, l + 1, l]).narrow(axis: 2, start: 1, length: l)
    }

    /// 1 on and below the diagonal of [L, L], broadcast over [B, H].
    static func lowerTriangle(_ b: Int, _ h: Int, _ l: Int) throws -> Tensor {
        var m = [Float](repeating: 0, count: b * h * l * l)
        for n in 0..<(b * h) { for i in 0..<l { for j in 0...i { m[(n * l + i) * l + j] = 1 } } }
        return try Tensor(m, shape: [b, h, l, l])
    }

    func testSkewEqualsPadReshapeSliceOnAndBelowTheDiagonal() throws {
        var rng = SplitMix64(seed: 1)
        let (b, h, l) = (2, 3, 7)
        let r = Tensor.randn([b, h, l, l], using: &rng)
        let w = Tensor.randn([b, h, l, l], using: &rng)
        let lower = try Self.lowerTriangle(b, h, l)
        var values: [Tensor] = [], grads: [Tensor] = []
        for literal in [false, true] {
            let x = r.clone()
            x.requiresGrad = true
            let y = literal ? try Self.padReshapeSlice(x) : try x.skewedRelativeLogits()
            try (y * w * lower).sum().backward()
            values.append(try y * lower)
            grads.append(x.grad!)
        }
        XCTAssertEqual(values[0].scalars, values[1].scalars)
        XCTAssertEqual(grads[0].scalars, grads[1].scalars)
        // Above the diagonal the skew writes zeros.
        let upper = try r.skewedRelativeLogits() * (1 - lower)
        XCTAssertEqual(upper.scalars, [Float](repeating: 0, count: upper.count))
    }

    func testSkewIsTheRelativeIndexMap() throws {
        // R[i, m] = 10·i + m: out[i, j] must be R[i, L − 1 + j − i].
        let l = 4
        let r = try Tensor((0..<(l * l)).map { Float(10 * ($0 / l) + $0 % l) }, shape: [l, l])
        let out = try r.skewedRelativeLogits().scalars
        for i in 0..<l { for j in 0..<l {
            XCTAssertEqual(out[i * l + j], j <= i ? Float(10 * i + l - 1 + j - i) : 0, "(\(i), \(j))")
        } }
        XCTAssertThrowsError(try Tensor.zeros([3, 4]).skewedRelativeLogits())
    }

    /// The whole layer equals the O(L²·D) computation written out with loops: Er gathered for
    /// every (i, j) pair, causal softmax, heads merged, output projection (float32, summed in
    /// another order: 1e-5).
    func testLayerEqualsNaiveQuadraticComputation() throws {
        var rng = SplitMix64(seed: 3)
        for (b, l, e, h, m) in [(2, 7, 12, 3, 4), (1, 5, 8, 2, 9), (1, 6, 8, 1, 6)] {
            let layer = RelativeMultiHeadAttention(embedDim: e, numHeads: h, maxRelativePosition: m, using: &rng)
            layer.inProjBias.copy(fromScalars: (0..<(3 * e)).map { _ in Float.random(in: -0.3...0.3, using: &rng) })
            let x = Tensor.randn([b, l, e], using: &rng)
            let y = try layer(x)
            let expected = try Self.naive(layer, x)
            assertClose(y, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "B\(b) L\(l) E\(e) H\(h) M\(m)")
        }
    }

    static func naive(_ layer: RelativeMultiHeadAttention, _ x: Tensor) throws -> Tensor {
        let b = x.shape[0], l = x.shape[1], e = layer.embedDim, h = layer.numHeads, d = e / h, m = layer.maxRelativePosition
        let xs = x.scalars, w = layer.inProjWeight.scalars, bias = layer.inProjBias.scalars, er = layer.relativeEmbeddings.scalars
        var merged = [Float](repeating: 0, count: b * l * e)
        for n in 0..<b {
            // qkv[t][c] = Σ_f x[t][f] · W[c][f] + bias[c]
            var qkv = [[Float]](repeating: [Float](repeating: 0, count: 3 * e), count: l)
            for t in 0..<l { for c in 0..<(3 * e) {
                var s = bias[c]
                for f in 0..<e { s += xs[(n * l + t) * e + f] * w[c * e + f] }
                qkv[t][c] = s
            } }
            for head in 0..<h {
                func q(_ t: Int, _ f: Int) -> Float { qkv[t][head * d + f] }
                func k(_ t: Int, _ f: Int) -> Float { qkv[t][e + head * d + f] }
                func v(_ t: Int, _ f: Int) -> Float { qkv[t][2 * e + head * d + f] }
                // Er for distance (j − i) ≤ 0: table row M − 1 + (j − i), zero beyond the table.
                func rel(_ distance: Int, _ f: Int) -> Float {
                    let row = m - 1 + distance
                    return row >= 0 ? er[(head * m + row) * d + f] : 0
                }
                for i in 0..<l {
                    var logits = [Float](repeating: 0, count: i + 1)
                    for j in 0...i {
                        var s: Float = 0
                        for f in 0..<d { s += q(i, f) * (k(j, f) + rel(j - i, f)) }
                        logits[j] = s / Float(d).squareRoot()
                    }
                    let top = logits.max()!
                    let exps = logits.map { Foundation.exp($0 - top) }
                    let total = exps.reduce(0, +)
                    for f in 0..<d {
                        var s: Float = 0
                        for j in 0...i { s += exps[j] / total * v(j, f) }
                        merged[(n * l + i) * e + head * d + f] = s
                    }
                }
            }
        }
        return try layer.outProj(Tensor(merged, shape: [b, l, e]))
    }

    /// Forward and every gradient (input, in_proj, relative table, out_proj) equal PyTorch's
    /// float64 reference to 1e-5 (absolute + relative): tables shorter, equal and longer than the
    /// sequence, and a one-step sequence.
    func testLayerMatchesPyTorch() throws {
        let cases = try layerCases("relative_attention")
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let k = try c.config()  // embed, heads, max relative position
            var rng = SplitMix64(seed: 0)
            let layer = RelativeMultiHeadAttention(embedDim: k[0], numHeads: k[1], maxRelativePosition: k[2], using: &rng)
            try c.load(into: layer)
            let x = try c.tensor("x").clone()
            x.requiresGrad = true
            try c.check(output: try layer(x), inputs: ["x": x], module: layer, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        }
    }

    func testParameterNamesAndShapes() {
        var rng = SplitMix64(seed: 0)
        let layer = RelativeMultiHeadAttention(embedDim: 8, numHeads: 2, maxRelativePosition: 5, using: &rng)
        XCTAssertEqual(layer.namedParameters().map(\.name),
                       ["in_proj_weight", "in_proj_bias", "relative_embeddings", "out_proj.weight", "out_proj.bias"])
        XCTAssertEqual(layer.relativeEmbeddings.shape, [2, 5, 4])
    }

    /// Longer sequences see zero rows for distances past the table; shorter ones its last rows.
    func testTableIsPaddedOrCutForTheSequenceLength() throws {
        var rng = SplitMix64(seed: 2)
        let layer = RelativeMultiHeadAttention(embedDim: 4, numHeads: 2, maxRelativePosition: 3, using: &rng)
        let table = layer.relativeEmbeddings.scalars  // [2, 3, 2]
        let long = try layer.embeddings(forLength: 5).scalars  // [2, 5, 2]
        XCTAssertEqual(Array(long[0..<4]), [0, 0, 0, 0])
        XCTAssertEqual(Array(long[4..<10]), Array(table[0..<6]))
        let short = try layer.embeddings(forLength: 2).scalars  // [2, 2, 2]
        XCTAssertEqual(Array(short[0..<4]), Array(table[2..<6]))
    }

    /// With a zero bias the biased kernel is the unbiased one (outputs and q, k, v gradients).
    func testZeroBiasEqualsTheUnbiasedKernel() throws {
        var rng = SplitMix64(seed: 4)
        let shape = [2, 2, 6, 4]
        let base = (0..<3).map { _ in Tensor.randn(shape, using: &rng) }
        let w = Tensor.randn(shape, using: &rng)
        var results: [[Tensor]] = []
        for biased in [false, true] {
            let xs = base.map { t -> Tensor in let c = t.clone(); c.requiresGrad = true; return c }
            var g = SplitMix64(seed: 0)
            let y = biased
                ? try Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], bias: Tensor.zeros([2, 2, 6, 6]),
                                                       causal: true, generator: &g)
                : try Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], causal: true, generator: &g)
            try (y * w).sum().backward()
            results.append([y] + xs.map { $0.grad! })
        }
        for i in 0..<4 { assertClose(results[1][i], results[0][i], relativeTolerance: 1e-6, absoluteTolerance: 1e-7, "entry \(i)") }
    }

    /// Gradients of the biased kernel, bias included, with and without dropout, agree with
    /// central finite differences.
    func testBiasedKernelGradientsMatchFiniteDifferences() throws {
        var rng = SplitMix64(seed: 6)
        for (causal, dropout) in [(true, Float(0)), (false, Float(0.3))] {
            let q = Tensor.randn([2, 2, 4, 3], using: &rng), k = Tensor.randn([2, 2, 4, 3], using: &rng)
            let v = Tensor.randn([2, 2, 4, 3], using: &rng), bias = Tensor.randn([2, 2, 4, 4], using: &rng)
            for t in [q, k, v, bias] { t.requiresGrad = true }
            try checkGradients([q, k, v, bias], "biased attention causal \(causal) dropout \(dropout)") { xs in
                var g = SplitMix64(seed: 11)
                return try Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], bias: xs[3], causal: causal,
                                                            dropoutProbability: dropout, generator: &g)
            }
        }
    }

    /// Attention dropout acts in training only: two training calls differ (the generator moves
    /// on), evaluation calls equal the layer built without dropout.
    func testDropoutOnlyInTraining() throws {
        var rng = SplitMix64(seed: 12)
        let layer = RelativeMultiHeadAttention(embedDim: 8, numHeads: 2, maxRelativePosition: 6, dropout: 0.5, seed: 3, using: &rng)
        var rng2 = SplitMix64(seed: 12)
        let plain = RelativeMultiHeadAttention(embedDim: 8, numHeads: 2, maxRelativePosition: 6, using: &rng2)
        let x = Tensor.randn([2, 6, 8], using: &rng)
        XCTAssertNotEqual(try layer(x).scalars, try layer(x).scalars)
        layer.isTraining = false
        XCTAssertEqual(try layer(x).scalars, try plain(x).scalars)
    }

    func testBiasOfTheWrongShapeThrows() {
        var g = SplitMix64(seed: 0)
        let q = Tensor.zeros([1, 2, 3, 4])
        XCTAssertThrowsError(try Tensor.scaledDotProductAttention(query: q, key: q, value: q, bias: Tensor.zeros([1, 2, 3, 4]), generator: &g))
    }
}

/// The fused relative-logits op against the composition it replaces.
final class RelativeLogitsTests: XCTestCase {
    /// `Tensor.relativeLogits` equals matmul with the table expanded over the batch, then the skew
    /// (outputs and both gradients, float32 GEMMs in another grouping: 1e-5).
    func testFusedOpEqualsMatmulThenSkew() throws {
        var rng = SplitMix64(seed: 8)
        let (b, h, l, d) = (3, 2, 6, 5)
        let q0 = Tensor.randn([b, h, l, d], using: &rng), t0 = Tensor.randn([h, l, d], using: &rng)
        let w = Tensor.randn([b, h, l, l], using: &rng)
        var results: [[Tensor]] = []
        for fused in [true, false] {
            let q = q0.clone(), t = t0.clone()
            q.requiresGrad = true
            t.requiresGrad = true
            let y = fused ? try Tensor.relativeLogits(query: q, table: t)
                          : try q.matmul(t.unsqueeze(axis: 0).expand(to: [b, h, l, d]), transposeB: true).skewedRelativeLogits()
            try (y * w).sum().backward()
            results.append([y, q.grad!, t.grad!])
        }
        for (i, name) in ["output", "d query", "d table"].enumerated() {
            assertClose(results[0][i], results[1][i], relativeTolerance: 1e-5, absoluteTolerance: 1e-6, name)
        }
    }

    func testWrongTableShapeThrows() {
        XCTAssertThrowsError(try Tensor.relativeLogits(query: Tensor.zeros([1, 2, 3, 4]), table: Tensor.zeros([2, 4, 4])))
    }
}
