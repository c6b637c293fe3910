import Foundation
import MuseAudio
import MuseDSP

/// The log-mel front end both spectrogram VAEs share: audio → librosa's `melspectrogram` →
/// `power_to_db(ref=np.max, top_db)` → [0, 1], and back (dB → power → inverse mel → Griffin-Lim).
public struct LogMelFrontEnd: Sendable {
    /// Hz of the model's audio.
    public var sampleRate: Int
    /// STFT window and hop, in samples.
    public var nFFT: Int, hopLength: Int
    /// Mel bands.
    public var nMels: Int
    /// dB range kept below the clip's peak (0 ↔ −topDB, 1 ↔ 0 dB).
    public var topDB: Float

    /// STFT settings (librosa defaults otherwise).
    public var stftParameters: STFTParameters { STFTParameters(nFFT: nFFT, hopLength: hopLength) }

    /// The normalised log-mel spectrogram of a buffer (mixed to mono, resampled to `sampleRate`).
    /// - Returns: `[nMels, frames]` mel-major values in [0, 1], and the frame count.
    /// - Throws: `SpectrogramVAEError.silent` for silence, `AudioError`/`DSPError` from the DSP.
    public func normalizedLogMel(of buffer: AudioBuffer, name: String) throws -> (values: [Float], frames: Int) {
        var mono = buffer.channelCount == 1 ? buffer : buffer.monoMixed()
        if mono.sampleRate != Double(sampleRate) { mono = try Resampler.resample(mono, to: Double(sampleRate)) }
        guard mono.peakAmplitude > 0 else { throw SpectrogramVAEError.silent(file: name) }
        let mel = try melSpectrogram(mono.samples, sampleRate: Double(sampleRate), parameters: stftParameters, nMels: nMels)
        let db = try powerToDB(mel, ref: .maximum, topDB: topDB)
        return (SpectrogramPatches.normalize(decibels: db.values, topDB: topDB), db.frameCount)
    }

    /// A normalised `[nMels, frames]` spectrogram in dB below the peak.
    public func decibels(fromNormalized values: [Float]) -> Spectrogram {
        Spectrogram(values: SpectrogramPatches.denormalize(values, topDB: topDB), rowCount: nMels, frameCount: values.count / nMels)
    }

    /// A normalised `[nMels, frames]` spectrogram as mel power (for inversion and metrics).
    public func melPower(fromNormalized values: [Float]) -> Spectrogram {
        dbToPower(decibels(fromNormalized: values))
    }

    /// A normalised `[nMels, frames]` spectrogram to audio (dB → power → inverse mel → Griffin-Lim),
    /// peak normalised to −1 dBFS.
    /// - Parameter length: samples of the output (librosa's `length`); `nil` keeps the inverse's own.
    /// - Returns: the audio and the spectrogram in dB.
    public func audio(fromNormalized values: [Float], iterations: Int, length: Int? = nil) throws -> (audio: AudioBuffer, decibels: Spectrogram) {
        let db = decibels(fromNormalized: values)
        let samples = try melToAudio(dbToPower(db), sampleRate: Double(sampleRate), parameters: stftParameters, nIter: iterations,
                                     length: length)
        var audio = AudioBuffer(mono: samples.map { $0.isFinite ? $0 : 0 }, sampleRate: Double(sampleRate))
        if audio.peakAmplitude > 0 { audio.normalizePeak(toDecibels: -1) }
        return (audio, db)
    }
}
