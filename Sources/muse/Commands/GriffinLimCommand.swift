import ArgumentParser
import Foundation
import MuseAudio
import MuseDSP

/// `muse griffinlim IN -o OUT.wav`: wav → mel → wav, to hear what a mel spectrogram keeps.
struct GriffinLimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "griffinlim",
        abstract: "Round-trip audio through a mel spectrogram and back (librosa.feature.inverse.mel_to_audio).")

    @Argument(help: "Input sound file.")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "WAV to write (16-bit PCM).")
    var output: String = "output/griffinlim.wav"

    @Option(name: [.customLong("sample-rate"), .customLong("sr")], help: "Analysis and output rate in Hz.")
    var sampleRate: Double = 22050

    @Option(name: [.customLong("n-mels"), .customLong("n_mels")], help: "Mel bands.")
    var nMels: Int = 128

    @Option(name: [.customLong("n-fft"), .customLong("n_fft")], help: "FFT size in samples.")
    var nFFT: Int = 2048

    @Option(name: [.customLong("hop-length"), .customLong("hop_length")], help: "Samples between frames.")
    var hopLength: Int = 512

    @Option(name: [.customLong("n-iter"), .customLong("n_iter")], help: "Griffin-Lim iterations.")
    var nIter: Int = 32

    @Option(help: "Seed of the random initial phases.")
    var seed: UInt64 = 0

    func validate() throws {
        guard nMels > 0 else { throw ValidationError("--n-mels must be positive") }
        guard nFFT > 0, nFFT % 2 == 0 else { throw ValidationError("--n-fft must be a positive even number") }
        guard hopLength > 0 else { throw ValidationError("--hop-length must be positive") }
        guard nIter >= 0 else { throw ValidationError("--n-iter must be >= 0") }
        guard sampleRate > 0 else { throw ValidationError("--sample-rate must be positive") }
    }

    func run() throws {
        try runReportingAudioErrors {
            let audio = try AudioFile.load(file, sampleRate: sampleRate, mono: true)
            let parameters = STFTParameters(nFFT: nFFT, hopLength: hopLength)
            let mel = try melSpectrogram(audio.samples, sampleRate: sampleRate, parameters: parameters, nMels: nMels)
            let y = try melToAudio(mel, sampleRate: sampleRate, parameters: parameters, nIter: nIter,
                                   length: audio.frameCount, initialPhase: .random(seed: seed))
            try AudioFile.write(AudioBuffer(mono: y, sampleRate: sampleRate), to: output)
            print("wrote \(output) (\(String(format: "%.2f", Double(y.count) / sampleRate)) s)")
        }
    }
}
