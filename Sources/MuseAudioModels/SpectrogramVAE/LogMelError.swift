import Foundation
import MuseAudio
import MuseDSP

/// The reconstruction error a listener's ear roughly follows: the mean absolute difference of two
/// log-mel spectrograms, each referred to its own peak and floored `rangeDecibels` below it
/// (librosa `power_to_db(melspectrogram(y, n_fft=2048, hop_length=512, n_mels=128), ref=np.max, top_db=60)`).
public enum LogMelError {
    /// STFT settings of the metric (n_fft 2048, hop 512).
    public static let parameters = STFTParameters(nFFT: 2048, hopLength: 512)
    /// Mel bands of the metric.
    public static let nMels = 128
    /// dB kept below each spectrogram's peak.
    public static let rangeDecibels: Float = 60

    /// Mean |dB(a) − dB(b)| over the frames both have (the first `min(framesA, framesB)`).
    /// - Parameters: a, b: `[nMels, frames]` mel power spectrograms with the same row count.
    /// - Returns: decibels.
    /// - Throws: `SpectrogramVAEError.badPatch` for different row counts or no frame.
    public static func meanAbsoluteDecibels(melPower a: Spectrogram, _ b: Spectrogram, rangeDecibels: Float = LogMelError.rangeDecibels) throws -> Double {
        guard a.rowCount == b.rowCount, a.frameCount > 0, b.frameCount > 0 else {
            throw SpectrogramVAEError.badPatch(reason: "cannot compare [\(a.rowCount), \(a.frameCount)] with [\(b.rowCount), \(b.frameCount)]")
        }
        let da = try powerToDB(a, ref: .maximum, topDB: rangeDecibels), db = try powerToDB(b, ref: .maximum, topDB: rangeDecibels)
        let frames = Swift.min(a.frameCount, b.frameCount)
        var sum = 0.0
        for r in 0..<a.rowCount {
            for f in 0..<frames { sum += Double(Swift.abs(da[r, f] - db[r, f])) }
        }
        return sum / Double(a.rowCount * frames)
    }

    /// The metric's mel power spectrogram of a buffer (mono mix, at its own rate).
    /// - Throws: `SpectrogramVAEError.silent` for silence, DSP errors.
    public static func melPower(of buffer: AudioBuffer, name: String = "audio") throws -> Spectrogram {
        let mono = buffer.channelCount == 1 ? buffer : buffer.monoMixed()
        guard mono.peakAmplitude > 0 else { throw SpectrogramVAEError.silent(file: name) }
        return try melSpectrogram(mono.samples, sampleRate: mono.sampleRate, parameters: parameters, nMels: nMels)
    }

    /// Mean |dB(a) − dB(b)| of two buffers (resampled to `a`'s rate when they differ), as above.
    public static func meanAbsoluteDecibels(_ a: AudioBuffer, _ b: AudioBuffer) throws -> Double {
        var b = b
        if b.sampleRate != a.sampleRate { b = try Resampler.resample(b.channelCount == 1 ? b : b.monoMixed(), to: a.sampleRate) }
        return try meanAbsoluteDecibels(melPower: melPower(of: a, name: "first clip"), melPower(of: b, name: "second clip"))
    }
}
