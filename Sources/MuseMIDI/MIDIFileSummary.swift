/// What `muse midi info` prints about one file: header facts plus counts from its NoteSequence.
public struct MIDIFileSummary: Equatable, Sendable, CustomStringConvertible {
    /// Path or name of the file.
    public var file: String
    /// SMF format 0, 1 or 2.
    public var format: Int
    /// Number of `MTrk` chunks.
    public var trackCount: Int
    /// Time division, ticks per quarter note.
    public var ticksPerQuarter: Int
    /// Latest note end, seconds.
    public var durationSeconds: Double
    /// Number of notes (pretty_midi pairing).
    public var noteCount: Int
    /// One part (pretty_midi instrument) of the file.
    public struct Part: Equatable, Sendable {
        /// General MIDI program, 0-based.
        public var program: Int
        /// True for channel-10 percussion.
        public var isDrum: Bool
        /// Track name, empty if none.
        public var name: String
        /// Notes in the part.
        public var noteCount: Int
    }

    /// Parts: distinct (track, channel, program) with notes, as pretty_midi's instruments.
    public var instruments: [Part]
    /// Tempo changes (seconds, qpm).
    public var tempos: [NoteSequence.Tempo]
    /// Time signatures (seconds, n/d).
    public var timeSignatures: [NoteSequence.TimeSignature]
    /// Key signatures (seconds, tonic, mode).
    public var keySignatures: [NoteSequence.KeySignature]

    /// Reads and summarises the MIDI file at `path`.
    /// - Throws: `MIDIError`.
    public init(contentsOf path: String) throws {
        let file = try MIDIFile(contentsOf: path)
        self.init(midiFile: file, sequence: try NoteSequence(midiFile: file))
    }

    /// Summarises a file and the sequence read from it.
    public init(midiFile: MIDIFile, sequence: NoteSequence) {
        file = midiFile.file
        format = midiFile.format
        trackCount = midiFile.tracks.count
        ticksPerQuarter = midiFile.ticksPerQuarter
        durationSeconds = sequence.totalTime
        noteCount = sequence.notes.count
        var parts: [Part] = []
        for note in sequence.notes {
            while parts.count <= note.instrument { parts.append(Part(program: 0, isDrum: false, name: "", noteCount: 0)) }
            parts[note.instrument].program = note.program
            parts[note.instrument].isDrum = note.isDrum
            parts[note.instrument].noteCount += 1
        }
        for info in sequence.instrumentInfos where info.instrument < parts.count { parts[info.instrument].name = info.name }
        instruments = parts
        tempos = sequence.tempos
        timeSignatures = sequence.timeSignatures
        keySignatures = sequence.keySignatures
    }

    /// A block of `key: value` lines, one file.
    public var description: String {
        func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }
        var lines = ["\(file):",
                     "  format: \(format)",
                     "  tracks: \(trackCount)",
                     "  ticks per quarter: \(ticksPerQuarter)",
                     "  duration: \(seconds(durationSeconds))",
                     "  notes: \(noteCount)",
                     "  instruments: \(instruments.count)"]
        for (index, part) in instruments.enumerated() {
            let kind = part.isDrum ? "drums" : "program \(part.program)"
            let name = part.name.isEmpty ? "" : " \"\(part.name)\""
            lines.append("    \(index): \(kind)\(name), \(part.noteCount) notes")
        }
        lines.append("  tempos: " + tempos.map { String(format: "%.6g qpm at %.3f s", $0.qpm, $0.time) }.joined(separator: ", "))
        if !timeSignatures.isEmpty {
            lines.append("  time signatures: " + timeSignatures.map { "\($0.numerator)/\($0.denominator) at " + seconds($0.time) }.joined(separator: ", "))
        }
        if !keySignatures.isEmpty {
            let tonics = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
            lines.append("  key signatures: " + keySignatures.map {
                "\(tonics[(($0.key % 12) + 12) % 12]) \($0.mode == .major ? "major" : "minor") at " + seconds($0.time)
            }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
