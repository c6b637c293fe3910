/// Size and count limits of `muse studio`'s API: uploads are refused with 413 past these, counts
/// and lengths with 400.
public struct StudioLimits: Sendable {
    /// Largest MIDI upload in bytes (2 MB).
    public var midiBytes = 2_000_000
    /// Largest audio upload in bytes (20 MB: about 2 minutes of 44.1 kHz 16-bit stereo WAV).
    public var audioBytes = 20_000_000
    /// Largest JSON request body in bytes (64 kB).
    public var jsonBytes = 65_536
    /// Most outputs one job may ask for.
    public var maxCount = 16
    /// Most generated steps (melody RNN) or events (Music Transformer) per output.
    public var maxLength = 4096
    /// Most interpolation steps.
    public var maxSteps = 32
    /// Most jobs kept (finished ones beyond this are forgotten, oldest first, with their files).
    public var maxJobs = 64

    /// The default limits.
    public init() {}

    /// `2_000_000` → `"2 MB"`, `65_536` → `"64 kB"`.
    public static func describe(bytes: Int) -> String {
        bytes >= 1_000_000 ? "\(bytes / 1_000_000) MB" : "\(bytes / 1024) kB"
    }
}
