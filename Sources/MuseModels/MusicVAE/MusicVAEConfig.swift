import MuseEncoding

/// Hyperparameters of a flat MusicVAE for 2-bar melodies (Magenta's `cat-mel_2bar_*` configs in
/// `magenta/models/music_vae/configs.py` with `lstm_models.get_default_hparams()`); this is what a
/// bundle's `config.json` holds. Defaults are sized for two CPU cores; Magenta's figures are given
/// beside each field (`small` = `cat-mel_2bar_small`, `big` = `cat-mel_2bar_big`).
public struct MusicVAEConfig: Codable, Equatable, Sendable {
    /// Bundle kind written to `config.json`, checked on load.
    public var kind: String = MusicVAEConfig.bundleKind
    /// How MIDI becomes 32-step windows of 90 classes (Magenta's `mel_2bar_converter`).
    public var converter = MelodyWindowConverter()
    /// Latent size. Magenta: small 256, big 512.
    public var zSize = 64
    /// Hidden size of each direction of the bidirectional LSTM encoder. Magenta: small 512, big 2048.
    public var encoderHiddenSize = 128
    /// Stacked encoder layers. Magenta: 1.
    public var encoderLayers = 1
    /// Hidden size of every decoder LSTM layer. Magenta: small 256, big 2048.
    public var decoderHiddenSize = 128
    /// Stacked decoder layers. Magenta: small 2, big 3.
    public var decoderLayers = 2
    /// KL allowed for free, in bits (paper §3.1 / `free_bits`): KL below it costs nothing. Magenta: 0.
    public var freeBits: Float = 0
    /// Final β weighting the KL. Magenta: small 0.2, big 0.5.
    public var maxBeta: Float = 0.2
    /// β at step s is `(1 − betaRate^s) · maxBeta`. Magenta: 0.99999 (runs of 10⁵+ steps); ours
    /// 0.999 so β is near `maxBeta` after a few thousand CPU steps.
    public var betaRate: Float = 0.999
    /// Teacher forcing schedule: `"constant"` (probability `samplingRate` of feeding the model's
    /// own sample) or `"inverse_sigmoid"` (probability 1 − k/(k + e^{s/k}), k = `samplingRate`).
    /// Magenta: inverse_sigmoid, 1000.
    public var samplingSchedule = "inverse_sigmoid"
    /// Parameter of the sampling schedule (see `samplingSchedule`).
    public var samplingRate: Float = 1000
    /// Sequences per step. Magenta: 512.
    public var batchSize = 64
    /// Adam learning rate at step 0. Magenta: 0.001.
    public var learningRate: Float = 1e-3
    /// Learning rate (lr − min)·decayRate^s + min. Magenta: 0.9999.
    public var decayRate: Float = 0.9999
    /// Floor of the learning rate. Magenta: 1e-5.
    public var minLearningRate: Float = 1e-5
    /// Global gradient-norm clip. Magenta: 1.0 (`grad_clip`).
    public var gradientClipNorm: Float = 1
    /// Seed of weights, batches, ε and scheduled sampling.
    public var seed: UInt64 = 0

    /// The `kind` of MusicVAE bundles.
    public static let bundleKind = "music-vae"

    /// Defaults (see each field).
    public init() {}

    /// Classes per step (90 for pitches 21...108 plus no-event and note-off).
    public var classCount: Int { converter.maxPitch - converter.minPitch + 1 + MelodyOneHotEncoding.specialEventCount }
    /// Steps per window (32).
    public var sequenceLength: Int { converter.windowSteps }

    /// β after `step` optimizer steps.
    public func beta(atStep step: Int) -> Float { (1 - Float(Foundation.pow(Double(betaRate), Double(step)))) * maxBeta }

    /// Probability of feeding the model's own sample instead of the truth after `step` steps.
    public func samplingProbability(atStep step: Int) -> Float {
        switch samplingSchedule {
        case "inverse_sigmoid":
            let k = Double(samplingRate)
            return Float(1 - k / (k + Foundation.exp(Double(step) / k)))
        case "constant": return samplingRate
        default: return 0
        }
    }

    /// Throws `MusicVAEError.invalidConfiguration` for sizes or rates that make no sense.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw MusicVAEError.invalidConfiguration(what) } }
        try check(kind == Self.bundleKind, "kind \"\(kind)\" is not \"\(Self.bundleKind)\"")
        try check(zSize > 0 && encoderHiddenSize > 0 && decoderHiddenSize > 0, "sizes must be positive")
        try check(encoderLayers > 0 && decoderLayers > 0, "layer counts must be positive")
        try check(batchSize > 0, "batch size must be positive")
        try check(sequenceLength > 0 && converter.maxPitch >= converter.minPitch, "empty windows or pitch range")
        try check(["constant", "inverse_sigmoid"].contains(samplingSchedule), "sampling schedule \"\(samplingSchedule)\" is not constant or inverse_sigmoid")
        try check(freeBits >= 0 && maxBeta >= 0 && betaRate >= 0 && betaRate <= 1, "free bits, β and β rate must be non-negative (rate ≤ 1)")
        try check(learningRate > 0 && gradientClipNorm > 0, "learning rate and clip norm must be positive")
    }
}

import Foundation
