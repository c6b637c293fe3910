import ArgumentParser
import MuseMIDI

/// `muse midi transpose FILE --semitones N [-o OUT]`.
struct MIDITransposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transpose", abstract: "Transpose the pitched notes (not drums) of a MIDI file and write the result.")

    @Argument(help: "The MIDI file.")
    var file: String

    @Option(parsing: .unconditional, help: "Semitones to move by (negative is down, e.g. --semitones -3).")
    var semitones: Int = 0

    @Option(name: .customLong("min-pitch"), help: "Lowest allowed pitch.")
    var minPitch = 0

    @Option(name: .customLong("max-pitch"), help: "Highest allowed pitch.")
    var maxPitch = 127

    @Option(name: .customLong("out-of-range"), help: "What to do with notes pushed out of range: drop or clamp.")
    var outOfRange: NoteSequence.OutOfRangePolicy = .drop

    @OptionGroup var output: MIDIOutputOptions

    func validate() throws {
        guard (0...127).contains(minPitch), (0...127).contains(maxPitch), minPitch <= maxPitch else {
            throw ValidationError("--min-pitch and --max-pitch must satisfy 0 <= min <= max <= 127")
        }
    }

    func run() throws {
        let path = output.path(forInput: file, suffix: "transposed\(semitones >= 0 ? "+" : "")\(semitones)")
        let outcome = try naming(file) { () -> (sequence: NoteSequence, outOfRangeCount: Int) in
            let result = try NoteSequence(contentsOfMIDIFile: file)
                .transposed(semitones: semitones, allowedPitches: minPitch...maxPitch, outOfRange: outOfRange)
            try result.sequence.writeMIDI(to: path)
            return result
        }
        let verb = outOfRange == .drop ? "dropped" : "clamped"
        print("wrote \(path): \(outcome.sequence.notes.count) notes, \(outcome.outOfRangeCount) out of range \(verb)")
    }
}

extension NoteSequence.OutOfRangePolicy: ExpressibleByArgument {}
