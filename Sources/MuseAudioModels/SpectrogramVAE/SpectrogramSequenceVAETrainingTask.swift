import Foundation
import MuseAudio
import MuseCore
import MuseTraining

/// One clip's normalised log-mel spectrogram `[nMels, frames]` (mel-major, values in [0, 1]).
public struct NormalizedSpectrogram: Sendable {
    /// `[nMels, frames]` values.
    public var values: [Float]
    /// Time frames.
    public var frames: Int
    /// The file it came from.
    public var name: String

    /// Wraps values of one clip.
    public init(values: [Float], frames: Int, name: String) { (self.values, self.frames, self.name) = (values, frames, name) }
}

/// The sequence spectrogram VAE as a `TrainingTask` for the shared `Trainer`: each step draws
/// `batchSize` clips (uniformly over files) and a `cropFrames` window of each (shorter clips are
/// padded with silence), and ε, all from the trainer's generator; the KL weight follows
/// `config.beta(atStep:)` of the trainer's step, so a resumed run is exact. Evaluation encodes each
/// held-out clip whole to its latent means, decodes it and reports the mean absolute log-mel error
/// in dB (`LogMelError`) and the KL per second.
public final class SpectrogramSequenceVAETrainingTask: LossTrainingTask {
    /// The model.
    public let model: SpectrogramSequenceVAE
    /// Training clips.
    public let train: [NormalizedSpectrogram]
    /// Held-out clips (the first `maxEvalClips` training clips are evaluated when there are none).
    public let eval: [NormalizedSpectrogram]
    /// Clips evaluated at most.
    public let maxEvalClips: Int
    /// Steps completed before the current one (set by the trainer).
    public private(set) var step = 0
    public var module: any Module { model }
    public var bundleKind: String { SpectrogramSequenceVAEConfig.bundleKind }

    /// - Throws: `SpectrogramVAEError.invalidConfiguration` when there is no training clip,
    ///   `.badPatch` for a clip whose size is not `nMels · frames` or with a non-finite value.
    public init(model: SpectrogramSequenceVAE, train: [NormalizedSpectrogram], eval: [NormalizedSpectrogram], maxEvalClips: Int = 64) throws {
        guard !train.isEmpty else { throw SpectrogramVAEError.invalidConfiguration("no training clips") }
        for clip in train + eval {
            guard clip.frames > 0, clip.values.count == model.config.nMels * clip.frames, clip.values.allSatisfy(\.isFinite) else {
                throw SpectrogramVAEError.badPatch(reason: "\(clip.name): \(clip.values.count) values are not \(model.config.nMels) × \(clip.frames) finite values")
            }
        }
        self.model = model
        self.train = train
        self.eval = eval
        self.maxEvalClips = maxEvalClips
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public func willTrain(step: Int) { self.step = step }

    /// A `cropFrames` window of a clip starting at `start` (silence past its end).
    func crop(_ clip: NormalizedSpectrogram, start: Int) -> [Float] {
        let n = model.config.cropFrames, M = model.config.nMels
        var out = [Float](repeating: 0, count: M * n)
        let length = Swift.min(n, clip.frames - start)
        clip.values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for m in 0..<M { for f in 0..<length { dst[m * n + f] = src[m * clip.frames + start + f] } }
            }
        }
        return out
    }

    /// Clip indices, crop offsets, then ε ~ N(0, I) shaped as μ, all from `generator`.
    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The global batch's clips, crops and ε from `generator`, of which `shard`'s rows are scored,
    /// weighted by their share of the batch.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let c = model.config
        var picks: [(clip: Int, start: Int)] = []
        for _ in 0..<c.batchSize {
            let clip = Int(generator.next() % UInt64(train.count))
            let room = train[clip].frames - c.cropFrames
            picks.append((clip, room > 0 ? Int(generator.next() % UInt64(room + 1)) : 0))
        }
        let allEpsilon = Tensor.randn([c.batchSize, c.zChannels, 1, c.cropFrames / c.framesPerLatent], using: &generator)
        let rows = try shard.rows(ofBatch: c.batchSize)
        let batch = picks[rows].map { crop(train[$0.clip], start: $0.start) }
        let epsilon = try shard.slice(allEpsilon, rows: rows)
        let loss = try model.loss(spectrograms: model.tensor(batch, frames: c.cropFrames), epsilon: epsilon, beta: c.beta(atStep: step)).total
        return shard.weighted(loss, local: rows.count, global: c.batchSize)
    }

    /// `error_db`: mean absolute log-mel error (dB, `LogMelError`) of the decoded latent means over
    /// the evaluated clips; `kl`: nats per second of audio; `clips` evaluated.
    public func evaluate() throws -> Metrics {
        let clips = Array((eval.isEmpty ? train : eval).prefix(maxEvalClips))
        var error = 0.0, kl = 0.0, seconds = 0.0
        for clip in clips {
            let (x, total) = model.padded(clip.values, frames: clip.frames)
            try noGrad {
                let (m, lv) = try model.encode(model.tensor([x], frames: total))
                kl += Double(try gaussianKLDivergence(mean: m, logVariance: lv).item())
            }
            let decoded = try model.reconstruct(clip.values, frames: clip.frames)
            error += try LogMelError.meanAbsoluteDecibels(melPower: model.melPower(fromNormalized: clip.values), model.melPower(fromNormalized: decoded))
            seconds += Double(clip.frames * model.config.hopLength) / Double(model.config.sampleRate)
        }
        let count = Double(Swift.max(clips.count, 1))
        return Metrics(["error_db": error / count, "kl_per_second": kl / Swift.max(seconds, 1e-9), "clips": Double(clips.count)])
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "eval log-mel error %.2f dB, KL %.1f nats/s over %d %@clips",
               metrics["error_db"] ?? .nan, metrics["kl_per_second"] ?? .nan, Int(metrics["clips"] ?? 0), eval.isEmpty ? "training " : "held-out ")
    }
}

extension SpectrogramSequenceVAE {
    /// The bundle kind: sequence spectrogram VAEs reconstruct, interpolate and are evaluated on audio.
    public static let bundleKind = BundleKind(
        name: SpectrogramSequenceVAEConfig.bundleKind, summary: "spectrogram VAE with a latent sequence (log-mel spectrograms of audio)",
        capabilities: [.interpolate, .reconstruct, .evaluate]) { try SpectrogramSequenceVAE.load(bundle: $0) }

    /// Loads an opened bundle.
    /// - Throws: `TrainingError` naming the field or tensor that does not fit.
    public static func load(bundle: ModelBundle) throws -> SpectrogramSequenceVAE {
        let model = try SpectrogramSequenceVAE(config: bundle.config(SpectrogramSequenceVAEConfig.self))
        try bundle.loadWeights(into: model)
        model.train(false)
        return model
    }

    /// Writes a bundle folder (`config.json`, `model.safetensors`).
    public func save(bundle directory: URL, step: Int? = nil) throws {
        try ModelBundle.write(to: directory, kind: SpectrogramSequenceVAEConfig.bundleKind, configJSON: ModelBundle.encode(config), step: step,
                              metrics: nil, module: self)
    }
}

extension SpectrogramVAEDataset {
    /// The normalised log-mel spectrogram of every readable, non-silent file under `directory`,
    /// split by file into training and held-out clips (`HeldOutSplit`, stable when files are added).
    /// - Returns: the clips and a one-line summary.
    /// - Throws: `SpectrogramVAEError.invalidConfiguration` for an unreadable folder or a ratio outside [0, 1).
    public static func spectrograms(directory: String, model: SpectrogramSequenceVAE, maxFiles: Int = .max, evalRatio: Double = 0,
                                    seed: UInt64 = 0) throws -> (train: [NormalizedSpectrogram], eval: [NormalizedSpectrogram], summary: String) {
        guard evalRatio >= 0 && evalRatio < 1 else {
            throw SpectrogramVAEError.invalidConfiguration("eval ratio \(evalRatio) must lie in [0, 1)")
        }
        let files = Array(try files(in: directory).prefix(maxFiles))
        var results = [NormalizedSpectrogram?](repeating: nil, count: files.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let s = try? model.normalizedLogMel(of: AudioFile.read(files[i]), name: files[i])
            lock.lock(); results[i] = s.map { NormalizedSpectrogram(values: $0.values, frames: $0.frames, name: files[i]) }; lock.unlock()
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var train: [NormalizedSpectrogram] = [], eval: [NormalizedSpectrogram] = []
        for (path, clip) in zip(files, results) {
            guard let clip else { continue }
            let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            if HeldOutSplit.isHeldOut(relativePath: relative, seed: seed, ratio: evalRatio) { eval.append(clip) } else { train.append(clip) }
        }
        let skipped = results.filter { $0 == nil }.count
        let seconds = (train + eval).reduce(0) { $0 + $1.frames } * model.config.hopLength / model.config.sampleRate
        return (train, eval, "\(files.count) audio files (\(skipped) unreadable or silent), \(seconds) s: "
                    + "\(train.count) training clips, \(eval.count) held-out clips")
    }
}
