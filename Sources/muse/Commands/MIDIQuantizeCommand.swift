import ArgumentParser
import MuseMIDI

/// `muse midi quantize FILE --steps-per-quarter 4 [-o OUT]`.
struct MIDIQuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantize a MIDI file's notes to a grid (note_seq's rules: one tempo, one time signature) and write it.")

    @Argument(help: "The MIDI file.")
    var file: String

    @Option(name: [.customLong("steps-per-quarter"), .customLong("steps_per_quarter")],
            help: "Grid steps per quarter note (4 = sixteenth notes, Magenta's default).")
    var stepsPerQuarter = 4

    @OptionGroup var output: MIDIOutputOptions

    func validate() throws {
        guard stepsPerQuarter > 0 else { throw ValidationError("--steps-per-quarter must be positive") }
    }

    func run() throws {
        let path = output.path(forInput: file, suffix: "quantized\(stepsPerQuarter)")
        let sequence = try naming(file) { () -> NoteSequence in
            let quantized = try NoteSequence(contentsOfMIDIFile: file).quantized(stepsPerQuarter: stepsPerQuarter)
            try quantized.withQuantizedTimes().writeMIDI(to: path)
            return quantized
        }
        print("wrote \(path): \(sequence.notes.count) notes, \(sequence.totalQuantizedSteps ?? 0) steps at \(stepsPerQuarter) per quarter")
    }
}
