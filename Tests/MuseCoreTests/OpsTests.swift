import MuseCore
import XCTest
import _MuseTestSupport

/// Every op of the table against PyTorch (forward and gradients of sum(out · w)) and against
/// central finite differences.
final class OpsTests: XCTestCase {
    /// Op name in ops.safetensors → the same computation in MuseCore.
    static func table(_ f: [String: Tensor]) throws -> [(String, ([Tensor]) throws -> Tensor)] {
        [
            ("add", { try $0[0] + $0[1] }), ("add_bcast", { try $0[0] + $0[1] }), ("sub", { try $0[0] - $0[1] }),
            ("mul", { try $0[0] * $0[1] }), ("div", { try $0[0] / $0[1] }),
            ("maximum", { try Tensor.maximum($0[0], $0[1]) }),
            ("exp", { $0[0].exp() }), ("log", { $0[0].log() }), ("sqrt", { $0[0].sqrt() }),
            ("pow3", { $0[0].pow(3) }), ("neg", { -$0[0] }), ("tanh", { $0[0].tanh() }),
            ("sigmoid", { $0[0].sigmoid() }), ("relu", { $0[0].relu() }),
            ("leaky_relu", { $0[0].leakyRelu(negativeSlope: 0.2) }), ("gelu", { $0[0].gelu() }),
            ("gelu_tanh", { $0[0].gelu(approximateTanh: true) }), ("softplus", { $0[0].softplus() }),
            ("clamp", { $0[0].clamp(min: -0.5, max: 0.7) }),
            ("matmul", { try $0[0].matmul($0[1]) }), ("matmul_tb", { try $0[0].matmul($0[1], transposeB: true) }),
            ("matmul_ta", { try $0[0].matmul($0[1], transposeA: true) }),
            ("matmul_tab", { try $0[0].matmul($0[1], transposeA: true, transposeB: true) }),
            ("bmm", { try $0[0].matmul($0[1]) }), ("bmm_tb", { try $0[0].matmul($0[1], transposeB: true) }),
            ("bmm_shared", { try $0[0].matmul($0[1]) }),
            ("sum_axis1", { try $0[0].sum(axis: 1) }), ("sum_all", { $0[0].sum() }),
            ("mean_axes02", { try $0[0].mean(axes: [0, 2], keepDim: true) }),
            ("max_axis2", { try $0[0].max(axis: 2) }), ("logsumexp", { try $0[0].logSumExp(axis: 1) }),
            ("softmax_last", { try $0[0].softmax(axis: -1) }), ("softmax_axis1", { try $0[0].softmax(axis: 1) }),
            ("log_softmax", { try $0[0].logSoftmax(axis: -1) }), ("permute", { try $0[0].permute([2, 0, 1]) }),
            ("transpose", { try $0[0].transpose() }), ("concat", { try Tensor.concat($0, axis: 1) }),
            ("stack", { try Tensor.stack($0, axis: 1) }), ("narrow", { try $0[0].narrow(axis: 1, start: 1, length: 2) }),
            ("expand", { try $0[0].expand(to: [2, 3, 4]) }),
            ("gather", { try $0[0].gather(axis: 1, index: f.tensor("gather.index")) }),
            ("index_select", { try $0[0].indexSelect(axis: 1, indices: [2, 0, 2]) }),
            ("where", { try Tensor.where(f.tensor("where.cond"), $0[0], $0[1]) }),
            ("masked_fill", { try $0[0].maskedFill(f.tensor("masked_fill.mask"), -2.5) }),
        ]
    }

    static func inputs(_ f: [String: Tensor], _ name: String) -> [Tensor] {
        (0...).prefix { f["\(name).x\($0)"] != nil }.map { f["\(name).x\($0)"]!.clone() }
    }

    /// Forward values and gradients match PyTorch within 1e-5 relative (+1e-6 absolute): every
    /// op here sums at most 7 terms, so float32 rounding differs by a few ulps only.
    func testForwardAndGradientsMatchPyTorch() throws {
        let f = try fixture("ops")
        for (name, op) in try Self.table(f) {
            let xs = Self.inputs(f, name)
            XCTAssertFalse(xs.isEmpty, name)
            for x in xs { x.requiresGrad = true }
            let out = try op(xs)
            assertClose(out, try f.tensor("\(name).out"), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "\(name) forward")
            try (out * f.tensor("\(name).w")).sum().backward()
            for (i, x) in xs.enumerated() {
                guard let expected = f["\(name).g\(i)"] else { continue }
                guard let g = x.grad else { XCTFail("\(name): no gradient for input \(i)"); continue }
                assertClose(g, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "\(name) grad \(i)")
            }
        }
    }

    /// Analytic gradients agree with central finite differences for every op. Ops with kinks
    /// (maximum, clamp, relu, …) use a step of 1e-3 so that no fixture value lies within a step of
    /// its kink (a step across a kink averages the two slopes).
    func testGradientsMatchFiniteDifferences() throws {
        let f = try fixture("ops")
        let kinked: Set = ["maximum", "clamp", "relu", "leaky_relu", "max_axis2"]
        for (name, op) in try Self.table(f) {
            let xs = Self.inputs(f, name)
            for x in xs { x.requiresGrad = true }
            try checkGradients(xs, name, epsilon: kinked.contains(name) ? 1e-3 : 1e-2, op)
        }
    }

    func testArgmaxMatchesPyTorch() throws {
        let f = try fixture("ops")
        assertClose(try f.tensor("argmax.x0").argmax(axis: 1), try f.tensor("argmax.out"))
    }
}
