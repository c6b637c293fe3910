import Foundation

/// Hyperparameters of the sequence spectrogram VAE; what its bundle's `config.json` holds.
/// The model reads a whole log-mel spectrogram `[nMels, frames]` (librosa's layout, dB clipped to
/// `[-topDB, 0]` below the clip's own peak and scaled to [0, 1]) and keeps a latent sequence
/// `[zChannels, frames / 2^downsamplings]`: one latent vector per reduced frame.
public struct SpectrogramSequenceVAEConfig: Codable, Equatable, Sendable {
    /// Bundle kind written to `config.json`, checked on load.
    public var kind: String = SpectrogramSequenceVAEConfig.bundleKind
    /// Mel bins per frame (librosa `n_mels`); the input channels of the first convolution.
    public var nMels = 128
    /// Channels of the hidden convolutions over time.
    public var hiddenChannels = 128
    /// Stride-2 convolutions of the encoder (mirrored by transposed convolutions in the decoder):
    /// one latent frame per `2^downsamplings` spectrogram frames.
    public var downsamplings = 1
    /// Latent channels per reduced frame (64 per 2 frames: 4× fewer values than 128 mels; 32 per
    /// 4 frames reached 11.8 dB held-out error after 500 steps, this 4.9 dB).
    public var zChannels = 64
    /// Spectrogram frames per training crop (a multiple of `2^downsamplings`).
    public var cropFrames = 64
    /// Final KL weight β (per latent element and frame; the reconstruction term is the sum of
    /// squared errors / 2 of the [0, 1] spectrogram).
    public var maxBeta: Float = 0.0005
    /// β rises linearly from 0 to `maxBeta` over this many steps (KL warm-up).
    public var betaWarmupSteps = 500
    /// Crops per step.
    public var batchSize = 16
    /// Adam learning rate.
    public var learningRate: Float = 2e-3
    /// Global gradient-norm clip.
    public var gradientClipNorm: Float = 5
    /// Seed of weights, crops and ε.
    public var seed: UInt64 = 0
    /// Audio settings (librosa names): sample rate in Hz, FFT size, hop length.
    public var sampleRate = 22_050, nFFT = 2048, hopLength = 512
    /// dB range kept below the clip's peak (librosa `power_to_db(ref=np.max, top_db=80)`).
    public var topDB: Float = 80

    /// The `kind` of sequence spectrogram VAE bundles.
    public static let bundleKind = "spectrogram-sequence-vae"

    /// Defaults (see each field).
    public init() {}

    /// Spectrogram frames per latent frame, `2^downsamplings`.
    public var framesPerLatent: Int { 1 << downsamplings }

    /// β after `step` steps: linear warm-up to `maxBeta`.
    public func beta(atStep step: Int) -> Float {
        betaWarmupSteps <= 0 ? maxBeta : maxBeta * Float(min(step, betaWarmupSteps)) / Float(betaWarmupSteps)
    }

    /// Throws `SpectrogramVAEError.invalidConfiguration` for shapes the network cannot take.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw SpectrogramVAEError.invalidConfiguration(what) } }
        try check(kind == Self.bundleKind, "kind \"\(kind)\" is not \"\(Self.bundleKind)\"")
        try check(nMels > 0 && hiddenChannels > 0 && zChannels > 0, "nMels, hiddenChannels and zChannels must be positive")
        try check((0...6).contains(downsamplings), "downsamplings \(downsamplings) must lie in 0...6")
        try check(cropFrames > 0 && cropFrames % framesPerLatent == 0, "cropFrames \(cropFrames) must be a positive multiple of \(framesPerLatent)")
        try check(batchSize > 0 && learningRate > 0 && maxBeta >= 0 && topDB > 0, "sizes and rates must be positive")
        try check(sampleRate > 0 && nFFT > 0 && hopLength > 0, "audio settings must be positive")
    }
}
