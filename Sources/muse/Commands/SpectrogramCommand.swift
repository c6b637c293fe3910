import ArgumentParser
import Foundation
import MuseAudio
import MuseDSP

/// `muse spectrogram FILE -o out.png [--npy out.npy]`: a log-mel spectrogram picture and/or array.
struct SpectrogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrogram",
        abstract: "Draw a log-mel spectrogram (librosa.feature.melspectrogram + power_to_db(ref=max)) as PNG and/or .npy.")

    @Argument(help: "Input sound file.")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "PNG to write (time across, low frequencies at the bottom).")
    var output: String = "output/spectrogram.png"

    @Option(help: "Also write the dB values as a NumPy .npy array [n_mels, frames] float32.")
    var npy: String?

    @Option(name: [.customLong("sample-rate"), .customLong("sr")], help: "Resample to this rate in Hz before analysis (librosa.load's default).")
    var sampleRate: Double = 22050

    @Option(name: [.customLong("n-mels"), .customLong("n_mels")], help: "Mel bands.")
    var nMels: Int = 128

    @Option(name: [.customLong("n-fft"), .customLong("n_fft")], help: "FFT size in samples.")
    var nFFT: Int = 2048

    @Option(name: [.customLong("hop-length"), .customLong("hop_length")], help: "Samples between frames.")
    var hopLength: Int = 512

    @Option(name: [.customLong("top-db"), .customLong("top_db")], help: "Dynamic range in dB below the peak.")
    var topDB: Float = 80

    @Option(help: "Image scale: pixel rows per mel band.")
    var pixelsPerBand: Int = 2

    func validate() throws {
        guard nMels > 0 else { throw ValidationError("--n-mels must be positive") }
        guard nFFT > 0, nFFT % 2 == 0 else { throw ValidationError("--n-fft must be a positive even number") }
        guard hopLength > 0 else { throw ValidationError("--hop-length must be positive") }
        guard sampleRate > 0 else { throw ValidationError("--sample-rate must be positive") }
        guard topDB >= 0 else { throw ValidationError("--top-db must be non-negative") }
        guard pixelsPerBand >= 1 else { throw ValidationError("--pixels-per-band must be >= 1") }
    }

    func run() throws {
        try runReportingAudioErrors {
            let audio = try AudioFile.load(file, sampleRate: sampleRate, mono: true)
            let mel = try melSpectrogram(audio.samples, sampleRate: sampleRate,
                                         parameters: STFTParameters(nFFT: nFFT, hopLength: hopLength), nMels: nMels)
            let db = try powerToDB(mel, ref: .maximum, topDB: topDB)
            try SpectrogramImage.render(db, pixelsPerRow: pixelsPerBand).writePNG(to: output)
            print("wrote \(output) (\(db.frameCount) frames x \(db.rowCount) mel bands)")
            if let npy {
                try NPYFile.write(db.values, shape: db.shape, to: npy)
                print("wrote \(npy) float32 \(db.shape)")
            }
        }
    }
}
