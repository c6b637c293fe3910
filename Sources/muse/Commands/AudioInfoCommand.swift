import ArgumentParser
import Foundation
import MuseAudio

/// `muse audio info FILE`: the header of a sound file.
struct AudioInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a sound file's format, sample rate, channels, frames and duration.")

    @Argument(help: "A sound file libsndfile reads (WAV, FLAC, OGG, AIFF, …).")
    var file: String

    func run() throws {
        do {
            let info = try AudioFile.info(file)
            print("""
                file:        \(info.path)
                format:      \(info.container) \(info.encoding)
                sample rate: \(info.sampleRate) Hz
                channels:    \(info.channelCount)
                frames:      \(info.frameCount)
                duration:    \(String(format: "%.3f", info.durationSeconds)) s
                """)
        }
    }
}
