import Foundation
import MuseAudio
import MuseDSP

/// Audio ↔ model: log-mel patches of a signal (librosa's `melspectrogram` → `power_to_db(ref=max,
/// top_db)` → [0, 1]), and decoded patches back to audio (crossfade → dB → power → inverse mel →
/// Griffin-Lim).
extension SpectrogramVAE {
    /// Frames shared by neighbouring patches when audio is cut for reconstruction, and when
    /// decoded patches are joined (a quarter patch).
    public var overlapFrames: Int { config.patchFrames / 4 }

    /// The bundle's log-mel front end (shared with `SpectrogramSequenceVAE`).
    public var frontEnd: LogMelFrontEnd {
        LogMelFrontEnd(sampleRate: config.sampleRate, nFFT: config.nFFT, hopLength: config.hopLength, nMels: config.nMels, topDB: config.topDB)
    }

    /// STFT settings of the bundle (librosa defaults otherwise).
    public var stftParameters: STFTParameters { frontEnd.stftParameters }

    /// The normalised log-mel spectrogram of a buffer: `LogMelFrontEnd.normalizedLogMel`.
    public func normalizedLogMel(of buffer: AudioBuffer, name: String) throws -> (values: [Float], frames: Int) {
        try frontEnd.normalizedLogMel(of: buffer, name: name)
    }

    /// Patches of a buffer, a patch every `patchFrames − overlapFrames` frames.
    /// - Throws: `SpectrogramVAEError.tooShort` when the audio is shorter than one patch, `.silent`.
    public func patches(of buffer: AudioBuffer, name: String) throws -> [[Float]] {
        let (values, _) = try normalizedLogMel(of: buffer, name: name)
        do {
            return try SpectrogramPatches.cut(values, nMels: config.nMels, patchFrames: config.patchFrames,
                                              hopFrames: config.patchFrames - overlapFrames)
        } catch let SpectrogramVAEError.tooShort(frames, needed) {
            throw SpectrogramVAEError.audioTooShort(file: name, seconds: buffer.durationSeconds,
                                                    neededSeconds: Double(needed * config.hopLength) / Double(config.sampleRate),
                                                    frames: frames)
        }
    }

    /// Decoded patches joined with crossfades and turned into audio at the model's rate, peak
    /// normalised to −1 dBFS.
    /// - Parameters:
    ///   - patches: each `[nMels, patchFrames]` in [0, 1].
    ///   - iterations: Griffin-Lim iterations (librosa's default 32).
    /// - Returns: the audio and the joined `[nMels, frames]` spectrogram in dB (for pictures).
    public func audio(from patches: [[Float]], iterations: Int = 32) throws -> (audio: AudioBuffer, decibels: Spectrogram) {
        let joined = SpectrogramPatches.crossfade(patches, nMels: config.nMels, patchFrames: config.patchFrames, overlapFrames: overlapFrames)
        return try audio(fromNormalized: joined, iterations: iterations)
    }

    /// A normalised `[nMels, frames]` spectrogram to audio (dB → power → inverse mel → Griffin-Lim),
    /// peak normalised to −1 dBFS. - Returns: the audio and the spectrogram in dB.
    public func audio(fromNormalized values: [Float], iterations: Int = 32) throws -> (audio: AudioBuffer, decibels: Spectrogram) {
        try frontEnd.audio(fromNormalized: values, iterations: iterations)
    }

    /// Audio through the model: its log-mel spectrogram is padded with silence to a whole number of
    /// evenly spaced patches (so audio shorter than one patch works too), each patch is encoded to
    /// its mean and decoded, the patches are crossfaded and trimmed back to the input's frames.
    /// - Returns: audio of the input's duration (at the model's rate) and its dB spectrogram.
    /// - Throws: `SpectrogramVAEError.silent`, DSP errors.
    public func reconstruct(_ buffer: AudioBuffer, name: String, iterations: Int = 32) throws -> (audio: AudioBuffer, decibels: Spectrogram, patches: Int) {
        let (values, frames) = try normalizedLogMel(of: buffer, name: name)
        let P = config.patchFrames, hop = P - overlapFrames
        let count = frames <= P ? 1 : 1 + (frames - P + hop - 1) / hop
        let padded = P + (count - 1) * hop
        var spectrogram = [Float](repeating: 0, count: config.nMels * padded)
        for m in 0..<config.nMels {
            for f in 0..<frames { spectrogram[m * padded + f] = values[m * frames + f] }
        }
        let patches = try SpectrogramPatches.cut(spectrogram, nMels: config.nMels, patchFrames: P, hopFrames: hop)
        let joined = SpectrogramPatches.crossfade(try reconstruct(patches), nMels: config.nMels, patchFrames: P, overlapFrames: overlapFrames)
        var trimmed = [Float](repeating: 0, count: config.nMels * frames)
        for m in 0..<config.nMels {
            for f in 0..<frames { trimmed[m * frames + f] = joined[m * padded + f] }
        }
        let (audio, db) = try audio(fromNormalized: trimmed, iterations: iterations)
        return (audio, db, patches.count)
    }

    /// Writes a PNG of a dB spectrogram (low mels at the bottom, magma colours over −topDB…0 dB).
    public func writePicture(_ decibels: Spectrogram, to path: String) throws {
        try SpectrogramImage.render(decibels, pixelsPerFrame: 2, pixelsPerRow: 2, range: (-config.topDB)...0).writePNG(to: path)
    }
}
