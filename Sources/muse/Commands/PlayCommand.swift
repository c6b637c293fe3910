import ArgumentParser
import Foundation
import MuseAudio
import MuseMIDI
import MuseSynth

/// `muse play FILE [--device default]`: stream a sound file, or a MIDI file rendered live through
/// the SoundFont synthesizer, to ALSA; Ctrl-C stops cleanly.
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a sound file, or a MIDI file through the SoundFont synthesizer, via ALSA (Ctrl-C stops).",
        discussion: "Use --device null (ALSA's discard device) or --to-file to run without a sound card.")

    @Argument(help: "A sound file libsndfile reads, or a MIDI file (.mid, .midi).")
    var file: String

    @Option(help: "ALSA PCM device name (\"default\", \"null\", \"hw:0,0\", …).")
    var device: String = "default"

    @Option(help: "Stream into this WAV file instead of a device.")
    var toFile: String?

    @OptionGroup var synth: SynthOptions

    var isMIDI: Bool { MIDICorpus.extensions.contains((file as NSString).pathExtension.lowercased()) }

    func run() throws {
        let sink: AudioSink = toFile.map { WAVFileSink(path: $0) } ?? ALSASink(device: device)
        if !isMIDI {
            do {
                let audio = try AudioFile.read(file)
                report(try AudioPlayer(sink: sink).play(AudioBufferSource(audio)), sampleRate: audio.sampleRate, sink: sink)
            }
            return
        }
        do {
            let sequence = try NoteSequence(contentsOfMIDIFile: file)
            let (font, notice) = try SoundFontLocator.loadOrBuiltIn(explicit: synth.soundfont)
            if let notice { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
            let renderer = Renderer(sequence: sequence, font: font, settings: synth.settings)
            report(try AudioPlayer(sink: sink).play(renderer), sampleRate: renderer.sampleRate, sink: sink)
        }
    }

    private func report(_ report: AudioPlayer.Report, sampleRate: Double, sink: AudioSink) {
        print(String(format: "%@ %.2f s on %@", report.stoppedEarly ? "stopped after" : "played",
                     Double(report.framesPlayed) / sampleRate, sink.name))
    }
}
