import Foundation

/// `POST /api/continue`: continue a primer with a melody RNN or a Music Transformer.
public struct ContinueRequest: Codable, Sendable {
    /// Bundle id from `GET /api/bundles`.
    public var bundle: String
    /// Magenta's primer list, `"[60, -2, 62]"` (melody RNN: melody events; ignored when
    /// `primerUpload` is given).
    public var primer: String?
    /// Id of a MIDI upload whose opening primes the model.
    public var primerUpload: String?
    /// Seconds of the uploaded MIDI used as primer (default 5).
    public var primerSeconds: Double?
    /// Sampling temperature (> 0, default 1).
    public var temperature: Float?
    /// Steps (melody RNN, 16th notes) or events (Music Transformer) generated after the primer (default 64 / 256).
    public var length: Int?
    /// Continuations (default 2).
    public var count: Int?
    /// Seed of the sampling (default 0).
    public var seed: UInt64?
}

/// `POST /api/generate`: samples from a MusicVAE's prior, or a Music Transformer from nothing.
public struct GenerateRequest: Codable, Sendable {
    /// Bundle id.
    public var bundle: String
    /// Sampling temperature (MusicVAE: ≥ 0, 0 = greedy, default 0.5; Transformer: > 0, default 1).
    public var temperature: Float?
    /// Events per Transformer sample (default 256; MusicVAE samples are always 2 bars).
    public var length: Int?
    /// Samples (default 4).
    public var count: Int?
    /// Seed (default 0).
    public var seed: UInt64?
}

/// `POST /api/interpolate`: two MIDI uploads through a MusicVAE, or two audio uploads through a
/// spectrogram VAE.
public struct InterpolateRequest: Codable, Sendable {
    /// Bundle id.
    public var bundle: String
    /// Upload id of the start (MIDI for a MusicVAE, audio for a spectrogram VAE).
    public var a: String
    /// Upload id of the end.
    public var b: String
    /// Points of the path, both ends included (default 5).
    public var steps: Int?
    /// Walk the great circle instead of the straight line (default false).
    public var slerp: Bool?
    /// MusicVAE decoder temperature (≥ 0, default 0.5).
    public var temperature: Float?
    /// Spectrogram VAE: `steps` or `morph` (default steps).
    public var mode: String?
    /// Seed (default 0).
    public var seed: UInt64?
}
