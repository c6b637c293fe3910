import Foundation

extension AudioBuffer {
    /// The channels averaged into one, as `librosa.to_mono` (mean over channels).
    /// - Returns: a mono buffer `[frameCount]` at the same sample rate; `self` if already mono.
    public func monoMixed() -> AudioBuffer {
        if channelCount == 1 { return self }
        let frames = frameCount
        let channels = channelCount
        var out = [Float](repeating: 0, count: frames)
        let scale = 1 / Float(channels)
        out.withUnsafeMutableBufferPointer { dst in
            samples.withUnsafeBufferPointer { src in
                for c in 0..<channels {
                    let base = c * frames
                    for f in 0..<frames { dst[f] += src[base + f] }
                }
                for f in 0..<frames { dst[f] *= scale }
            }
        }
        return AudioBuffer(mono: out, sampleRate: sampleRate)
    }

    /// Multiplies every sample by `10^(gainDecibels / 20)`.
    public mutating func applyGain(decibels gainDecibels: Double) {
        let factor = Float(pow(10, gainDecibels / 20))
        samples.withUnsafeMutableBufferPointer { buf in
            for i in buf.indices { buf[i] *= factor }
        }
    }

    /// A copy with `applyGain(decibels:)` applied.
    public func withGain(decibels gainDecibels: Double) -> AudioBuffer {
        var copy = self
        copy.applyGain(decibels: gainDecibels)
        return copy
    }

    /// Largest absolute sample over all channels (0 for silence or an empty buffer).
    public var peakAmplitude: Float {
        samples.withUnsafeBufferPointer { buf in
            var peak: Float = 0
            for x in buf { peak = max(peak, abs(x)) }
            return peak
        }
    }

    /// Scales so that the largest absolute sample is `10^(peakDecibels / 20)` (0 dBFS = 1.0).
    /// Silence stays silence (no division by zero).
    public mutating func normalizePeak(toDecibels peakDecibels: Double = 0) {
        let peak = peakAmplitude
        guard peak > 0, peak.isFinite else { return }
        let target = pow(10, peakDecibels / 20)
        applyGain(decibels: 20 * log10(target / Double(peak)))
    }

    /// A copy with `normalizePeak(toDecibels:)` applied.
    public func peakNormalized(toDecibels peakDecibels: Double = 0) -> AudioBuffer {
        var copy = self
        copy.normalizePeak(toDecibels: peakDecibels)
        return copy
    }
}
