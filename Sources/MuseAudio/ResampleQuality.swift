import CSampleRate
import CSoxr

/// A resampling filter, named as librosa's `res_type`. The `soxr…` qualities go through libsoxr
/// (what `librosa.resample` and `librosa.load` use, `soxrHQ` being their default); the `sinc…`,
/// `zeroOrderHold` and `linear` ones through libsamplerate.
///
/// soxr's figures (its `soxr_quality_spec`): passband end as a fraction of the lower Nyquist,
/// stopband from the Nyquist on, linear phase.
public enum ResampleQuality: String, CaseIterable, Sendable {
    /// soxr "VHQ": 28-bit precision (~169 dB rejection), passband 0.946, double-precision engine.
    case soxrVHQ = "soxr_vhq"
    /// soxr "HQ": 20-bit precision (~120 dB rejection), passband 0.914. librosa's default.
    case soxrHQ = "soxr_hq"
    /// soxr "MQ": 16-bit precision (~96 dB rejection), passband 0.914.
    case soxrMQ = "soxr_mq"
    /// soxr "LQ": 16-bit precision, passband 0.676, medium roll-off.
    case soxrLQ = "soxr_lq"
    /// soxr "QQ": quick cubic interpolation, no anti-alias filter.
    case soxrQQ = "soxr_qq"
    /// libsamplerate band-limited sinc, 97 dB SNR, 97% bandwidth (`SRC_SINC_BEST_QUALITY`).
    case sincBest = "sinc_best"
    /// libsamplerate band-limited sinc, 97 dB SNR, 90% bandwidth (`SRC_SINC_MEDIUM_QUALITY`).
    case sincMedium = "sinc_medium"
    /// libsamplerate band-limited sinc, 97 dB SNR, 80% bandwidth (`SRC_SINC_FASTEST`).
    case sincFastest = "sinc_fastest"
    /// libsamplerate sample and hold (`SRC_ZERO_ORDER_HOLD`): aliases, for tests and toys.
    case zeroOrderHold = "zero_order_hold"
    /// libsamplerate linear interpolation (`SRC_LINEAR`): aliases.
    case linear = "linear"

    /// The library that implements this quality.
    enum Engine { case soxr(recipe: UInt), sampleRate(converter: Int32) }

    var engine: Engine {
        switch self {
        case .soxrVHQ: return .soxr(recipe: UInt(SOXR_VHQ))
        case .soxrHQ: return .soxr(recipe: UInt(SOXR_HQ))
        case .soxrMQ: return .soxr(recipe: UInt(SOXR_MQ))
        case .soxrLQ: return .soxr(recipe: UInt(SOXR_LQ))
        case .soxrQQ: return .soxr(recipe: UInt(SOXR_QQ))
        case .sincBest: return .sampleRate(converter: Int32(SRC_SINC_BEST_QUALITY))
        case .sincMedium: return .sampleRate(converter: Int32(SRC_SINC_MEDIUM_QUALITY))
        case .sincFastest: return .sampleRate(converter: Int32(SRC_SINC_FASTEST))
        case .zeroOrderHold: return .sampleRate(converter: Int32(SRC_ZERO_ORDER_HOLD))
        case .linear: return .sampleRate(converter: Int32(SRC_LINEAR))
        }
    }

    /// How far (in input frames, at a 1:1 ratio) the filter reaches from an output frame. The
    /// reach of a downsampling filter grows with the input/output ratio; `Resampler` scales it.
    /// libsamplerate's best sinc has 2,658 zero crossings on each side; soxr's impulse responses
    /// end within 140 frames at 1:1 and 110 × the ratio when downsampling, at every quality.
    var reachFrames: Int {
        switch self {
        case .sincBest: return 2_700
        case .sincMedium: return 1_000
        case .sincFastest: return 300
        case .zeroOrderHold, .linear: return 2
        case .soxrVHQ, .soxrHQ, .soxrMQ, .soxrLQ, .soxrQQ: return 160
        }
    }
}
