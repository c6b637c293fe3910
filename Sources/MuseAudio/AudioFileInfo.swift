/// What a sound file's header says, without decoding its samples (`muse audio info`).
public struct AudioFileInfo: Equatable, Sendable {
    /// The path as given.
    public var path: String
    /// Frames per second, in Hz.
    public var sampleRate: Int
    /// Number of channels.
    public var channelCount: Int
    /// Frames per channel.
    public var frameCount: Int
    /// Container name as libsndfile calls it ("WAV", "FLAC", "OGG", …).
    public var container: String
    /// Sample encoding ("PCM_16", "FLOAT", "VORBIS", …).
    public var encoding: String

    /// A header description (as `AudioFile.info` returns).
    public init(path: String, sampleRate: Int, channelCount: Int, frameCount: Int, container: String, encoding: String) {
        self.path = path; self.sampleRate = sampleRate; self.channelCount = channelCount
        self.frameCount = frameCount; self.container = container; self.encoding = encoding
    }

    /// Length in seconds.
    public var durationSeconds: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }
}
