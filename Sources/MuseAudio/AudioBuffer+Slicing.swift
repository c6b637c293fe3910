extension AudioBuffer {
    /// Frames `range` of every channel, clamped to the buffer (an empty range gives an empty buffer).
    /// - Parameter range: frame indices, `0..<frameCount`.
    public func slice(frames range: Range<Int>) -> AudioBuffer {
        let frames = frameCount
        let lower = min(max(range.lowerBound, 0), frames)
        let upper = min(max(range.upperBound, lower), frames)
        let count = upper - lower
        var out = [Float](repeating: 0, count: count * channelCount)
        out.withUnsafeMutableBufferPointer { dst in
            samples.withUnsafeBufferPointer { src in
                for c in 0..<channelCount {
                    for f in 0..<count { dst[c * count + f] = src[c * frames + lower + f] }
                }
            }
        }
        return AudioBuffer(planar: out, channelCount: channelCount, sampleRate: sampleRate)
    }

    /// The part from `startSeconds` to `endSeconds` (frames rounded down), clamped to the buffer.
    public func slice(fromSeconds startSeconds: Double, toSeconds endSeconds: Double) -> AudioBuffer {
        let lower = Int((startSeconds * sampleRate).rounded(.down))
        let upper = Int((endSeconds * sampleRate).rounded(.down))
        return slice(frames: lower..<max(lower, upper))
    }
}
