import Foundation
import MuseAudio
import MuseCore

/// How well a sequence spectrogram VAE reconstructs audio: per clip, the mean absolute log-mel
/// error (`LogMelError`, dB) of the model alone (mel in → mel out), of `reconstruct` through audio
/// (model, then inverse mel + Griffin-Lim, then mel again) and of the inversion alone (the clip's own
/// mel → Griffin-Lim → mel), and the KL of its latent sequence.
public struct SpectrogramVAEEvaluation: Codable, Sendable {
    /// One clip's figures.
    public struct Clip: Codable, Sendable {
        /// The file.
        public var file: String
        /// Duration in seconds.
        public var seconds: Double
        /// dB error of the decoded spectrogram against the input's (no inversion).
        public var modelDecibels: Double
        /// dB error of `muse reconstruct`'s audio against the input audio.
        public var reconstructDecibels: Double
        /// dB error of the input's own mel spectrogram inverted to audio (the floor set by Griffin-Lim).
        public var inversionDecibels: Double
        /// KL(q(z|x) ‖ N(0, I)) in nats per second of audio.
        public var klPerSecond: Double
    }

    /// Every clip evaluated, in path order.
    public var clips: [Clip]
    /// Griffin-Lim iterations used.
    public var iterations: Int
    /// Files skipped (unreadable or silent), with the reason.
    public var skipped: [String]

    /// Mean of a field over the clips.
    public func mean(_ field: (Clip) -> Double) -> Double { clips.isEmpty ? .nan : clips.map(field).reduce(0, +) / Double(clips.count) }

    /// Evaluates a file, or every audio file of a folder (recursively).
    /// - Throws: `SpectrogramVAEError.invalidConfiguration` when nothing can be evaluated, audio errors for a single unreadable file.
    public static func evaluate(model: SpectrogramSequenceVAE, path: String, iterations: Int = SpectrogramSequenceVAE.defaultIterations) throws -> SpectrogramVAEEvaluation {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw SpectrogramVAEError.invalidConfiguration("\(path) does not exist")
        }
        let files = isFolder.boolValue ? try SpectrogramVAEDataset.files(in: path) : [path]
        var clips: [Clip] = [], skipped: [String] = []
        for file in files {
            do {
                clips.append(try evaluate(model: model, buffer: AudioFile.read(file), name: file, iterations: iterations))
            } catch {
                if !isFolder.boolValue { throw error }
                skipped.append("\(file): \(error)")
            }
        }
        guard !clips.isEmpty else {
            throw SpectrogramVAEError.invalidConfiguration("no audio to evaluate in \(path)" + (skipped.first.map { " (\($0))" } ?? ""))
        }
        return SpectrogramVAEEvaluation(clips: clips, iterations: iterations, skipped: skipped)
    }

    /// One buffer's figures.
    public static func evaluate(model: SpectrogramSequenceVAE, buffer: AudioBuffer, name: String, iterations: Int) throws -> Clip {
        let (values, frames) = try model.normalizedLogMel(of: buffer, name: name)
        let decoded = try model.reconstruct(values, frames: frames)
        let original = model.melPower(fromNormalized: values)
        let modelError = try LogMelError.meanAbsoluteDecibels(melPower: original, model.melPower(fromNormalized: decoded))
        let input = buffer.channelCount == 1 ? buffer : buffer.monoMixed()
        let reconstructed = try model.audio(fromNormalized: decoded, iterations: iterations).audio
        let inverted = try model.audio(fromNormalized: values, iterations: iterations).audio
        let (padded, total) = model.padded(values, frames: frames)
        let kl = try model.latentKL(padded, frames: total)
        let seconds = Double(frames * model.config.hopLength) / Double(model.config.sampleRate)
        return Clip(file: name, seconds: seconds, modelDecibels: modelError,
                    reconstructDecibels: try LogMelError.meanAbsoluteDecibels(reconstructed, input),
                    inversionDecibels: try LogMelError.meanAbsoluteDecibels(inverted, input), klPerSecond: kl / Swift.max(seconds, 1e-9))
    }

    /// Means over the clips, one line each.
    public var summary: String {
        var lines = [String(format: "%d clips, %.1f s (Griffin-Lim %d iterations)", clips.count, clips.reduce(0) { $0 + $1.seconds }, iterations)]
        lines.append(String(format: "log-mel error, model alone (mel → mel):       %.2f dB", mean(\.modelDecibels)))
        lines.append(String(format: "log-mel error, reconstruct (audio → audio):   %.2f dB", mean(\.reconstructDecibels)))
        lines.append(String(format: "log-mel error, inversion alone (mel → audio): %.2f dB", mean(\.inversionDecibels)))
        lines.append(String(format: "KL: %.1f nats per second", mean(\.klPerSecond)))
        if !skipped.isEmpty { lines.append("skipped \(skipped.count): " + skipped.joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}

extension SpectrogramSequenceVAE {
    /// KL(q(z|x) ‖ N(0, I)) in nats of one spectrogram.
    /// - Parameter values: `[nMels, frames]` with frames a multiple of `2^downsamplings`.
    public func latentKL(_ values: [Float], frames: Int) throws -> Double {
        try noGrad {
            let (m, lv) = try encode(tensor([values], frames: frames))
            return Double(try gaussianKLDivergence(mean: m, logVariance: lv).item())
        }
    }
}
