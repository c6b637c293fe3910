/// Where an `AudioPlayer` sends periods: an ALSA device (`ALSASink`) or a file (`WAVFileSink`,
/// which lets tests and servers without sound cards run the whole streaming path).
public protocol AudioSink: AnyObject {
    /// A name for messages ("default", "null", a path).
    var name: String { get }
    /// Prepares the sink for interleaved float frames; returns the period size in frames the
    /// player should render at a time. Called on the caller's thread so errors surface at once.
    func open(sampleRate: Int, channelCount: Int) throws -> Int
    /// Writes `frameCount` interleaved frames, blocking until the sink has taken them.
    func write(_ frames: UnsafePointer<Float>, frameCount: Int) throws
    /// Ends the stream: `drain` plays out what is queued (end of source); otherwise drops it (stop).
    /// Closes the sink; it may be opened again.
    func close(drain: Bool) throws
}
