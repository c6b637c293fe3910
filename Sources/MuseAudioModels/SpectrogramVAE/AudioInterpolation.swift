import Foundation
import MuseAudio
import MuseDSP

/// Two audio clips interpolated through a spectrogram VAE: the decoded audio (Griffin-Lim), its
/// spectrogram in dB (for a picture) and how long each step lasts. What `muse interpolate` and
/// `muse studio` write for a spectrogram bundle.
public struct AudioInterpolation {
    /// The decoded steps one after another (or the one morph), mono at the model's sample rate.
    public var audio: AudioBuffer
    /// Log-mel spectrogram of `audio` in dB (`nMels` rows), before inversion.
    public var decibels: Spectrogram
    /// Seconds of one step (the whole clip for a morph).
    public var stepSeconds: Double
    /// For `.steps`: how far each step of the audio heard lies from A and from B, as the mean
    /// absolute log-mel error of `LogMelError` (dB, each referred to its own peak) between the
    /// step's frames of `audio` and the first frames of A and of B (what the walk started from);
    /// empty for a morph or the patch VAE.
    public var stepErrors: [(fromA: Double, fromB: Double)] = []
}

extension SpectrogramSequenceVAE {
    /// Encodes `a` and `b` to latent sequences, walks between them and decodes to audio.
    /// - Parameters:
    ///   - nameA, nameB: names for errors (file names).
    ///   - steps: points of the path, both ends included (≥ 2).
    ///   - mode: `.steps` (clips one after another, `gapSeconds` of silence between) or `.morph`.
    ///   - maxSeconds: each clip is cut to the shorter one and to this many seconds.
    ///   - iterations: Griffin-Lim iterations.
    /// - Throws: `SpectrogramVAEError` for a silent clip or too few steps; DSP errors.
    public func interpolateAudio(_ a: AudioBuffer, named nameA: String, _ b: AudioBuffer, named nameB: String, steps: Int,
                                 spherical: Bool, mode: SpectrogramInterpolationMode, maxSeconds: Double, gapSeconds: Double,
                                 iterations: Int) throws -> AudioInterpolation {
        let start = try normalizedLogMel(of: a, name: nameA)
        let end = try normalizedLogMel(of: b, name: nameB)
        let maxFrames = Swift.max(1, Int(maxSeconds * Double(config.sampleRate) / Double(config.hopLength)))
        let clips = try interpolate(start, end, steps: steps, spherical: spherical, mode: mode, maxFrames: maxFrames)
        let gapFrames = Int(gapSeconds * Double(config.sampleRate) / Double(config.hopLength))
        let gap = [Float](repeating: 0, count: config.nMels * gapFrames)
        let joined = self.joined(clips.enumerated().flatMap { $0.offset == 0 || gapFrames == 0 ? [$0.element] : [gap, $0.element] })
        let (audio, db) = try audio(fromNormalized: joined, iterations: iterations)
        let frames = clips[0].count / config.nMels
        let each = Double(frames * config.hopLength) / Double(config.sampleRate)
        var result = AudioInterpolation(audio: audio, decibels: db, stepSeconds: each)
        if mode == .steps {
            // The output's own log-mel, step k at frame k·(frames + gap): frame f of the joined
            // spectrogram is centred on sample f·hop of the audio, as it is in the re-analysis.
            let heard = try normalizedLogMel(of: audio, name: "interpolation")
            let referenceA = melPower(fromNormalized: Self.firstFrames(start, frames, nMels: config.nMels))
            let referenceB = melPower(fromNormalized: Self.firstFrames(end, frames, nMels: config.nMels))
            result.stepErrors = try (0..<steps).map { k in
                let offset = k * (frames + gapFrames)
                let count = Swift.max(1, Swift.min(frames, heard.frames - offset))
                let step = melPower(fromNormalized: (0..<config.nMels).flatMap { m in heard.values[(m * heard.frames + offset)..<(m * heard.frames + offset + count)] })
                return (try LogMelError.meanAbsoluteDecibels(melPower: step, referenceA), try LogMelError.meanAbsoluteDecibels(melPower: step, referenceB))
            }
        }
        return result
    }
}

extension SpectrogramVAE {
    /// Encodes the first patch of `a` and of `b`, walks between their latent means and decodes the
    /// `steps` patches to audio (cross-faded).
    /// - Throws: `SpectrogramVAEError` for a silent or too-short clip or too few steps; DSP errors.
    public func interpolateAudio(_ a: AudioBuffer, named nameA: String, _ b: AudioBuffer, named nameB: String, steps: Int,
                                 spherical: Bool, iterations: Int) throws -> AudioInterpolation {
        let start = try patches(of: a, name: nameA)[0]
        let end = try patches(of: b, name: nameB)[0]
        let path = try interpolate(from: start, to: end, steps: steps, spherical: spherical)
        let (audio, db) = try audio(from: path, iterations: iterations)
        return AudioInterpolation(audio: audio, decibels: db, stepSeconds: audio.durationSeconds / Double(steps))
    }
}
