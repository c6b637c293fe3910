import Foundation
import MuseAudio
import MuseDSP
import MuseTraining

/// How `SpectrogramSequenceVAE.interpolate` walks from A to B.
public enum SpectrogramInterpolationMode: String, CaseIterable, Sendable {
    /// `steps` clips, each decoded from one point of the latent path (the first is A's latent, the last B's).
    case steps
    /// One clip whose latent frames move from A's to B's over its length (frame j at t = j / (latentFrames − 1)).
    case morph
}

/// Audio ↔ model: the normalised log-mel spectrogram of a signal, and spectrograms back to audio.
extension SpectrogramSequenceVAE {
    /// The bundle's log-mel front end (shared with `SpectrogramVAE`).
    public var frontEnd: LogMelFrontEnd {
        LogMelFrontEnd(sampleRate: config.sampleRate, nFFT: config.nFFT, hopLength: config.hopLength, nMels: config.nMels, topDB: config.topDB)
    }

    /// STFT settings of the bundle.
    public var stftParameters: STFTParameters { frontEnd.stftParameters }

    /// Griffin-Lim iterations used when none are given (see `muse evaluate spec-vae` for the
    /// inversion error against iterations).
    public static let defaultIterations = 64

    /// The normalised log-mel spectrogram of a buffer: `LogMelFrontEnd.normalizedLogMel`.
    public func normalizedLogMel(of buffer: AudioBuffer, name: String) throws -> (values: [Float], frames: Int) {
        try frontEnd.normalizedLogMel(of: buffer, name: name)
    }

    /// A normalised `[nMels, frames]` spectrogram as mel power (dB below 0 → power), for inversion and metrics.
    public func melPower(fromNormalized values: [Float]) -> Spectrogram { frontEnd.melPower(fromNormalized: values) }

    /// A normalised `[nMels, frames]` spectrogram to audio of `frames − 1` hops (dB → power → inverse
    /// mel → Griffin-Lim), peak normalised to −1 dBFS. - Returns: the audio and the spectrogram in dB.
    public func audio(fromNormalized values: [Float], iterations: Int = SpectrogramSequenceVAE.defaultIterations) throws
        -> (audio: AudioBuffer, decibels: Spectrogram) {
        let frames = values.count / config.nMels
        return try frontEnd.audio(fromNormalized: values, iterations: iterations, length: Swift.max(1, frames - 1) * config.hopLength)
    }

    /// Audio through the model: its whole log-mel spectrogram is encoded to the latent means and
    /// decoded (any length), then inverted with Griffin-Lim.
    /// - Returns: audio of the input's duration (at the model's rate), its dB spectrogram, and the
    ///   decoded normalised spectrogram `[nMels, frames]`.
    public func reconstruct(_ buffer: AudioBuffer, name: String, iterations: Int = SpectrogramSequenceVAE.defaultIterations) throws
        -> (audio: AudioBuffer, decibels: Spectrogram, normalized: [Float]) {
        let (values, frames) = try normalizedLogMel(of: buffer, name: name)
        let decoded = try reconstruct(values, frames: frames)
        let (audio, db) = try audio(fromNormalized: decoded, iterations: iterations)
        return (audio, db, decoded)
    }

    /// Interpolates between two normalised spectrograms. Both are cut to the shorter one's frames
    /// (and to `maxFrames`), so their latent sequences align frame by frame; each latent frame
    /// walks its own line (or great circle with `spherical`).
    /// - Returns: `.steps`: `steps` spectrograms `[nMels, frames]`; `.morph`: one.
    /// - Throws: `SpectrogramVAEError.tooFewSteps` for steps < 2, `.badPatch`.
    public func interpolate(_ a: (values: [Float], frames: Int), _ b: (values: [Float], frames: Int), steps: Int, spherical: Bool,
                            mode: SpectrogramInterpolationMode = .steps, maxFrames: Int = .max) throws -> [[Float]] {
        guard steps >= 2 else { throw SpectrogramVAEError.tooFewSteps(steps) }
        let frames = Swift.max(1, Swift.min(a.frames, b.frames, maxFrames))
        let (za, latentFrames) = try latentMean(Self.firstFrames(a, frames, nMels: config.nMels), frames: frames)
        let (zb, _) = try latentMean(Self.firstFrames(b, frames, nMels: config.nMels), frames: frames)
        let Z = config.zChannels
        // Per latent frame j: the path between A's vector and B's (channel-major storage).
        func vector(_ z: [Float], _ j: Int) -> [Float] { (0..<Z).map { z[$0 * latentFrames + j] } }
        var paths: [[[Float]]] = []  // [frame][step][channel]
        for j in 0..<latentFrames {
            let count = mode == .steps ? steps : latentFrames
            paths.append(LatentPath.points(from: vector(za, j), to: vector(zb, j), steps: Swift.max(2, count), spherical: spherical))
        }
        func decodeTrimmed(_ latent: [Float]) throws -> [Float] {
            let out = try decode(latent: latent, frames: latentFrames)
            let total = latentFrames * config.framesPerLatent
            return (0..<config.nMels).flatMap { m in out[(m * total)..<(m * total + frames)] }
        }
        switch mode {
        case .steps:
            return try (0..<steps).map { s in
                var latent = [Float](repeating: 0, count: Z * latentFrames)
                for j in 0..<latentFrames { for c in 0..<Z { latent[c * latentFrames + j] = paths[j][s][c] } }
                return try decodeTrimmed(latent)
            }
        case .morph:
            var latent = [Float](repeating: 0, count: Z * latentFrames)
            for j in 0..<latentFrames {
                let point = latentFrames == 1 ? paths[j][0] : paths[j][j]
                for c in 0..<Z { latent[c * latentFrames + j] = point[c] }
            }
            return [try decodeTrimmed(latent)]
        }
    }

    /// The first `frames` frames of a `[nMels, s.frames]` spectrogram (frames ≤ s.frames).
    static func firstFrames(_ s: (values: [Float], frames: Int), _ frames: Int, nMels: Int) -> [Float] {
        (0..<nMels).flatMap { m in s.values[(m * s.frames)..<(m * s.frames + frames)] }
    }

    /// Spectrograms `[nMels, frames_k]` joined in time.
    public func joined(_ spectrograms: [[Float]]) -> [Float] {
        let counts = spectrograms.map { $0.count / config.nMels }, total = counts.reduce(0, +)
        var out = [Float](repeating: 0, count: config.nMels * total)
        var offset = 0
        for (s, n) in zip(spectrograms, counts) {
            for m in 0..<config.nMels { for f in 0..<n { out[m * total + offset + f] = s[m * n + f] } }
            offset += n
        }
        return out
    }

    /// Writes a PNG of a dB spectrogram (low mels at the bottom, magma colours over −topDB…0 dB).
    public func writePicture(_ decibels: Spectrogram, to path: String) throws {
        try SpectrogramImage.render(decibels, pixelsPerFrame: 2, pixelsPerRow: 2, range: (-config.topDB)...0).writePNG(to: path)
    }
}
