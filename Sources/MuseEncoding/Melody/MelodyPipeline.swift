import MuseMIDI

/// From a NoteSequence to training melodies, as Magenta's melody RNN pipeline does: split at tempo
/// and time-signature changes, quantize, extract monophonic melodies, augment by transposition,
/// squash into the encoder's range (optionally transposing to C major / A minor).
public struct MelodyPipeline: Codable, Equatable, Sendable {
    /// Quantization resolution (Magenta: 4, sixteenth notes).
    public var stepsPerQuarter: Int = 4
    /// Lowest pitch the model sees (inclusive; Magenta: 48).
    public var minNote: Int = 48
    /// Highest pitch the model sees (exclusive; Magenta: 84).
    public var maxNote: Int = 84
    /// Transpose each melody to this major key (0 = C major, so minor tunes land in A minor);
    /// nil keeps keys as played (Magenta's melody RNN default).
    public var transposeToKey: Int?
    /// Data augmentation: each melody is also used transposed by these semitones (Magenta's
    /// `--transposition_range`); 0 keeps the original.
    public var transpositions: [Int] = [0]
    /// Melody extraction rules.
    public var minBars: Int = 7
    public var maxSteps: Int = 512
    public var gapBars: Double = 1
    public var minUniquePitches: Int = 5
    public var ignorePolyphonicNotes: Bool = true

    public init() {}

    /// The extractor these settings describe.
    public var extractor: MelodyExtractor {
        var e = MelodyExtractor()
        e.minBars = minBars
        e.maxStepsTruncate = maxSteps
        e.gapBars = gapBars
        e.minUniquePitches = minUniquePitches
        e.ignorePolyphonicNotes = ignorePolyphonicNotes
        return e
    }

    /// The one-hot encoding of the pitch range.
    public func oneHot() throws -> MelodyOneHotEncoding { try MelodyOneHotEncoding(minNote: minNote, maxNote: maxNote) }

    /// Melodies (events, squashed into range) of one sequence, and extraction statistics.
    /// Sequences whose bar is not a whole number of steps yield no melodies.
    public func melodies(from sequence: NoteSequence) -> (melodies: [[Int]], statistics: MelodyExtractor.Statistics) {
        var out: [[Int]] = []
        var stats = MelodyExtractor.Statistics()
        let extractor = self.extractor
        for segment in Self.splitAtTimeChanges(sequence) {
            guard let quantized = try? segment.quantized(stepsPerQuarter: stepsPerQuarter),
                  let (melodies, s) = try? extractor.extract(from: quantized) else { continue }
            stats += s
            for melody in melodies {
                for shift in transpositions {
                    var m = melody
                    if shift != 0 {
                        // Magenta transposes the sequence and drops it if a note leaves 0...127.
                        guard m.events.allSatisfy({ $0 < 0 || (0...127).contains($0 + shift) }) else { continue }
                        m.transpose(by: shift)
                    }
                    m.squash(minNote: minNote, maxNote: maxNote, transposeToKey: transposeToKey)
                    out.append(m.events)
                }
            }
        }
        return (out, stats)
    }

    /// Pieces of `sequence` between tempo or time-signature changes, each starting at 0 s, as
    /// note_seq's `split_note_sequence_on_time_changes` cuts them: starting from 4/4 at 120 qpm,
    /// every mark before `totalTime` that changes the value cuts the sequence there (marks at 0 s
    /// only set the values).
    public static func splitAtTimeChanges(_ sequence: NoteSequence) -> [NoteSequence] {
        enum Mark { case tempo(Double), signature(Int, Int) }
        let marks = (sequence.tempos.map { ($0.time, Mark.tempo($0.qpm)) }
            + sequence.timeSignatures.map { ($0.time, Mark.signature($0.numerator, $0.denominator)) })
            .enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
            .filter { $0.0 < sequence.totalTime }
        var qpm = 120.0, signature = (4, 4)
        var cuts: [Double] = [0]
        for (time, mark) in marks {
            switch mark {
            case .tempo(let value):
                if value == qpm { continue }
                qpm = value
            case .signature(let n, let d):
                if (n, d) == signature { continue }
                signature = (n, d)
            }
            if time > cuts[cuts.count - 1] { cuts.append(time) }
        }
        guard cuts.count > 1 else { return [sequence] }
        if sequence.totalTime > cuts[cuts.count - 1] { cuts.append(sequence.totalTime) }
        return zip(cuts, cuts.dropFirst()).map { sequence.sliced(fromSeconds: $0, toSeconds: $1) }
    }
}
