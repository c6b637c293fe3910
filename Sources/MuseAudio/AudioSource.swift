/// A pull-based stream of audio: the player asks for the next period and the source fills it.
///
/// This is how anything that computes audio on the fly is played: an `AudioBuffer`
/// (`AudioBufferSource`), a closure (`ClosureAudioSource`), or a synthesizer's renderer (MuseSynth
/// conforms its streaming renderer so `muse play in.mid` plays while it renders).
///
/// Contract:
/// - `render(into:frameCount:)` is called on the player's background thread, one period at a time
///   (`frameCount` is the device's period, typically 256–4096 frames), never concurrently.
/// - It writes up to `frameCount` **interleaved** frames (`frameCount × channelCount` floats,
///   samples nominally in [-1, 1]) and returns how many frames it wrote. Returning fewer than
///   `frameCount` (0 included) means the stream ended after those frames.
/// - It must not block for long: a period at 44.1 kHz of 1024 frames lasts 23 ms, and whatever is
///   not ready by then is an audible underrun (the player recovers and carries on).
/// - `sampleRate` and `channelCount` are read once, before the first `render`.
public protocol AudioSource: AnyObject {
    /// Frames per second, in Hz.
    var sampleRate: Double { get }
    /// Channels per frame.
    var channelCount: Int { get }
    /// Fills `buffer` with up to `frameCount` interleaved frames; returns the frames written.
    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int
}

/// Streams an `AudioBuffer` from its start to its end.
public final class AudioBufferSource: AudioSource {
    /// The buffer being played.
    public let buffer: AudioBuffer
    /// Next frame to play.
    public private(set) var position = 0

    public var sampleRate: Double { buffer.sampleRate }
    public var channelCount: Int { buffer.channelCount }

    /// A source that plays `buffer` once.
    public init(_ buffer: AudioBuffer) { self.buffer = buffer }

    public func render(into out: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        let frames = buffer.frameCount
        let count = max(0, min(frameCount, frames - position))
        let channels = buffer.channelCount
        buffer.samples.withUnsafeBufferPointer { src in
            for c in 0..<channels {
                let base = c * frames + position
                for f in 0..<count { out[f * channels + c] = src[base + f] }
            }
        }
        position += count
        return count
    }
}

/// A source whose periods come from a closure `(buffer, frameCount) -> framesWritten`, with the
/// same contract as `AudioSource.render(into:frameCount:)`.
public final class ClosureAudioSource: AudioSource {
    public let sampleRate: Double
    public let channelCount: Int
    private let body: (UnsafeMutablePointer<Float>, Int) -> Int

    /// - Parameters:
    ///   - sampleRate: Hz.
    ///   - channelCount: channels per interleaved frame.
    ///   - render: fills the next period; returns frames written, fewer than asked to end.
    public init(sampleRate: Double, channelCount: Int,
                render: @escaping (UnsafeMutablePointer<Float>, Int) -> Int) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.body = render
    }

    public func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        body(buffer, frameCount)
    }
}
