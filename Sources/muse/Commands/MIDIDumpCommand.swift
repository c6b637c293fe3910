import ArgumentParser
import Foundation
import MuseMIDI

/// `muse midi dump FILE [--json]`: the file's NoteSequence on stdout.
struct MIDIDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print a MIDI file's NoteSequence (notes in seconds), as text or as note_seq JSON.")

    @Argument(help: "The MIDI file.")
    var file: String

    @Flag(help: "Print note_seq-style JSON (proto3 field names) instead of one line per note.")
    var json = false

    func run() throws {
        let sequence = try naming(file) { try NoteSequence(contentsOfMIDIFile: file) }
        if json {
            FileHandle.standardOutput.write(try sequence.jsonData(prettyPrinted: true))
            print()
        } else {
            print("instrument program drum pitch velocity start_s end_s")
            for note in sequence.notes {
                print(String(format: "%d %d %@ %d %d %.6f %.6f", note.instrument, note.program, note.isDrum ? "yes" : "no",
                             note.pitch, note.velocity, note.startTime, note.endTime))
            }
        }
    }
}
