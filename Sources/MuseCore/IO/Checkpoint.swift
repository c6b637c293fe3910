import Foundation

/// A training checkpoint in one safetensors file: model weights under `model.<name>`, optimizer
/// state under `optimizer.<name>`, and in the string metadata the step, the generator state and
/// an optional config JSON, so a resumed run continues exactly where the saved one stopped.
/// Written by temp file + rename.
public struct Checkpoint {
    /// Optimizer steps completed.
    public var step: Int
    /// The run's random generator at save time.
    public var generator: SplitMix64
    /// The model's config as JSON text (what `config.json` holds), if any.
    public var configJSON: String?

    /// A checkpoint description (the tensors come from the model and optimizer at save time).
    public init(step: Int, generator: SplitMix64, configJSON: String? = nil) {
        self.step = step
        self.generator = generator
        self.configJSON = configJSON
    }

    /// Writes model, optimizer and this description to `url`. - Throws: `TensorError.io`.
    public func save(model: any Module, optimizer: (any Optimizer)?, to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        for (k, v) in model.stateDict() { tensors["model." + k] = v }
        for (k, v) in optimizer?.stateDict() ?? [:] { tensors["optimizer." + k] = v }
        var metadata = ["format": "pt", "step": String(step), "rng_state": String(generator.state)]
        if let configJSON { metadata["config"] = configJSON }
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    /// Loads weights into `model` and state into `optimizer`, returning the saved description.
    /// - Throws: `TensorError` naming the file and the missing or mis-shaped tensor or field.
    public static func load(from url: URL, into model: any Module, optimizer: (any Optimizer)?) throws -> Checkpoint {
        let (tensors, metadata) = try SafeTensors.readWithMetadata(contentsOf: url)
        var modelState: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:]
        for (k, v) in tensors {
            if k.hasPrefix("model.") { modelState[String(k.dropFirst(6))] = v }
            else if k.hasPrefix("optimizer.") { optimizerState[String(k.dropFirst(10))] = v }
            else { throw TensorError.unexpectedTensor(file: url.path, tensor: k) }
        }
        try model.loadStateDict(modelState, source: url.path)
        if let optimizer { try optimizer.loadStateDict(optimizerState) }
        guard let stepText = metadata["step"], let step = Int(stepText) else {
            throw TensorError.malformedHeader(file: url.path, reason: "metadata 'step' missing or not an integer")
        }
        guard let rngText = metadata["rng_state"], let state = UInt64(rngText) else {
            throw TensorError.malformedHeader(file: url.path, reason: "metadata 'rng_state' missing or not an integer")
        }
        var generator = SplitMix64(seed: 0)
        generator.state = state
        return Checkpoint(step: step, generator: generator, configJSON: metadata["config"])
    }
}
