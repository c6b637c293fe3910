import MuseMIDI

/// A quantized monophonic melody: one event per step, with the meanings of Magenta's
/// `note_seq.Melody`.
///
/// Events are integers in `-2...127`: `Melody.noEvent` (-2) holds whatever sounds (a note or a
/// silence), `Melody.noteOff` (-1) starts a silence, and `0...127` starts a note of that MIDI
/// pitch (ending whatever sounded before). A note sounding at the end is implicitly released.
/// `startStep` is the step of the source sequence where event 0 lies (always a bar's first step
/// when extracted); steps are `1 / stepsPerQuarter` quarter notes.
public struct Melody: Equatable, Sendable {
    /// "Nothing new happens on this step."
    public static let noEvent = -2
    /// "The sounding note ends on this step."
    public static let noteOff = -1

    /// Events, one per step.
    public private(set) var events: [Int]
    /// Step of the source sequence where `events[0]` lies.
    public var startStep: Int
    /// Steps in one bar (16 for 4/4 at four steps per quarter).
    public var stepsPerBar: Int
    /// Steps per quarter note (4: sixteenth notes).
    public var stepsPerQuarter: Int

    /// A melody from raw events. Note-offs before the first note become no-events, as note_seq does.
    /// - Throws: `EncodingError.eventOutOfRange` for events outside `-2...127`.
    public init(events: [Int], startStep: Int = 0, stepsPerBar: Int = 16, stepsPerQuarter: Int = 4) throws {
        var cleaned = events
        for (i, e) in events.enumerated() {
            guard (Melody.noEvent...127).contains(e) else { throw EncodingError.eventOutOfRange(event: e, position: i) }
        }
        for i in cleaned.indices {
            guard cleaned[i] == Melody.noEvent || cleaned[i] == Melody.noteOff else { break }
            cleaned[i] = Melody.noEvent
        }
        self.events = cleaned
        self.startStep = startStep
        self.stepsPerBar = stepsPerBar
        self.stepsPerQuarter = stepsPerQuarter
    }

    init(emptyWithStepsPerBar stepsPerBar: Int, stepsPerQuarter: Int) {
        events = []
        startStep = 0
        self.stepsPerBar = stepsPerBar
        self.stepsPerQuarter = stepsPerQuarter
    }

    /// Number of steps.
    public var count: Int { events.count }
    /// True when there are no events.
    public var isEmpty: Bool { events.isEmpty }
    /// Step of the source sequence just past the last event.
    public var endStep: Int { startStep + events.count }

    /// Pads with `noEvent` or truncates to `steps` events. Extending on the right first ends a
    /// sustained note with a note-off at the old end, as note_seq does.
    public mutating func setLength(_ steps: Int) {
        let old = events.count
        if steps > old {
            events.append(contentsOf: repeatElement(Melody.noEvent, count: steps - old))
            for i in stride(from: old - 1, through: 0, by: -1) {
                if events[i] == Melody.noteOff { break }
                if events[i] != Melody.noEvent { events[old] = Melody.noteOff; break }
            }
        } else {
            events.removeSubrange(steps...)
        }
    }

    /// Writes a note over steps `start..<end` (note-on at `start`, note-off at `end`),
    /// dropping every event after `start` first.
    mutating func addNote(pitch: Int, startStep start: Int, endStep end: Int) throws {
        guard start < end else { throw EncodingError.badNote(startStep: start, endStep: end) }
        setLength(end + 1)
        events[start] = pitch
        events[end] = Melody.noteOff
        for i in (start + 1)..<end { events[i] = Melody.noEvent }
    }

    /// Index of the last note-on and of the note-off after it (or `count` when it still sounds).
    func lastOnOff() -> (on: Int, off: Int)? {
        var off = events.count
        for i in stride(from: events.count - 1, through: 0, by: -1) {
            if events[i] == Melody.noteOff { off = i }
            if events[i] >= 0 { return (i, off) }
        }
        return nil
    }

    /// Occurrences of each pitch class among note-ons, C at index 0 … B at 11.
    public func noteHistogram() -> [Int] {
        var histogram = [Int](repeating: 0, count: 12)
        for e in events where e >= 0 { histogram[e % 12] += 1 }
        return histogram
    }

    /// For each major key (C = 0 … B = 11), how many note-ons fit its scale.
    public func majorKeyHistogram() -> [Int] {
        let histogram = noteHistogram()
        var keys = [Int](repeating: 0, count: 12)
        for (pitchClass, count) in histogram.enumerated() where count > 0 {
            for key in 0..<12 where Melody.majorScale.contains((pitchClass - key + 12) % 12) { keys[key] += count }
        }
        return keys
    }

    /// The most likely major key, the lowest index on ties (note_seq's `get_major_key`).
    public func majorKey() -> Int {
        let keys = majorKeyHistogram()
        return keys.indices.max { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 > $1) } ?? 0
    }

    static let majorScale: Set<Int> = [0, 2, 4, 5, 7, 9, 11]

    /// Transposes every note-on by `semitones`, then octave-shifts each into `minNote..<maxNote`.
    public mutating func transpose(by semitones: Int, minNote: Int = 0, maxNote: Int = 128) {
        for i in events.indices where events[i] >= 0 {
            var p = events[i] + semitones
            if p < minNote { p = minNote + Melody.mod(p - minNote, 12) }
            else if p >= maxNote { p = maxNote - 12 + Melody.mod(p - maxNote, 12) }
            events[i] = p
        }
    }

    /// Transposes toward `transposeToKey` (0 = C major; nil keeps the key) while centring the
    /// melody's range in `minNote..<maxNote`, then octave-shifts stragglers into range.
    /// - Returns: the transposition applied, in semitones (note_seq's `squash`).
    @discardableResult
    public mutating func squash(minNote: Int, maxNote: Int, transposeToKey: Int?) -> Int {
        var amount = 0
        if let target = transposeToKey {
            let keyDiff = target - majorKey()
            let pitches = events.filter { $0 >= 0 }
            guard let low = pitches.min(), let high = pitches.max() else { return 0 }
            let melodyCenter = Double(low + high) / 2
            let targetCenter = Double(minNote + maxNote - 1) / 2
            let centerDiff = targetCenter - (melodyCenter + Double(keyDiff))
            amount = keyDiff + 12 * Int(Melody.roundHalfEven(centerDiff / 12))
        }
        transpose(by: amount, minNote: minNote, maxNote: maxNote)
        return amount
    }

    /// The melody as notes: note-ons last until the next note-on or note-off, or the end.
    /// - Parameters:
    ///   - qpm: tempo in quarter notes per minute, used for the seconds.
    ///   - sequenceStartTime: seconds added to every time (the melody's `startStep` counts too).
    /// - Returns: a sequence with quantized step fields set too (steps per quarter as the melody).
    public func toSequence(velocity: Int = 100, instrument: Int = 0, program: Int = 0,
                           sequenceStartTime: Double = 0, qpm: Double = 120) -> NoteSequence {
        let secondsPerStep = 60 / qpm / Double(stepsPerQuarter)
        let offset = sequenceStartTime + Double(startStep) * secondsPerStep
        var notes: [NoteSequence.Note] = []
        var open: Int?
        func close(at step: Int) {
            if let k = open {
                notes[k].endTime = Double(step) * secondsPerStep + offset
                notes[k].quantizedEndStep = startStep + step
                open = nil
            }
        }
        for (step, e) in events.enumerated() {
            if e >= 0 {
                close(at: step)
                notes.append(.init(pitch: e, velocity: velocity, startTime: Double(step) * secondsPerStep + offset,
                                   endTime: 0, program: program, instrument: instrument,
                                   quantizedStartStep: startStep + step))
                open = notes.count - 1
            } else if e == Melody.noteOff {
                close(at: step)
            }
        }
        close(at: events.count)
        return NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: qpm)],
                            totalTime: notes.last?.endTime ?? 0)
    }

    static func mod(_ a: Int, _ n: Int) -> Int { ((a % n) + n) % n }

    /// Python 3's `round`: halves go to the even neighbour.
    static func roundHalfEven(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }
}
