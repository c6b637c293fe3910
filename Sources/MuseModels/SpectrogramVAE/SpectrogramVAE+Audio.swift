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

    /// STFT settings of the bundle (librosa defaults otherwise).
    public var stftParameters: STFTParameters { STFTParameters(nFFT: config.nFFT, hopLength: config.hopLength) }

    /// The normalised log-mel spectrogram of a buffer (mixed to mono, resampled to the model's rate).
    /// - Returns: `[nMels, frames]` mel-major values in [0, 1], and the frame count.
    /// - Throws: `SpectrogramVAEError.silent` for silence, `AudioError`/`DSPError` from the DSP.
    public func normalizedLogMel(of buffer: AudioBuffer, name: String) throws -> (values: [Float], frames: Int) {
        var mono = buffer.channelCount == 1 ? buffer : buffer.monoMixed()
        if mono.sampleRate != Double(config.sampleRate) { mono = try Resampler.resample(mono, to: Double(config.sampleRate)) }
        guard mono.peakAmplitude > 0 else { throw SpectrogramVAEError.silent(file: name) }
        let mel = try melSpectrogram(mono.samples, sampleRate: Double(config.sampleRate), parameters: stftParameters, nMels: config.nMels)
        let db = try powerToDB(mel, ref: .maximum, topDB: config.topDB)
        return (SpectrogramPatches.normalize(decibels: db.values, topDB: config.topDB), db.frameCount)
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
        let frames = joined.count / config.nMels
        let db = Spectrogram(values: SpectrogramPatches.denormalize(joined, topDB: config.topDB), rowCount: config.nMels, frameCount: frames)
        let samples = try melToAudio(dbToPower(db), sampleRate: Double(config.sampleRate), parameters: stftParameters, nIter: iterations)
        var audio = AudioBuffer(mono: samples.map { $0.isFinite ? $0 : 0 }, sampleRate: Double(config.sampleRate))
        if audio.peakAmplitude > 0 { audio.normalizePeak(toDecibels: -1) }
        return (audio, db)
    }

    /// Writes a PNG of a dB spectrogram (low mels at the bottom, magma colours over −topDB…0 dB).
    public func writePicture(_ decibels: Spectrogram, to path: String) throws {
        try SpectrogramImage.render(decibels, pixelsPerFrame: 2, pixelsPerRow: 2, range: (-config.topDB)...0).writePNG(to: path)
    }
}
