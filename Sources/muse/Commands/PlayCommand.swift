import ArgumentParser
import Foundation
import MuseAudio

/// `muse play FILE [--device default]`: stream a sound file to ALSA; Ctrl-C stops cleanly.
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a sound file through ALSA (Ctrl-C stops).",
        discussion: "Use --device null (ALSA's discard device) or --to-file to run without a sound card.")

    @Argument(help: "A sound file libsndfile reads.")
    var file: String

    @Option(help: "ALSA PCM device name (\"default\", \"null\", \"hw:0,0\", …).")
    var device: String = "default"

    @Option(help: "Stream into this WAV file instead of a device.")
    var toFile: String?

    func run() throws {
        try runReportingAudioErrors {
            let audio = try AudioFile.read(file)
            let sink: AudioSink = toFile.map { WAVFileSink(path: $0) } ?? ALSASink(device: device)
            let report = try AudioPlayer(sink: sink).play(AudioBufferSource(audio))
            let seconds = Double(report.framesPlayed) / audio.sampleRate
            print(String(format: "%@ %.2f s on %@", report.stoppedEarly ? "stopped after" : "played", seconds, sink.name))
        }
    }
}
