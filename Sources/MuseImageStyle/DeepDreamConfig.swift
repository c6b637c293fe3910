import MuseStyle

/// Settings of DeepDream (`muse dream`).
public struct DeepDreamConfig: Codable, Equatable, Sendable {
    /// The layer whose activations grow: one of the classifier's `conv1`, `conv2`, … (after batch
    /// norm and ReLU) or `last` (its deepest), optionally `:channel` to grow one channel (`conv2:5`).
    public var layer = "last"
    /// Number of scales, smallest first.
    public var octaves = 4
    /// Ratio between the sides of neighbouring octaves.
    public var octaveScale: Float = 1.4
    /// Gradient-ascent steps per octave.
    public var steps = 10
    /// Step size, in units of the [−1, 1] picture per normalised gradient (gradient / mean |gradient|).
    public var stepSize: Float = 0.02
    /// Largest random shift (roll) before each step, in pixels, undone after it.
    public var jitter = 8
    /// Seed of the jitter.
    public var seed: UInt64 = 0

    /// The defaults above.
    public init() {}

    /// - Throws: `StyleError.invalidArgument` for values DeepDream cannot take.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> StyleError {
            StyleError.invalidArgument(name: name, value: "\(value)", reason: reason)
        }
        guard octaves >= 1, octaves <= 12 else { throw bad("octaves", octaves, "must be 1...12") }
        guard octaveScale >= 1, octaveScale <= 4 else { throw bad("octave scale", octaveScale, "must be 1...4") }
        guard steps >= 0 else { throw bad("steps", steps, "must not be negative") }
        guard stepSize > 0, stepSize.isFinite else { throw bad("step size", stepSize, "must be positive") }
        guard jitter >= 0 else { throw bad("jitter", jitter, "must not be negative") }
    }
}
