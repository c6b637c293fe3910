import MuseStyle

/// Settings of audio style transfer and audio texture synthesis (`muse style-transfer --audio`),
/// after Ulyanov and Lebedev's "Audio texture synthesis and style transfer" (2016).
public struct AudioStyleConfig: Codable, Equatable, Sendable {
    /// Sample rate the clips are resampled to, in Hz.
    public var sampleRate = 22050
    /// FFT size (librosa's `n_fft`); the spectrogram has nFFT / 2 + 1 channels.
    public var nFFT = 2048
    /// Hop between frames, in samples (librosa's `hop_length`).
    public var hopLength = 512
    /// Random filters of the single layer.
    public var filters = 4096
    /// Width of each filter, in frames.
    public var filterWidth = 11
    /// L-BFGS iterations (or Adam updates).
    public var steps = 300
    /// Term weights (relative distances; total variation unused for sound by default). 1 : 10
    /// lowers the style term about tenfold in a few steps from the content's start.
    public var weights = StyleWeights(content: 1, style: 10, totalVariation: 0)
    /// Seed of the filters and of the starting noise.
    public var seed: UInt64 = 0
    /// `lbfgs` or `adam`.
    public var optimizer = "lbfgs"
    /// Adam's learning rate (log1p-magnitude units).
    public var learningRate: Float = 0.05
    /// Start a transfer from the content (`content`) or from noise (`noise`, as the paper); a
    /// texture always starts from noise. From noise, ReLU units that the content switches on but
    /// the noise leaves off get no gradient, so part of the content term never falls: the content
    /// start keeps the content's timing with fewer steps.
    public var initialization = "content"
    /// Griffin-Lim iterations for the phase of the output.
    public var griffinLimIterations = 100
    /// Longest clip taken, in seconds (longer inputs are cut).
    public var maximumSeconds: Double = 30

    /// The defaults above.
    public init() {}

    /// Frames of `samples` samples (centred STFT).
    public func frames(samples: Int) -> Int { 1 + samples / hopLength }

    /// - Throws: `StyleError.invalidArgument` for values the transfer cannot take.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> StyleError {
            StyleError.invalidArgument(name: name, value: "\(value)", reason: reason)
        }
        guard sampleRate >= 1000, sampleRate <= 192_000 else { throw bad("sample rate", sampleRate, "must be 1000...192000 Hz") }
        guard nFFT >= 16, nFFT <= 16384, nFFT % 2 == 0 else { throw bad("n_fft", nFFT, "must be even, 16...16384") }
        guard hopLength > 0, hopLength <= nFFT else { throw bad("hop length", hopLength, "must be 1...n_fft") }
        guard filters > 0, filters <= 16384 else { throw bad("filters", filters, "must be 1...16384") }
        guard filterWidth > 0, filterWidth <= 256 else { throw bad("filter width", filterWidth, "must be 1...256 frames") }
        guard steps >= 0 else { throw bad("steps", steps, "must not be negative") }
        for (name, w) in [("content weight", weights.content), ("style weight", weights.style), ("tv weight", weights.totalVariation)] {
            guard w >= 0, w.isFinite else { throw bad(name, w, "must be a finite value >= 0") }
        }
        guard ["content", "noise"].contains(initialization) else { throw bad("init", initialization, "must be content or noise") }
        _ = try PixelOptimizer.named(optimizer, learningRate: learningRate)
        guard griffinLimIterations >= 0 else { throw bad("Griffin-Lim iterations", griffinLimIterations, "must not be negative") }
        guard maximumSeconds > 0 else { throw bad("maximum seconds", maximumSeconds, "must be positive") }
    }
}
