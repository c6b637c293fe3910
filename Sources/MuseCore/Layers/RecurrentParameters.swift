/// The parameters of a PyTorch-style stacked recurrent layer (`nn.LSTM`, `nn.GRU`): per layer and
/// direction `weight_ih` [gates·H, in], `weight_hh` [gates·H, H], `bias_ih`, `bias_hh` [gates·H],
/// where `in` is `inputSize` for layer 0 and `H · directions` above.
enum RecurrentParameters {
    /// PyTorch's initialisation, every parameter ~ U(−1/√H, 1/√H), drawn layer by layer,
    /// forward direction first, in the order weight_ih, weight_hh, bias_ih, bias_hh.
    /// - Returns: one `[weight_ih, weight_hh, bias_ih, bias_hh]` per (layer, direction).
    static func make<G: RandomNumberGenerator>(gates: Int, inputSize: Int, hiddenSize: Int, numLayers: Int,
                                               bidirectional: Bool, using generator: inout G) -> [[Tensor]] {
        let k = 1 / Float(hiddenSize).squareRoot(), directions = bidirectional ? 2 : 1, g = gates * hiddenSize
        var cells: [[Tensor]] = []
        for layer in 0..<numLayers {
            let inSize = layer == 0 ? inputSize : hiddenSize * directions
            for _ in 0..<directions {
                cells.append([[g, inSize], [g, hiddenSize], [g], [g]].map {
                    let t = Tensor.uniform($0, low: -k, high: k, using: &generator)
                    t.requiresGrad = true
                    return t
                })
            }
        }
        return cells
    }

    /// PyTorch's names: `weight_ih_l{k}[_reverse]`, … for `cells` as `make` returns them.
    static func named(_ cells: [[Tensor]], directions: Int) -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        for (index, params) in cells.enumerated() {
            let suffix = "_l\(index / directions)" + (index % directions == 1 ? "_reverse" : "")
            for (name, t) in zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], params) { out.append((name + suffix, t)) }
        }
        return out
    }
}
