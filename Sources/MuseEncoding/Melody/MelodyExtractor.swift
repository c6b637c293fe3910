import MuseMIDI

/// Extracts monophonic melodies from a quantized `NoteSequence`, as Magenta's
/// `melody_pipelines.extract_melodies` does: each instrument is scanned from the start; a melody
/// begins at the bar of its first note, ends where `gapBars` bars of silence follow a note-off,
/// and the search resumes at the next bar line. Melodies shorter than `minBars` or with fewer than
/// `minUniquePitches` pitch classes are dropped, longer than `maxStepsTruncate` are cut.
public struct MelodyExtractor: Sendable {
    /// Melodies shorter than this many bars are discarded (Magenta: 7).
    public var minBars: Int = 7
    /// Longer melodies are truncated to this many steps (Magenta's melody RNN pipeline: 512).
    public var maxStepsTruncate: Int? = 512
    /// Longer melodies are discarded.
    public var maxStepsDiscard: Int?
    /// Bars of silence that end a melody.
    public var gapBars: Double = 1
    /// Fewest distinct pitch classes a kept melody has (Magenta: 5).
    public var minUniquePitches: Int = 5
    /// When notes start together keep the highest (true), or discard the track (false, as Magenta's
    /// melody RNN pipeline does). True keeps melodies in chordal parts, as the issue asks.
    public var ignorePolyphonicNotes: Bool = true
    /// Pad each melody with no-events to a bar line.
    public var padEnd: Bool = false
    /// Skip drum notes.
    public var filterDrums: Bool = true

    public init() {}

    /// Why candidate melodies were dropped, for one-line summaries.
    public struct Statistics: Equatable, Sendable {
        public var polyphonicTracksDiscarded = 0
        public var discardedTooShort = 0
        public var discardedTooFewPitches = 0
        public var discardedTooLong = 0
        public var truncated = 0
        public init() {}
        public static func += (a: inout Statistics, b: Statistics) {
            a.polyphonicTracksDiscarded += b.polyphonicTracksDiscarded
            a.discardedTooShort += b.discardedTooShort
            a.discardedTooFewPitches += b.discardedTooFewPitches
            a.discardedTooLong += b.discardedTooLong
            a.truncated += b.truncated
        }
    }

    /// Steps in one bar of a quantized sequence, from its first time signature (4/4 if none).
    /// - Throws: `EncodingError.notQuantized`, `.nonIntegerStepsPerBar`.
    public static func stepsPerBar(in sequence: NoteSequence) throws -> Int {
        guard let info = sequence.quantizationInfo else { throw EncodingError.notQuantized }
        let ts = sequence.timeSignatures.first
        let numerator = ts?.numerator ?? 4, denominator = ts?.denominator ?? 4
        guard numerator > 0, denominator > 0 else {
            throw EncodingError.nonIntegerStepsPerBar(numerator: numerator, denominator: denominator, stepsPerQuarter: info.stepsPerQuarter)
        }
        let steps = Double(info.stepsPerQuarter) * 4 / Double(denominator) * Double(numerator)
        guard steps == steps.rounded(), steps >= 1 else {
            throw EncodingError.nonIntegerStepsPerBar(numerator: numerator, denominator: denominator, stepsPerQuarter: info.stepsPerQuarter)
        }
        return Int(steps)
    }

    /// All melodies of every instrument (instruments in ascending order).
    public func extract(from sequence: NoteSequence) throws -> (melodies: [Melody], statistics: Statistics) {
        let stepsPerBar = try Self.stepsPerBar(in: sequence)
        let stepsPerQuarter = sequence.quantizationInfo?.stepsPerQuarter ?? 4
        var melodies: [Melody] = []
        var stats = Statistics()
        for instrument in Set(sequence.notes.map(\.instrument)).sorted() {
            // The instrument's notes by onset, highest pitch first among equal onsets.
            let notes = sequence.notes.filter { $0.instrument == instrument && $0.quantizedStartStep != nil }
                .sorted { ($0.quantizedStartStep!, -$0.pitch) < ($1.quantizedStartStep!, -$1.pitch) }
            var searchStart = 0
            while true {
                var melody: Melody
                do {
                    melody = try firstMelody(in: notes, from: searchStart, stepsPerBar: stepsPerBar, stepsPerQuarter: stepsPerQuarter)
                } catch EncodingError.polyphonicMelody {
                    stats.polyphonicTracksDiscarded += 1
                    break
                }
                if melody.isEmpty { break }
                searchStart = melody.endStep + Melody.mod(-melody.endStep, stepsPerBar)
                if melody.count < stepsPerBar * minBars { stats.discardedTooShort += 1; continue }
                if let limit = maxStepsDiscard, melody.count > limit { stats.discardedTooLong += 1; continue }
                if let limit = maxStepsTruncate, melody.count > limit {
                    melody.setLength(padEnd ? limit - limit % stepsPerBar : limit)
                    stats.truncated += 1
                }
                if melody.noteHistogram().filter({ $0 > 0 }).count < minUniquePitches {
                    stats.discardedTooFewPitches += 1
                    continue
                }
                melodies.append(melody)
            }
        }
        return (melodies, stats)
    }

    /// note_seq's `Melody.from_quantized_sequence` over one instrument's sorted notes.
    func firstMelody(in notes: [NoteSequence.Note], from searchStart: Int, stepsPerBar: Int,
                     stepsPerQuarter: Int) throws -> Melody {
        var melody = Melody(emptyWithStepsPerBar: stepsPerBar, stepsPerQuarter: stepsPerQuarter)
        let candidates = notes.filter { $0.quantizedStartStep! >= searchStart }
        guard let first = candidates.first else { return melody }
        let firstStep = first.quantizedStartStep!
        let melodyStart = firstStep - Melody.mod(firstStep - searchStart, stepsPerBar)
        for note in candidates {
            if filterDrums && note.isDrum { continue }
            if note.velocity == 0 { continue }
            let start = note.quantizedStartStep! - melodyStart
            let end = (note.quantizedEndStep ?? note.quantizedStartStep!) - melodyStart
            guard let (lastOn, lastOff) = melody.lastOnOff() else {
                try melody.addNote(pitch: note.pitch, startStep: start, endStep: end)
                continue
            }
            if start == lastOn {
                if ignorePolyphonicNotes { continue }
                throw EncodingError.polyphonicMelody(step: note.quantizedStartStep!)
            } else if start < lastOn {
                throw EncodingError.polyphonicMelody(step: note.quantizedStartStep!)
            }
            if !melody.isEmpty && Double(start - lastOff) >= gapBars * Double(stepsPerBar) { break }
            try melody.addNote(pitch: note.pitch, startStep: start, endStep: end)
        }
        if melody.isEmpty { return melody }
        melody.startStep = melodyStart
        if melody.events.last == Melody.noteOff { melody.setLength(melody.count - 1) }
        if padEnd { melody.setLength(melody.count + Melody.mod(-melody.count, stepsPerBar)) }
        return melody
    }
}
