/// Everything that can go wrong in MuseAudio: reading, writing, resampling and playing audio.
///
/// Each case names the file (or device) and what was wrong; `description` is one line, as the CLI
/// prints it (`muse: error: <description>`).
public enum AudioError: Error, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// libsndfile could not open or decode the file (not audio, unsupported, corrupt header);
    /// `reason` is libsndfile's own message.
    case unreadable(path: String, reason: String)
    /// The file declares more audio data than it holds (a WAV cut short, a FLAC missing frames).
    case truncated(path: String, field: String, declared: Int, available: Int)
    /// The file holds no frames.
    case empty(path: String)
    /// A size read from the header is beyond what Muse will allocate.
    case tooLarge(path: String, field: String, value: Int, limit: Int)
    /// Writing failed (`reason` is libsndfile's message or the OS error).
    case writeFailed(path: String, reason: String)
    /// A parameter is out of its domain (`name` is the librosa-style parameter name).
    case invalidParameter(name: String, value: String, reason: String)
    /// libsamplerate reported an error.
    case resampleFailed(reason: String)
    /// The sound device could not be opened (no sound card, unknown ALSA name, busy).
    case deviceUnavailable(device: String, reason: String)
    /// The device failed while streaming.
    case playbackFailed(device: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): not readable as audio: \(reason)"
        case .truncated(let path, let field, let declared, let available):
            return "\(path): truncated: \(field) declares \(declared) but only \(available) present"
        case .empty(let path):
            return "\(path): holds no audio frames"
        case .tooLarge(let path, let field, let value, let limit):
            return "\(path): \(field) = \(value) exceeds the limit \(limit)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .invalidParameter(let name, let value, let reason):
            return "\(name) = \(value): \(reason)"
        case .resampleFailed(let reason):
            return "resampling failed: \(reason)"
        case .deviceUnavailable(let device, let reason):
            return "sound device '\(device)' unavailable: \(reason)"
        case .playbackFailed(let device, let reason):
            return "playback on '\(device)' failed: \(reason)"
        }
    }
}
