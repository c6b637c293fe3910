import Foundation

/// A layer or model: a class with its parameters as stored properties, reachable by PyTorch-style
/// dotted names (`"lstm.weight_ih_l0"`, `"decoder.layers.0.linear1.bias"`), so `stateDict()`
/// round-trips through safetensors with `torch.nn.Module.state_dict()` keys.
///
/// A conformer lists only what it owns directly (`localParameters`, `localBuffers`) and its
/// sub-modules (`children`); recursion, prefixes, train/eval and loading come from the extension.
/// Call conventions (not a protocol requirement, since inputs differ): `callAsFunction(_:)`
/// returning a `Tensor` (or a tuple for recurrent layers), `throws` on shape errors.
public protocol Module: AnyObject {
    /// Parameters owned directly by this module, in a fixed order, with their local names.
    var localParameters: [(name: String, tensor: Tensor)] { get }
    /// Non-trainable state saved with the weights (e.g. BatchNorm running statistics).
    var localBuffers: [(name: String, tensor: Tensor)] { get }
    /// Sub-modules with their attribute names (`"0"`, `"1"` for list items, as PyTorch).
    var children: [(name: String, module: any Module)] { get }
    /// `true` in training mode (dropout active, batch statistics used); set with `train()`/`eval()`.
    var isTraining: Bool { get set }
}

extension Module {
    public var localParameters: [(name: String, tensor: Tensor)] { [] }
    public var localBuffers: [(name: String, tensor: Tensor)] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter, depth first, with its full dotted name; a tensor shared by several
    /// modules (tied input and output embeddings) appears once, under its first name, as
    /// `torch.nn.Module.named_parameters()` gives it: so an optimizer updates it once and
    /// clipping counts it once.
    public func namedParameters(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        return namedParametersIncludingTied(prefix: prefix).filter { seen.insert(ObjectIdentifier($0.tensor)).inserted }
    }

    /// Every parameter under every name it has (a tied tensor once per module that holds it),
    /// as `state_dict()` lists them.
    public func namedParametersIncludingTied(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        localParameters.map { (prefix + $0.name, $0.tensor) }
            + children.flatMap { $0.module.namedParametersIncludingTied(prefix: prefix + $0.name + ".") }
    }

    /// Every buffer, depth first, with its full dotted name.
    public func namedBuffers(prefix: String = "") -> [(name: String, tensor: Tensor)] {
        localBuffers.map { (prefix + $0.name, $0.tensor) }
            + children.flatMap { $0.module.namedBuffers(prefix: prefix + $0.name + ".") }
    }

    /// Every parameter tensor (for optimizers).
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Parameters and buffers by full name (shares storage: save it, do not mutate it). A tied
    /// tensor is listed under each of its names, as PyTorch's `state_dict()` does.
    public func stateDict() -> [String: Tensor] {
        Dictionary((namedParametersIncludingTied() + namedBuffers()).map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// Copies tensors into the parameters and buffers of the same names (in place).
    /// - Parameters:
    ///   - strict: if `true`, every parameter must be present and no extra name may appear.
    ///   - source: file name for error messages.
    /// - Throws: `TensorError.missingTensor`, `.unexpectedTensor`, `.loadShapeMismatch`.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true, source: String = "state dict") throws {
        let own = namedParametersIncludingTied() + namedBuffers()
        for (name, tensor) in own {
            guard let t = state[name] else {
                if strict { throw TensorError.missingTensor(file: source, tensor: name) }
                continue
            }
            guard t.shape == tensor.shape else {
                throw TensorError.loadShapeMismatch(file: source, tensor: name, expected: tensor.shape, found: t.shape)
            }
            try tensor.copy(from: t)
        }
        if strict {
            let names = Set(own.map(\.name))
            if let extra = state.keys.sorted().first(where: { !names.contains($0) }) {
                throw TensorError.unexpectedTensor(file: source, tensor: extra)
            }
        }
    }

    /// Writes `stateDict()` as a safetensors file (temp + rename).
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: url)
    }

    /// Loads weights from a safetensors file written by `save` or by `safetensors.torch.save_file`.
    public func load(from url: URL, strict: Bool = true) throws {
        try loadStateDict(SafeTensors.read(contentsOf: url), strict: strict, source: url.path)
    }

    /// Sets training mode on this module and all sub-modules.
    public func train(_ on: Bool = true) {
        isTraining = on
        for c in children { c.module.train(on) }
    }

    /// Sets evaluation mode (dropout off, running statistics) recursively.
    public func eval() { train(false) }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters() { p.grad = nil } }
}

/// A module mapping one tensor to one tensor, so it can sit in a `Sequential`.
public protocol Layer: Module {
    /// Applies the layer. - Throws: `TensorError` on shape mismatch.
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// Layers applied in order; children are named `"0"`, `"1"`, … as `torch.nn.Sequential`.
public final class Sequential: Layer {
    /// The layers, first applied first.
    public let layers: [any Layer]
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    /// A chain of `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1($0) }
    }
}
