import MuseCore
import XCTest
import _MuseTestSupport

/// The pre-norm `TransformerEncoderLayer` against `torch.nn.TransformerEncoderLayer(norm_first=True,
/// batch_first=True)` loaded with the same state dict.
final class TransformerTests: XCTestCase {
    /// ReLU + causal mask and GELU + key padding mask match PyTorch (output, input gradient and
    /// every parameter gradient) within 1e-5 relative + 1e-5 absolute; the absolute part covers
    /// near-zero gradient entries, where summation order in the 16-wide feed-forward and the
    /// layer-norm backward leaves differences of a few ulps of the larger terms.
    func testEncoderLayerMatchesPyTorch() throws {
        let cases = try layerCases("layers_transformer")
        XCTAssertEqual(cases.count, 2)
        for c in cases {
            let k = try c.config()  // d_model, heads, ff, gelu, causal, padding
            var rng = SplitMix64(seed: 0)
            let layer = TransformerEncoderLayer(dModel: k[0], numHeads: k[1], dimFeedforward: k[2], dropout: 0,
                                                activation: k[3] != 0 ? .gelu : .relu, using: &rng)
            try c.load(into: layer)
            let x = try c.tensor("x").clone()
            x.requiresGrad = true
            let y = try layer(x, keyPaddingMask: k[5] != 0 ? try c.tensor("key_padding_mask") : nil, causal: k[4] != 0)
            try c.check(output: y, inputs: ["x": x], module: layer, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        }
    }

    /// The state-dict keys are exactly PyTorch's.
    func testParameterNamesMatchPyTorch() throws {
        var rng = SplitMix64(seed: 0)
        let layer = TransformerEncoderLayer(dModel: 8, numHeads: 2, dimFeedforward: 16, using: &rng)
        let torchNames = try layerCases("layers_transformer")[0].group("param").keys
        XCTAssertEqual(Set(layer.stateDict().keys), Set(torchNames))
    }

    /// With dropout, training runs differ and evaluation is deterministic.
    func testDropoutFollowsMode() throws {
        var rng = SplitMix64(seed: 1)
        let layer = TransformerEncoderLayer(dModel: 8, numHeads: 2, dimFeedforward: 16, dropout: 0.3, seed: 5, using: &rng)
        let x = Tensor.randn([2, 4, 8], using: &rng)
        XCTAssertNotEqual(try layer(x).scalars, try layer(x).scalars)
        layer.eval()
        XCTAssertEqual(try layer(x).scalars, try layer(x).scalars)
    }
}
