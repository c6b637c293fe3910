import ArgumentParser
import Foundation
import MuseAudio
import MuseMIDI
import MuseSynth

/// `muse render IN.mid -o OUT.wav`: synthesize a MIDI file offline with a SoundFont.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a MIDI file to audio with a SoundFont (FluidSynth-compatible synthesis).")

    @Argument(help: "MIDI file to render.")
    var input: String

    @Option(name: [.customShort("o"), .long], help: "Audio file to write: .wav (16-bit), .flac or .ogg (default: output/<input name>.wav).")
    var output: String?

    @OptionGroup var synth: SynthOptions

    @Flag(help: "Stream to the sound card while rendering instead of writing a file (MuseAudio's player; Ctrl-C stops).")
    var play = false

    @Option(help: "ALSA device for --play (\"default\", \"null\", \"hw:0,0\", …).")
    var device: String = "default"

    var outputPath: String {
        output ?? "output/" + ((input as NSString).lastPathComponent as NSString).deletingPathExtension + ".wav"
    }

    func validate() throws {
        guard AudioFileFormat(pathExtension: (outputPath as NSString).pathExtension) != nil else {
            throw ValidationError("--output must end in .wav, .flac or .ogg")
        }
    }

    func run() throws {
        do {
            let sequence = try NoteSequence(contentsOfMIDIFile: input)
            let (font, notice) = try SoundFontLocator.loadOrBuiltIn(explicit: synth.soundfont)
            if let notice { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
            if play {
                let renderer = Renderer(sequence: sequence, font: font, settings: synth.settings)
                let report = try AudioPlayer(sink: ALSASink(device: device)).play(renderer)
                print(String(format: "%@ %.2f s on %@", report.stoppedEarly ? "stopped after" : "played",
                             Double(report.framesPlayed) / renderer.sampleRate, device))
                return
            }
            let audio = synth.finished(Renderer.render(sequence, font: font, settings: synth.settings))
            let dir = (outputPath as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let format = AudioFileFormat(pathExtension: (outputPath as NSString).pathExtension) ?? .wavPCM16
            try AudioFile.write(audio, to: outputPath, format: format)
            print(String(format: "%@: %.2f s, %d Hz stereo, %@", outputPath, audio.durationSeconds, synth.sampleRate,
                         (font.info["INAM"] ?? font.name)))
        }
    }
}
