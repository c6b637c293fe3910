import MuseCore
import XCTest
import _MuseTestSupport

/// `MultiHeadAttention` against `torch.nn.MultiheadAttention(batch_first=True)` and the fused
/// attention kernel against the same computation built from unfused ops.
final class AttentionTests: XCTestCase {
    /// Plain, causal, key-padding, causal + padding and cross attention match PyTorch (outputs,
    /// input and parameter gradients) within 1e-5 relative + 1e-5 absolute: sums of ≤ 24 products
    /// per entry, ordered differently by PyTorch's kernels, differ by a few ulps.
    func testMultiHeadAttentionMatchesPyTorch() throws {
        let cases = try layerCases("layers_attention")
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let k = try c.config()  // embed, heads, causal, padding, cross
            var rng = SplitMix64(seed: 0)
            let mha = MultiHeadAttention(embedDim: k[0], numHeads: k[1], using: &rng)
            try c.load(into: mha)
            let x = try c.tensor("x").clone()
            x.requiresGrad = true
            var inputs = ["x": x]
            let y: Tensor
            let padding = k[3] != 0 ? try c.tensor("key_padding_mask") : nil
            if k[4] != 0 {
                let kv = try c.tensor("key").clone()
                kv.requiresGrad = true
                inputs["key"] = kv
                y = try mha(x, key: kv, value: kv, keyPaddingMask: padding, causal: k[2] != 0)
            } else {
                y = try mha(x, keyPaddingMask: padding, causal: k[2] != 0)
            }
            try c.check(output: y, inputs: inputs, module: mha, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        }
    }

    /// Parameter names are PyTorch's.
    func testParameterNames() {
        var rng = SplitMix64(seed: 0)
        let mha = MultiHeadAttention(embedDim: 8, numHeads: 2, using: &rng)
        XCTAssertEqual(mha.namedParameters().map(\.name), ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
    }

    /// softmax(q·kᵀ/√D) · v with masks filled with −∞, built from unfused tensor ops.
    static func unfused(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, padding: Tensor?) throws -> Tensor {
        let b = q.shape[0], tq = q.shape[2], tk = k.shape[2]
        var scores = try q.matmul(k, transposeB: true) * (1 / Float(q.shape[3]).squareRoot())
        var mask = [Float](repeating: 0, count: b * tq * tk)
        for n in 0..<b { for i in 0..<tq { for j in 0..<tk {
            let padded = padding.map { $0.scalars[n * tk + j] != 0 } ?? false
            mask[(n * tq + i) * tk + j] = (causal && j > i) || padded ? 1 : 0
        } } }
        scores = try scores.maskedFill(Tensor(mask, shape: [b, 1, tq, tk]), -.infinity)
        return try scores.softmax(axis: -1).matmul(v)
    }

    /// The fused kernel equals the unfused ops (forward and all three gradients) with causal and
    /// padding masks, to float32 rounding (1e-5 relative + 1e-6 absolute).
    func testFusedKernelMatchesUnfusedOps() throws {
        var rng = SplitMix64(seed: 5)
        // Padding in the middle and at the end, never a whole causal row (that gives NaN in both).
        let padding = try Tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1], shape: [3, 8])
        for causal in [false, true] {
            let q = Tensor.randn([3, 2, 8, 4], using: &rng), k = Tensor.randn([3, 2, 8, 4], using: &rng)
            let v = Tensor.randn([3, 2, 8, 4], using: &rng), w = Tensor.randn([3, 2, 8, 4], using: &rng)
            var results: [[Tensor]] = []
            for fused in [true, false] {
                let inputs = [q, k, v].map { t -> Tensor in let c = t.clone(); c.requiresGrad = true; return c }
                var g = SplitMix64(seed: 0)
                let y = fused
                    ? try Tensor.scaledDotProductAttention(query: inputs[0], key: inputs[1], value: inputs[2], causal: causal,
                                                           keyPaddingMask: padding, generator: &g)
                    : try Self.unfused(inputs[0], inputs[1], inputs[2], causal: causal, padding: padding)
                try (y * w).sum().backward()
                results.append([y] + inputs.map { $0.grad! })
            }
            for (i, name) in ["output", "dq", "dk", "dv"].enumerated() {
                assertClose(results[0][i], results[1][i], relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "causal \(causal) \(name)")
            }
        }
    }

    /// The packed entry point ([B, T, 3E] projections in, [B, T, E] merged heads out) equals the
    /// separate one on the same heads split and merged by permutes (outputs and gradients, bit for
    /// bit, dropout included: same generator seed, same mask).
    func testPackedEntryMatchesSeparateTensors() throws {
        var rng = SplitMix64(seed: 9)
        let (b, t, h, d) = (2, 6, 2, 4)
        let packed = Tensor.randn([b, t, 3 * h * d], using: &rng)
        packed.requiresGrad = true
        let w = Tensor.randn([b, t, h * d], using: &rng)
        let padding = try Tensor([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], shape: [2, 6])
        var g1 = SplitMix64(seed: 4)
        let y1 = try Tensor.scaledDotProductAttention(packed: packed, heads: h, causal: true, keyPaddingMask: padding,
                                                      dropoutProbability: 0.2, generator: &g1)
        try (y1 * w).sum().backward()
        let separate = packed.detach().clone()
        separate.requiresGrad = true
        // [B, T, 3, H, D] → [3, B, H, T, D]
        let parts = try separate.reshape([b, t, 3, h, d]).permute([2, 0, 3, 1, 4]).chunk(3, axis: 0).map { try $0.squeeze(axis: 0) }
        var g2 = SplitMix64(seed: 4)
        let heads = try Tensor.scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2], causal: true,
                                                         keyPaddingMask: padding, dropoutProbability: 0.2, generator: &g2)
        let y2 = try heads.permute([0, 2, 1, 3]).reshape([b, t, h * d])
        try (y2 * w).sum().backward()
        XCTAssertEqual(y1.scalars, y2.scalars)
        XCTAssertEqual(packed.grad!.scalars, separate.grad!.scalars)
    }

    /// Gradients of the fused kernel, with attention dropout (a fixed mask from a re-seeded
    /// generator), agree with central finite differences.
    func testFusedGradientsMatchFiniteDifferences() throws {
        var rng = SplitMix64(seed: 6)
        let q = Tensor.randn([2, 2, 4, 3], using: &rng), k = Tensor.randn([2, 2, 5, 3], using: &rng)
        let v = Tensor.randn([2, 2, 5, 3], using: &rng)
        let padding = try Tensor([0, 0, 0, 1, 1, 0, 0, 0, 0, 0], shape: [2, 5])
        for t in [q, k, v] { t.requiresGrad = true }
        try checkGradients([q, k, v], "attention") { xs in
            var g = SplitMix64(seed: 11)
            return try Tensor.scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], keyPaddingMask: padding,
                                                        dropoutProbability: 0.3, generator: &g)
        }
    }

    /// Attention dropout is active in training only: training outputs differ run to run (the
    /// generator advances), evaluation outputs equal the dropout-free layer.
    func testDropoutOnlyInTraining() throws {
        var rng = SplitMix64(seed: 7)
        let mha = MultiHeadAttention(embedDim: 8, numHeads: 2, dropout: 0.5, seed: 3, using: &rng)
        let x = Tensor.randn([2, 6, 8], using: &rng)
        let a = try mha(x), b = try mha(x)
        XCTAssertNotEqual(a.scalars, b.scalars)
        mha.eval()
        let e1 = try mha(x)
        var rng2 = SplitMix64(seed: 7)
        let plain = MultiHeadAttention(embedDim: 8, numHeads: 2, using: &rng2)
        XCTAssertEqual(e1.scalars, try plain(x).scalars)
    }

    /// Mismatched shapes throw instead of crashing.
    func testBadShapesThrow() throws {
        var rng = SplitMix64(seed: 8)
        let mha = MultiHeadAttention(embedDim: 8, numHeads: 2, using: &rng)
        XCTAssertThrowsError(try mha(Tensor.zeros([2, 5, 6])))
        XCTAssertThrowsError(try mha(Tensor.zeros([2, 5, 8]), keyPaddingMask: Tensor.zeros([2, 4])))
        XCTAssertThrowsError(try mha(Tensor.zeros([2, 5, 8]), key: Tensor.zeros([2, 4, 8]), causal: true))
    }
}
