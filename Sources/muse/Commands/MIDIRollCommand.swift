import ArgumentParser
import Foundation
import MuseDSP
import MuseMIDI

/// `muse midi roll FILE [-o out.png]`: a piano-roll picture of a MIDI file.
struct MIDIRollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roll",
        abstract: "Draw a MIDI file as a piano roll (PNG: time across, pitch upward, a colour per part).")

    @Argument(help: "The MIDI file.")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "PNG to write (default: output/<input name>-roll.png).")
    var output: String?

    @Option(help: "Horizontal scale in pixels per second.")
    var pixelsPerSecond: Double = 50

    @Option(help: "Height of one semitone in pixels.")
    var pixelsPerPitch: Int = 4

    func validate() throws {
        guard pixelsPerSecond > 0, pixelsPerSecond <= 10_000 else { throw ValidationError("--pixels-per-second must be in (0, 10000]") }
        guard (1...64).contains(pixelsPerPitch) else { throw ValidationError("--pixels-per-pitch must be 1...64") }
    }

    func run() throws {
        let path = output ?? "output/\(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)-roll.png"
        let sequence = try naming(file) { try NoteSequence(contentsOfMIDIFile: file) }
        do {
            let image = try PianoRollImage.render(sequence, pixelsPerSecond: pixelsPerSecond, pixelsPerPitch: pixelsPerPitch)
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try image.writePNG(to: path)
            print("wrote \(path) (\(image.width) x \(image.height) pixels, \(sequence.notes.count) notes)")
        } catch {
            FileHandle.standardError.write(Data("muse: error: \(path): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
