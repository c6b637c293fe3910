import ArgumentParser
import Foundation
import MuseAudio
import MuseDSP
import MuseSupport

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

    @OptionGroup var analysis: MelOptions

    @Option(name: [.customLong("top-db"), .customLong("top_db")], help: "Dynamic range in dB below the peak.")
    var topDB: Float = 80

    @Option(help: "Image scale: pixel rows per mel band.")
    var pixelsPerBand: Int = 2

    @Option(help: "Image scale: pixel columns per frame (default: 1, or up to 8 to bring short clips towards 512 pixels wide).")
    var pixelsPerFrame: Int?

    func validate() throws {
        guard topDB >= 0 else { throw ValidationError("--top-db must be non-negative") }
        guard pixelsPerBand >= 1 else { throw ValidationError("--pixels-per-band must be >= 1") }
        guard (pixelsPerFrame ?? 1) >= 1 else { throw ValidationError("--pixels-per-frame must be >= 1") }
    }

    func run() throws {
        do {
            let audio = try analysis.load(file)
            let mel = try melSpectrogram(audio.samples, sampleRate: analysis.sampleRate,
                                         parameters: analysis.stft, nMels: analysis.nMels)
            let db = try powerToDB(mel, ref: .maximum, topDB: topDB)
            let columns = pixelsPerFrame ?? max(1, min(8, 512 / max(db.frameCount, 1)))
            try SpectrogramImage.render(db, pixelsPerFrame: columns, pixelsPerRow: pixelsPerBand).writePNG(to: output)
            print("wrote \(output) (\(db.frameCount) frames x \(db.rowCount) mel bands)")
            if let npy {
                try NPYFile.write(db.values, shape: db.shape, to: npy)
                print("wrote \(npy) float32 \(db.shape)")
            }
        }
    }
}
