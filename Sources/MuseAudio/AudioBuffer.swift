/// Sampled audio: Muse's one audio currency.
///
/// Storage is **planar** and contiguous: one `[Float]` of `channelCount * frameCount` samples,
/// channel 0's frames first, then channel 1's. Planar suits everything after the file edge (the
/// STFT, mel, resampling and the synth's mixer all walk one channel at a time); interleaving
/// happens only where a C API wants it (libsndfile, ALSA) through `interleavedSamples()`.
/// Samples are nominally in [-1, 1]; nothing clips until a file is written as PCM.
/// A value type with copy-on-write storage (Swift `Array`).
public struct AudioBuffer: Equatable, Sendable {
    /// Frames per second, in Hz.
    public var sampleRate: Double
    /// Number of channels (1 mono, 2 stereo, …).
    public private(set) var channelCount: Int
    /// Planar samples: `[channelCount, frameCount]`, row-major.
    public var samples: [Float]

    /// Wraps planar samples `[channelCount, frameCount]`.
    /// - Precondition: `samples.count` is a multiple of `channelCount`, `channelCount >= 1`.
    public init(planar samples: [Float], channelCount: Int, sampleRate: Double) {
        precondition(channelCount >= 1 && samples.count % channelCount == 0,
                     "AudioBuffer: \(samples.count) samples do not split into \(channelCount) channels")
        self.samples = samples
        self.channelCount = channelCount
        self.sampleRate = sampleRate
    }

    /// A mono buffer.
    public init(mono samples: [Float], sampleRate: Double) {
        self.init(planar: samples, channelCount: 1, sampleRate: sampleRate)
    }

    /// Silence of `frameCount` frames.
    public init(silenceFrames frameCount: Int, channelCount: Int, sampleRate: Double) {
        self.init(planar: [Float](repeating: 0, count: frameCount * channelCount),
                  channelCount: channelCount, sampleRate: sampleRate)
    }

    /// Builds a planar buffer from interleaved frames `[frameCount, channelCount]`.
    public init(interleaved: [Float], channelCount: Int, sampleRate: Double) {
        precondition(channelCount >= 1 && interleaved.count % channelCount == 0)
        let frames = interleaved.count / channelCount
        var planar = [Float](repeating: 0, count: interleaved.count)
        planar.withUnsafeMutableBufferPointer { dst in
            interleaved.withUnsafeBufferPointer { src in
                for c in 0..<channelCount {
                    let base = c * frames
                    for f in 0..<frames { dst[base + f] = src[f * channelCount + c] }
                }
            }
        }
        self.init(planar: planar, channelCount: channelCount, sampleRate: sampleRate)
    }

    /// Frames per channel.
    public var frameCount: Int { samples.count / channelCount }

    /// Length in seconds.
    public var durationSeconds: Double { Double(frameCount) / sampleRate }

    /// The samples of one channel, `[frameCount]`.
    public func channel(_ index: Int) -> ArraySlice<Float> {
        precondition(index >= 0 && index < channelCount, "AudioBuffer: no channel \(index)")
        return samples[(index * frameCount)..<((index + 1) * frameCount)]
    }

    /// Interleaved frames `[frameCount, channelCount]`, as libsndfile and ALSA want them.
    public func interleavedSamples() -> [Float] {
        let frames = frameCount
        if channelCount == 1 { return samples }
        var out = [Float](repeating: 0, count: samples.count)
        out.withUnsafeMutableBufferPointer { dst in
            samples.withUnsafeBufferPointer { src in
                for c in 0..<channelCount {
                    let base = c * frames
                    for f in 0..<frames { dst[f * channelCount + c] = src[base + f] }
                }
            }
        }
        return out
    }
}
