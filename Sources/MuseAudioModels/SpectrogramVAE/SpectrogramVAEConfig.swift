import Foundation

/// Hyperparameters of the spectrogram VAE; what its bundle's `config.json` holds.
/// Patches are log-mel spectrograms `[nMels, patchFrames]` (librosa's layout: mel bins first),
/// in dB clipped to `[-topDB, 0]` and scaled to [0, 1] (see `SpectrogramPatches`).
public struct SpectrogramVAEConfig: Codable, Equatable, Sendable {
    /// Bundle kind written to `config.json`, checked on load.
    public var kind: String = SpectrogramVAEConfig.bundleKind
    /// Mel bins per frame (librosa `n_mels`).
    public var nMels = 128
    /// Frames per patch.
    public var patchFrames = 64
    /// Latent size.
    public var zSize = 64
    /// Output channels of the encoder's stride-2 convolutions (the decoder mirrors them); each
    /// halves both axes, so `nMels` and `patchFrames` must be divisible by 2^count.
    public var channels = [16, 32, 64, 64]
    /// Final KL weight β.
    public var maxBeta: Float = 1
    /// β rises linearly from 0 to `maxBeta` over this many steps (KL warm-up).
    public var betaWarmupSteps = 1000
    /// Patches per step.
    public var batchSize = 32
    /// Adam learning rate.
    public var learningRate: Float = 1e-3
    /// Global gradient-norm clip.
    public var gradientClipNorm: Float = 5
    /// Seed of weights, batches and ε.
    public var seed: UInt64 = 0
    /// Audio settings the patches were made with (librosa names), kept so a bundle can invert
    /// its own output: sample rate in Hz, FFT size, hop length, dB floor.
    public var sampleRate = 22_050, nFFT = 2048, hopLength = 512
    /// dB range kept below the maximum (librosa `power_to_db(top_db=80)`).
    public var topDB: Float = 80

    /// The `kind` of spectrogram VAE bundles.
    public static let bundleKind = "spectrogram-vae"

    /// Defaults (see each field).
    public init() {}

    /// Rows and columns after the encoder's convolutions.
    public var bottleneck: (height: Int, width: Int) { (nMels >> channels.count, patchFrames >> channels.count) }

    /// β after `step` steps: linear warm-up to `maxBeta`.
    public func beta(atStep step: Int) -> Float {
        betaWarmupSteps <= 0 ? maxBeta : maxBeta * Float(min(step, betaWarmupSteps)) / Float(betaWarmupSteps)
    }

    /// Throws `SpectrogramVAEError.invalidConfiguration` for shapes the network cannot take.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw SpectrogramVAEError.invalidConfiguration(what) } }
        try check(kind == Self.bundleKind, "kind \"\(kind)\" is not \"\(Self.bundleKind)\"")
        try check(!channels.isEmpty && channels.allSatisfy { $0 > 0 }, "channels must be non-empty and positive")
        let factor = 1 << channels.count
        try check(nMels > 0 && patchFrames > 0 && nMels % factor == 0 && patchFrames % factor == 0,
                  "nMels \(nMels) and patchFrames \(patchFrames) must be positive multiples of \(factor)")
        try check(zSize > 0 && batchSize > 0 && learningRate > 0 && maxBeta >= 0, "sizes and rates must be positive")
    }
}

/// Why a spectrogram VAE could not be built, loaded or used; one line each.
public enum SpectrogramVAEError: Error, Equatable, CustomStringConvertible {
    /// A configuration the network cannot take.
    case invalidConfiguration(String)
    /// A patch of the wrong size or with non-finite values.
    case badPatch(reason: String)
    /// A spectrogram shorter than one patch.
    case tooShort(frames: Int, needed: Int)
    /// Audio shorter than one patch.
    case audioTooShort(file: String, seconds: Double, neededSeconds: Double, frames: Int)
    /// Audio with no signal at all.
    case silent(file: String)
    /// An interpolation needs both ends.
    case tooFewSteps(Int)

    public var description: String {
        switch self {
        case let .invalidConfiguration(what): return "invalid spectrogram VAE configuration: \(what)"
        case let .badPatch(reason): return "bad spectrogram patch: \(reason)"
        case let .tooShort(frames, needed): return "spectrogram has \(frames) frames, fewer than one patch (\(needed))"
        case let .audioTooShort(file, seconds, needed, frames):
            return "\(file): audio is \(String(format: "%.2f", seconds)) s (\(frames) frames), shorter than one \(String(format: "%.2f", needed)) s patch"
        case let .silent(file): return "\(file): audio is silent"
        case let .tooFewSteps(steps): return "an interpolation needs at least 2 steps (both ends), got \(steps)"
        }
    }
}
