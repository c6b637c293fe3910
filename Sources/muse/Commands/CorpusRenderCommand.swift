import ArgumentParser
import Foundation
import MuseAudio
import MuseMIDI
import MuseSynth

/// `muse corpus render MIDI_DIR --output DIR`: an audio corpus rendered through MuseSynth.
struct CorpusRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render the MIDI files of a folder to WAV through the SoundFont synthesizer (e.g. for `muse train spec-vae`).")

    @Argument(help: "Folder of MIDI files.")
    var directory: String

    @Option(name: [.short, .customLong("output")], help: "Folder for the WAV files.")
    var output = "output/audio-corpus"

    @Option(help: "Render at most this many files (in path order).")
    var limit = 200

    @Option(help: "Seconds rendered from the start of each file.")
    var seconds = 8.0

    @Option(name: .customLong("sample-rate"), help: "Output rate in Hz (librosa's default 22050).")
    var sampleRate = 22050.0

    @Option(help: "SoundFont (.sf2); default: the usual lookup, else the built-in instruments.")
    var soundfont: String?

    @Option(help: "Instrument: own (the file's programs), random (a General MIDI program per file, drums included, chosen by a seeded hash of its name), drums, or a 0-based program number; other than own, the WAV's name ends in -gmNNN or -drums.")
    var program = "own"

    @Option(help: "Seed of --program random.")
    var seed: UInt64 = 0

    /// The parsed --program.
    var choice: ProgramChoice? {
        switch program {
        case "own": return .own
        case "random": return .random(seed: seed)
        case "drums": return .fixed(program: 0, isDrum: true)
        default: return Int(program).flatMap { (0...127).contains($0) ? .fixed(program: $0, isDrum: false) : nil }
        }
    }

    func validate() throws {
        guard choice != nil else { throw ValidationError("--program must be own, random, drums or 0...127, got \(program)") }
        guard limit > 0, seconds > 0, sampleRate >= 8000 else { throw ValidationError("--limit, --seconds must be positive, --sample-rate at least 8000") }
    }

    func run() throws {
        try naming(directory) {
            let (font, notice) = try SoundFontLocator.loadOrBuiltIn(explicit: soundfont)
            if let notice { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            var written = 0
            for path in try MIDICorpus.files(in: directory).prefix(limit) {
                guard var sequence = try? NoteSequence(contentsOfMIDIFile: path) else { continue }
                sequence.notes = sequence.notes.filter { $0.startTime < seconds }.map { var n = $0; n.endTime = min(n.endTime, seconds); return n }
                guard !sequence.notes.isEmpty else { continue }
                sequence.totalTime = min(sequence.totalTime, seconds)
                var suffix = ""
                if let program = choice?.program(forFile: (path as NSString).lastPathComponent) {
                    sequence = sequence.playing(program: program)
                    suffix = program < 0 ? "-drums" : String(format: "-gm%03d", program)
                }
                let audio = Renderer.render(sequence, font: font, settings: .init(sampleRate: sampleRate), maxTailSeconds: 1).monoMixed()
                let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + suffix + ".wav"
                try AudioFile.write(audio, to: (output as NSString).appendingPathComponent(name))
                written += 1
            }
            print("wrote \(written) WAV files to \(output)")
        }
    }
}
