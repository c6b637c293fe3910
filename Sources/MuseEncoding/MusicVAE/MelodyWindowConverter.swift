import MuseMIDI

/// Fixed-length melody windows for MusicVAE, as Magenta's `OneHotMelodyConverter` makes them for
/// `cat-mel_2bar`: keep notes of melodic programs (`validPrograms`, GM 0–31 by default) within the
/// piano range, split at tempo and time-signature changes, quantize (bars must be
/// `stepsPerQuarter * quartersPerBar` steps, so 4/4 and 2/2 only by default), extract melodies
/// (one bar of silence ends one; highest note wins; padded to a bar line; at most `maxBars`
/// bars), slide a `sliceBars`-bar window one bar at a time (note-offs before a window's first note
/// become no-events, as slicing a note_seq `Melody` does), and drop duplicate windows.
///
/// Events are `Melody` events; `oneHot` maps them to the 90 classes of `cat-mel_2bar`
/// (no-event, note-off, pitches 21...108).
public struct MelodyWindowConverter: Codable, Equatable, Sendable {
    /// Lowest pitch kept (inclusive; piano A0).
    public var minPitch: Int = 21
    /// Highest pitch kept (inclusive; piano C8).
    public var maxPitch: Int = 108
    /// GM programs (0-based) treated as melodic; nil keeps every program.
    public var validPrograms: ClosedRange<Int>? = 0...31
    /// Window length in bars.
    public var sliceBars: Int = 2
    /// Melodies are truncated to this many bars before slicing.
    public var maxBars: Int = 100
    /// Bars of silence that end a melody.
    public var gapBars: Double = 1
    public var stepsPerQuarter: Int = 4
    public var quartersPerBar: Int = 4

    public init() {}

    /// Steps in one window (32 for two 4/4 bars at four steps per quarter).
    public var windowSteps: Int { sliceBars * stepsPerBar }
    /// Steps in one bar.
    public var stepsPerBar: Int { stepsPerQuarter * quartersPerBar }

    /// The event encoding: `minPitch ... maxPitch` plus no-event and note-off.
    public func oneHot() throws -> MelodyOneHotEncoding { try MelodyOneHotEncoding(minNote: minPitch, maxNote: maxPitch + 1) }

    /// Every distinct window of the sequence, in lexicographic order of events.
    public func windows(from sequence: NoteSequence) -> [[Int]] {
        var filtered = sequence
        filtered.notes = sequence.notes.filter { note in
            (validPrograms?.contains(note.program) ?? true) && (minPitch...maxPitch).contains(note.pitch)
        }
        var extractor = MelodyExtractor()
        extractor.minBars = 1
        extractor.gapBars = gapBars > 0 ? gapBars : .infinity
        extractor.maxStepsTruncate = stepsPerBar * maxBars
        extractor.minUniquePitches = 1
        extractor.ignorePolyphonicNotes = true
        extractor.padEnd = true
        var unique = Set<[Int]>()
        for part in MelodyPipeline.splitAtTimeChanges(filtered) {
            guard let quantized = try? part.quantized(stepsPerQuarter: stepsPerQuarter),
                  (try? MelodyExtractor.stepsPerBar(in: quantized)) == stepsPerBar,
                  let (melodies, _) = try? extractor.extract(from: quantized) else { continue }
            for melody in melodies where melody.count >= windowSteps {
                for end in stride(from: windowSteps, through: melody.count, by: stepsPerBar) {
                    // Slicing a note_seq Melody makes a new Melody: leading note-offs become no-events.
                    guard let window = try? Melody(events: Array(melody.events[(end - windowSteps)..<end])) else { continue }
                    unique.insert(window.events)
                }
            }
        }
        return unique.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// A window (or any event list) back to notes at `qpm`, velocity 80 as Magenta writes them.
    public func sequence(fromEvents events: [Int], qpm: Double = 120) throws -> NoteSequence {
        try Melody(events: events, stepsPerBar: stepsPerBar, stepsPerQuarter: stepsPerQuarter).toSequence(velocity: 80, qpm: qpm)
    }
}
