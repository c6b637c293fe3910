import Foundation
import MuseCore
import MuseDSP
import MuseStyle

/// Audio style transfer and texture synthesis as Ulyanov and Lebedev (2016): the log1p magnitude
/// STFT is a picture one pixel high and `frames` wide whose channels are the frequency bins; one
/// layer of random filters `filterWidth` frames wide with ReLU gives the features; the Gram
/// (style) and feature (content) distances are minimised over the spectrogram with L-BFGS; and
/// Griffin-Lim turns the result (expm1, clamped at 0) back into sound.
public enum AudioStyleTransfer {
    /// log(1 + |STFT|) of `samples`: [bins, frames] values, bins = nFFT / 2 + 1.
    /// - Throws: `DSPError` for a clip shorter than one sample or non-finite samples.
    public static func logMagnitude(_ samples: [Float], config: AudioStyleConfig) throws -> Spectrogram {
        var m = try stft(samples, nFFT: config.nFFT, hopLength: config.hopLength).magnitude()
        for i in m.values.indices { m.values[i] = log1p(m.values[i]) }
        return m
    }

    /// A spectrogram as the [1, bins, 1, frames] tensor the filter bank takes.
    public static func tensor(_ s: Spectrogram) -> Tensor {
        Tensor(shape: [1, s.rowCount, 1, s.frameCount], storage: TensorStorage(copying: s.values))
    }

    /// The random feature network of `config` for `bins` frequency channels.
    public static func filterBank(_ config: AudioStyleConfig, bins: Int) throws -> RandomFilterBank {
        try RandomFilterBank(inChannels: bins, scales: FilterScale.audioScales(filters: config.filters, width: config.filterWidth),
                             seed: config.seed)
    }

    /// Transfers the style clip's texture onto the content clip, or synthesises `seconds` of the
    /// style's texture when `content` is `nil`. Both clips are mono at `config.sampleRate`.
    /// - Parameters:
    ///   - progress: after each step; return `false` to stop early.
    /// - Returns: the output samples (mono, `config.sampleRate`) and the loss terms at the end.
    /// - Throws: `StyleError` for bad settings or clips shorter than one filter, `DSPError` from the STFT.
    public static func run(content: [Float]?, style: [Float], seconds: Double?, config: AudioStyleConfig,
                           progress: (StyleProgress) throws -> Bool = { _ in true }) throws -> (samples: [Float], losses: StyleLossValues) {
        try config.validate()
        let limit = Int(config.maximumSeconds * Double(config.sampleRate))
        let styleSpectrogram = try logMagnitude(Array(style.prefix(limit)), config: config)
        let contentSpectrogram = try content.map { try logMagnitude(Array($0.prefix(limit)), config: config) }
        let bins = styleSpectrogram.rowCount
        let frames: Int
        if let contentSpectrogram {
            frames = contentSpectrogram.frameCount
        } else {
            let s = seconds ?? Double(style.count) / Double(config.sampleRate)
            guard s > 0, s <= config.maximumSeconds else {
                throw StyleError.invalidArgument(name: "seconds", value: "\(s)", reason: "must be in (0, \(config.maximumSeconds)]")
            }
            frames = config.frames(samples: Int(s * Double(config.sampleRate)))
        }
        for (name, count) in [("style", styleSpectrogram.frameCount), ("output", frames)] where count < config.filterWidth {
            throw StyleError.invalidArgument(name: "\(name) length", value: "\(count) frames",
                                             reason: "must be at least the filter width (\(config.filterWidth) frames, \(config.filterWidth * config.hopLength) samples)")
        }
        let bank = try filterBank(config, bins: bins)
        let objective = try StyleObjective(bank: bank, style: tensor(styleSpectrogram), content: contentSpectrogram.map(tensor),
                                           weights: config.weights, inputOffset: 0)
        let initial: Tensor
        if let contentSpectrogram, config.initialization == "content" {
            initial = tensor(contentSpectrogram)
        } else {
            var generator = SplitMix64(seed: config.seed &+ 0x5EED)
            initial = Tensor.randn([1, bins, 1, frames], standardDeviation: 1e-3, using: &generator)
        }
        let optimizer = try PixelOptimizer.named(config.optimizer, learningRate: config.learningRate)
        let result = try StyleOptimization.run(objective, initial: initial, steps: config.steps, optimizer: optimizer, progress: progress)
        let losses = try objective.values(result)
        // Back to magnitudes and to sound.
        let magnitude = Spectrogram(values: result.scalars.map { expm1(Swift.max($0, 0)) }, rowCount: bins, frameCount: frames)
        var samples = try griffinLim(magnitude, nIter: config.griffinLimIterations, hopLength: config.hopLength, nFFT: config.nFFT,
                                     length: (frames - 1) * config.hopLength)
        // Peak-normalise to −1 dBFS when louder, so the WAV never clips.
        let peak = samples.reduce(0) { Swift.max($0, abs($1)) }
        if peak > 0.89 { samples = samples.map { $0 * 0.89 / peak } }
        return (samples, losses)
    }
}
