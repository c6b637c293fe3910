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

    /// A one-layer causal Transformer (embeddings + encoder layer + head) trained with Adam learns
    /// to output the previous token, which needs attention to position t − 1: loss < 0.05.
    func testCausalTransformerLearnsToCopyThePreviousToken() throws {
        var rng = SplitMix64(seed: 13)
        let vocab = 6, length = 8, batch = 16, width = 16
        let tok = Embedding(numEmbeddings: vocab, embeddingDim: width, using: &rng)
        let pos = Embedding(numEmbeddings: length, embeddingDim: width, using: &rng)
        let block = TransformerEncoderLayer(dModel: width, numHeads: 2, dimFeedforward: 32, dropout: 0, using: &rng)
        let head = Linear(inFeatures: width, outFeatures: vocab, using: &rng)
        let modules: [(String, any Module)] = [("tok", tok), ("pos", pos), ("block", block), ("head", head)]
        let optimizer = Adam(modules.flatMap { $0.1.namedParameters(prefix: $0.0 + ".") }, learningRate: 0.01)
        var loss: Float = .infinity
        for _ in 0..<300 {
            let tokens = (0..<(batch * length)).map { _ in Int(rng.next() % UInt64(vocab)) }
            // Target at t is the token at t − 1 (position 0 predicts itself).
            let targets = tokens.indices.map { $0 % length == 0 ? tokens[$0] : tokens[$0 - 1] }
            optimizer.zeroGrad()
            let x = try tok(tokens, shape: [batch, length]) + pos(Array(0..<length), shape: [length])
            let logits = try head(block(x, causal: true)).reshape([batch * length, vocab])
            let l = try crossEntropy(logits: logits, targets: targets)
            l.backward()
            optimizer.step()
            loss = l.item()
        }
        XCTAssertLessThan(loss, 0.05)
    }
}
