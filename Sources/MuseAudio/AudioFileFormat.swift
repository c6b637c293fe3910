import CSndFile

/// A container and sample encoding Muse writes through libsndfile.
///
/// WAV 16-bit PCM is the default everywhere (what every player reads); `.wavFloat` keeps the
/// samples bit-exact; FLAC is lossless and smaller; OGG Vorbis is lossy.
public enum AudioFileFormat: String, CaseIterable, Sendable {
    case wavPCM8 = "wav-pcm8"
    case wavPCM16 = "wav-pcm16"
    case wavPCM24 = "wav-pcm24"
    case wavPCM32 = "wav-pcm32"
    case wavFloat = "wav-float"
    case flac16 = "flac16"
    case flac24 = "flac24"
    case oggVorbis = "ogg-vorbis"

    /// The libsndfile `SF_FORMAT_*` major | subtype word.
    var sndfileFormat: Int32 {
        switch self {
        case .wavPCM8: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_U8)
        case .wavPCM16: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .wavPCM24: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_24)
        case .wavPCM32: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_32)
        case .wavFloat: return Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
        case .flac16: return Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        case .flac24: return Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_24)
        case .oggVorbis: return Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        }
    }

    /// The usual file extension (without dot).
    public var fileExtension: String {
        switch self {
        case .wavPCM8, .wavPCM16, .wavPCM24, .wavPCM32, .wavFloat: return "wav"
        case .flac16, .flac24: return "flac"
        case .oggVorbis: return "ogg"
        }
    }

    /// The default format for a path's extension: `.wav` → 16-bit PCM WAV, `.flac` → 16-bit FLAC,
    /// `.ogg` → Vorbis; nil for anything else.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "wav", "wave": self = .wavPCM16
        case "flac": self = .flac16
        case "ogg", "oga": self = .oggVorbis
        default: return nil
        }
    }

    /// Names of a libsndfile major format and subtype, for `muse audio info` ("WAV", "PCM_16").
    static func names(sndfileFormat format: Int32) -> (container: String, encoding: String) {
        let major = Int(format) & Int(SF_FORMAT_TYPEMASK)
        let sub = Int(format) & Int(SF_FORMAT_SUBMASK)
        let majors: [Int: String] = [
            Int(SF_FORMAT_WAV): "WAV", Int(SF_FORMAT_AIFF): "AIFF", Int(SF_FORMAT_AU): "AU",
            Int(SF_FORMAT_RAW): "RAW", Int(SF_FORMAT_W64): "W64", Int(SF_FORMAT_FLAC): "FLAC",
            Int(SF_FORMAT_OGG): "OGG", Int(SF_FORMAT_RF64): "RF64", Int(SF_FORMAT_CAF): "CAF",
            Int(SF_FORMAT_WAVEX): "WAVEX",
        ]
        let subs: [Int: String] = [
            Int(SF_FORMAT_PCM_S8): "PCM_S8", Int(SF_FORMAT_PCM_U8): "PCM_U8",
            Int(SF_FORMAT_PCM_16): "PCM_16", Int(SF_FORMAT_PCM_24): "PCM_24",
            Int(SF_FORMAT_PCM_32): "PCM_32", Int(SF_FORMAT_FLOAT): "FLOAT",
            Int(SF_FORMAT_DOUBLE): "DOUBLE", Int(SF_FORMAT_VORBIS): "VORBIS",
            Int(SF_FORMAT_OPUS): "OPUS", Int(SF_FORMAT_ULAW): "ULAW", Int(SF_FORMAT_ALAW): "ALAW",
        ]
        return (majors[major] ?? String(format: major), subs[sub] ?? String(format: sub))
    }
}

private extension String {
    init(format value: Int) { self = "0x" + String(value, radix: 16) }
}
