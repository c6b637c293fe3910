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

    @OptionGroup var analysis: MelOptions

    @Option(name: [.customLong("n-iter"), .customLong("n_iter")], help: "Griffin-Lim iterations.")
    var nIter: Int = 32

    @Option(help: "Seed of the random initial phases.")
    var seed: UInt64 = 0

    func validate() throws {
        guard nIter >= 0 else { throw ValidationError("--n-iter must be >= 0") }
    }

    func run() throws {
        do {
            let audio = try analysis.load(file)
            let parameters = analysis.stft
            let mel = try melSpectrogram(audio.samples, sampleRate: analysis.sampleRate, parameters: parameters, nMels: analysis.nMels)
            let y = try melToAudio(mel, sampleRate: analysis.sampleRate, parameters: parameters, nIter: nIter,
                                   length: audio.frameCount, initialPhase: .random(seed: seed))
            try AudioFile.write(AudioBuffer(mono: y, sampleRate: analysis.sampleRate), to: output)
            print("wrote \(output) (\(String(format: "%.2f", Double(y.count) / analysis.sampleRate)) s)")
        }
    }
}
