import ArgumentParser
import MuseAudio
import MuseDSP

/// Mel-spectrogram analysis flags shared by `muse spectrogram` and `muse griffinlim`, named and
/// defaulted as librosa's (`sr`, `n_mels`, `n_fft`, `hop_length`; underscore spellings accepted).
struct MelOptions: ParsableArguments {
    @Option(name: [.customLong("sample-rate"), .customLong("sr")], help: "Resample to this rate in Hz before analysis (librosa.load's default).")
    var sampleRate: Double = 22050

    @Option(name: [.customLong("res-type"), .customLong("res_type")],
            help: "Resampling filter, as librosa's res_type: \(ResampleQuality.allCases.map(\.rawValue).joined(separator: ", ")).")
    var resType: ResampleQuality = .soxrHQ

    @Option(name: [.customLong("n-mels"), .customLong("n_mels")], help: "Mel bands.")
    var nMels: Int = 128

    @Option(name: [.customLong("n-fft"), .customLong("n_fft")], help: "FFT size in samples.")
    var nFFT: Int = 2048

    @Option(name: [.customLong("hop-length"), .customLong("hop_length")], help: "Samples between frames.")
    var hopLength: Int = 512

    func validate() throws {
        guard nMels > 0 else { throw ValidationError("--n-mels must be positive") }
        guard nFFT > 0, nFFT % 2 == 0 else { throw ValidationError("--n-fft must be a positive even number") }
        guard hopLength > 0 else { throw ValidationError("--hop-length must be positive") }
        guard sampleRate > 0 else { throw ValidationError("--sample-rate must be positive") }
    }

    /// Reads `file` as librosa.load with these flags: mono, resampled to `sampleRate`.
    func load(_ file: String) throws -> AudioBuffer {
        try AudioFile.load(file, sampleRate: sampleRate, mono: true, quality: resType)
    }

    /// The STFT these flags describe.
    var stft: STFTParameters { STFTParameters(nFFT: nFFT, hopLength: hopLength) }
}

extension ResampleQuality: ExpressibleByArgument {}
