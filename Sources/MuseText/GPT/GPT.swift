import Foundation
import MuseCore

/// The blocks of a GPT as a list (`transformer.h.0`, `transformer.h.1`, …).
public final class GPTBlockList: Module {
    /// The blocks, first applied first.
    public let blocks: [GPTBlock]
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { blocks.enumerated().map { ("\($0.offset)", $0.element) } }
    init(_ blocks: [GPTBlock]) { self.blocks = blocks }
}

/// nanoGPT's `lm_head` (a bias-free Linear E → vocab) whose weight is the token embedding tensor
/// (weight tying): listed in the state dict as `lm_head.weight`, after `transformer.wte.weight`,
/// so `namedParameters()` names the shared tensor as PyTorch's `named_parameters()` does.
public final class GPTTiedHead: Module {
    /// [vocab, E], the same tensor as `transformer.wte.weight`.
    public let weight: Tensor
    public var isTraining = true
    public var localParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
    init(weight: Tensor) { self.weight = weight }
}

/// nanoGPT's `transformer` dictionary: token and position embeddings, dropout, the blocks and the
/// final LayerNorm.
public final class GPTTransformer: Module {
    /// Token embeddings [vocab, E] (also the output projection: weight tying).
    public let wte: Embedding
    /// Learned positions [block_size, E].
    public let wpe: Embedding
    /// Dropout on the summed embeddings.
    public let drop: Dropout
    /// The blocks.
    public let h: GPTBlockList
    /// Final LayerNorm.
    public let lnF: GPTLayerNorm
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("wte", wte), ("wpe", wpe), ("drop", drop), ("h", h), ("ln_f", lnF)] }

    init(wte: Embedding, wpe: Embedding, drop: Dropout, h: GPTBlockList, lnF: GPTLayerNorm) {
        self.wte = wte; self.wpe = wpe; self.drop = drop; self.h = h; self.lnF = lnF
    }
}

/// A GPT language model exactly as nanoGPT's `model.py` builds it, with the same parameter names
/// (`transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`, …, `lm_head.weight`), so
/// its state dict loads into nanoGPT and back:
/// token + learned position embeddings → dropout → `n_layer` pre-LayerNorm blocks (causal
/// self-attention, GELU MLP) → LayerNorm → `lm_head`, whose weight is the token embedding itself
/// (one tensor: `namedParameters()` lists it once, under `transformer.wte.weight`).
public final class GPT: Module {
    /// Sizes.
    public let config: GPTConfig
    /// Embeddings, blocks, final norm.
    public let transformer: GPTTransformer
    public var isTraining = true
    /// The output projection, holding the token embedding tensor itself.
    public let lmHead: GPTTiedHead
    public var children: [(name: String, module: any Module)] { [("transformer", transformer), ("lm_head", lmHead)] }

    /// A GPT with nanoGPT's initialisation: every Linear and Embedding weight ~ N(0, 0.02²), biases
    /// zero, each residual projection (`c_proj`) ~ N(0, (0.02/√(2·n_layer))²); LayerNorms γ = 1.
    /// `seed` draws the weights and seeds the dropout generators.
    /// - Throws: `TrainingError.badField` for a config that makes no sense.
    public init(config: GPTConfig, seed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: seed)
        let e = config.nEmbd
        let wte = Embedding(numEmbeddings: config.vocabSize, embeddingDim: e, using: &rng)
        let wpe = Embedding(numEmbeddings: config.blockSize, embeddingDim: e, using: &rng)
        let blocks = (0..<config.nLayer).map { GPTBlock(config: config, seed: seed &+ 1000 &* UInt64($0 + 1), using: &rng) }
        transformer = GPTTransformer(wte: wte, wpe: wpe, drop: Dropout(probability: config.dropout, seed: seed &+ 7),
                                     h: GPTBlockList(blocks), lnF: GPTLayerNorm(features: e, bias: config.bias))
        lmHead = GPTTiedHead(weight: wte.weight)
        let residualStd = 0.02 / Float(2 * config.nLayer).squareRoot()
        for (name, p) in namedParameters() {
            if name.hasSuffix("ln_1.weight") || name.hasSuffix("ln_2.weight") || name.hasSuffix("ln_f.weight") { continue }
            if name.hasSuffix(".bias") { p.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }; continue }
            let std: Float = name.hasSuffix("c_proj.weight") ? residualStd : 0.02
            try p.copy(from: Tensor.randn(p.shape, standardDeviation: std, using: &rng))
        }
    }

    /// Every dropout generator's state, by a stable name (for exact resume).
    public var randomStates: [String: UInt64] {
        get {
            var out = ["drop": transformer.drop.generator.state]
            for (i, b) in transformer.h.blocks.enumerated() {
                out["h.\(i).attn"] = b.attn.generator.state
                out["h.\(i).resid"] = b.attn.residDropout.generator.state
                out["h.\(i).mlp"] = b.mlp.dropout.generator.state
            }
            return out
        }
        set {
            if let s = newValue["drop"] { transformer.drop.generator.state = s }
            for (i, b) in transformer.h.blocks.enumerated() {
                if let s = newValue["h.\(i).attn"] { b.attn.generator.state = s }
                if let s = newValue["h.\(i).resid"] { b.attn.residDropout.generator.state = s }
                if let s = newValue["h.\(i).mlp"] { b.mlp.dropout.generator.state = s }
            }
        }
    }

    /// Token plus position embeddings of `ids` [B·T row-major] at positions `start..<start+T`.
    func embed(_ ids: [Int], batch: Int, length: Int, start: Int) throws -> Tensor {
        guard batch > 0, length > 0, ids.count == batch * length else {
            throw TensorError.invalidShape(op: "GPT", shape: [batch, length], reason: "does not hold \(ids.count) token ids")
        }
        guard start + length <= config.blockSize else {
            throw TensorError.invalidArgument(op: "GPT", reason: "sequence of \(start + length) tokens is longer than block_size \(config.blockSize)")
        }
        let tokens = try transformer.wte(ids, shape: [batch, length])
        let positions = try transformer.wpe.weight.narrow(axis: 0, start: start, length: length)
        return try transformer.drop(tokens + positions)
    }

    /// The final LayerNorm and the tied output projection. - Parameter x: [B, T, E]  - Returns: [B, T, vocab]
    func head(_ x: Tensor) throws -> Tensor {
        try transformer.lnF(x).matmul(transformer.wte.weight, transposeB: true)
    }

    /// Next-token logits at every position.
    /// - Parameters:
    ///   - ids: B·T token ids, row-major (each row a sequence of at most `block_size`).
    /// - Returns: [B, T, vocab]
    /// - Throws: `TensorError` for ids out of range or rows longer than `block_size`.
    public func callAsFunction(_ ids: [Int], batch: Int, length: Int) throws -> Tensor {
        var x = try embed(ids, batch: batch, length: length, start: 0)
        for block in transformer.h.blocks { x = try block(x) }
        return try head(x)
    }

    /// Mean cross-entropy (nats per token) of predicting `targets` [B·T] from `ids` [B·T], and the logits.
    public func loss(_ ids: [Int], targets: [Int], batch: Int, length: Int) throws -> (loss: Tensor, logits: Tensor) {
        let logits = try self(ids, batch: batch, length: length)
        return (try crossEntropy(logits: logits.reshape([batch * length, config.vocabSize]), targets: targets), logits)
    }

    /// Sets dropout on or off everywhere.
    public func setTraining(_ on: Bool) { train(on) }
}
