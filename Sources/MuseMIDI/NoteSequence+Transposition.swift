extension NoteSequence {
    /// What `transposed(semitones:)` does with a note pushed outside the allowed pitch range.
    public enum OutOfRangePolicy: String, Sendable, CaseIterable {
        /// Remove the note (note_seq's `delete_notes=True`).
        case drop
        /// Move it to the nearest allowed pitch.
        case clamp
    }

    /// A copy with every pitched (non-drum) note moved by `semitones`, as note_seq's
    /// `transpose_note_sequence`: drum notes stay; key signatures move with the notes (tonic
    /// `(key + semitones) mod 12`); notes leaving `allowedPitches` are dropped or clamped.
    /// - Returns: the new sequence and how many notes fell outside the range.
    public func transposed(semitones: Int, allowedPitches: ClosedRange<Int> = 0...127,
                           outOfRange: OutOfRangePolicy = .drop) -> (sequence: NoteSequence, outOfRangeCount: Int) {
        var result = self
        var outside = 0
        var kept: [Note] = []
        kept.reserveCapacity(notes.count)
        for var note in notes {
            if !note.isDrum {
                note.pitch += semitones
                if !allowedPitches.contains(note.pitch) {
                    outside += 1
                    if outOfRange == .drop { continue }
                    note.pitch = min(max(note.pitch, allowedPitches.lowerBound), allowedPitches.upperBound)
                }
            }
            kept.append(note)
        }
        result.notes = kept
        for i in result.keySignatures.indices {
            result.keySignatures[i].key = ((result.keySignatures[i].key + semitones) % 12 + 12) % 12
        }
        if outOfRange == .drop && outside > 0 { result.totalTime = kept.reduce(0) { max($0, $1.endTime) } }
        return (result, outside)
    }
}
