import MuseMIDI

/// A polyphonic performance as one stream of events on an absolute time grid, as note_seq's
/// `performance_lib.Performance`: all parts merged, time in steps of `1 / stepsPerSecond` s.
///
/// Made from a NoteSequence (`init(sequence:…)`, note_seq's `Performance(quantized_sequence)`
/// after `quantize_note_sequence_absolute`), or built event by event (a sampler), and turned back
/// into a NoteSequence by `toSequence` (note_seq's `to_sequence`).
public struct Performance: Equatable, Sendable {
    /// The events, in order.
    public var events: [PerformanceEvent]
    /// Quantization grid (note_seq's performance models: 100, so one step is 10 ms).
    public let stepsPerSecond: Int
    /// Velocity bins of the `velocity` events (0: none are made).
    public let numVelocityBins: Int
    /// Longest single time shift, in steps; longer rests become several shifts.
    public let maxShiftSteps: Int
    /// Step of the first event relative to the source sequence (notes starting earlier are left out).
    public let startStep: Int
    /// The one program of the source notes, nil when they had several or were all drums
    /// (note_seq's `_program_and_is_drum_from_sequence`).
    public var program: Int?
    /// True when every source note was a drum, false when none was, nil when mixed.
    public var isDrum: Bool?

    /// An empty performance (or one made of `events`), for building event by event.
    public init(stepsPerSecond: Int = 100, numVelocityBins: Int = 32, maxShiftSteps: Int = 100, startStep: Int = 0,
                events: [PerformanceEvent] = [], program: Int? = nil, isDrum: Bool? = nil) {
        precondition(stepsPerSecond > 0 && maxShiftSteps > 0 && numVelocityBins >= 0, "bad performance settings")
        self.stepsPerSecond = stepsPerSecond
        self.numVelocityBins = numVelocityBins
        self.maxShiftSteps = maxShiftSteps
        self.startStep = startStep
        self.events = events
        self.program = program
        self.isDrum = isDrum
    }

    /// The performance of `sequence` (times in seconds; any metric quantization is ignored), as
    /// note_seq's `Performance(quantize_note_sequence_absolute(sequence, stepsPerSecond), …)`:
    ///
    /// - Each note's start and end snap to the grid with `quantize_to_step` (round half up); a
    ///   note shorter than a step is lengthened to one.
    /// - Notes starting before `startStep` (and, with `instrument`, of other parts) are left out;
    ///   the rest are ordered by start time in seconds, then pitch, then sequence order.
    /// - Every onset and offset is keyed (step, note's place in that order, offset after onset)
    ///   and the keys sorted: so on one step the events follow the notes' order, not "all
    ///   note-offs first"; a one-step note's on and off sit on either side of a time shift.
    /// - Before an event on a later step come time shifts (`maxShiftSteps` each, then the rest);
    ///   a note-on whose velocity bin differs from the current one is preceded by a velocity event.
    ///
    /// - Throws: `EncodingError.badTime` for a note before 0 s (or not finite), `.performanceEventOutOfRange`
    ///   for a pitch outside 0...127 or a velocity past the last bin.
    public init(sequence: NoteSequence, stepsPerSecond: Int = 100, numVelocityBins: Int = 32, maxShiftSteps: Int = 100,
                startStep: Int = 0, instrument: Int? = nil) throws {
        self.init(stepsPerSecond: stepsPerSecond, numVelocityBins: numVelocityBins, maxShiftSteps: maxShiftSteps,
                  startStep: startStep)
        let quantized = try sequence.absolutelyQuantizedNotes(stepsPerSecond: stepsPerSecond)
        events = try Self.events(of: quantized, startStep: startStep, instrument: instrument,
                                 numVelocityBins: numVelocityBins, maxShiftSteps: maxShiftSteps)
        (program, isDrum) = Self.programAndIsDrum(of: quantized, instrument: instrument)
    }

    /// Length in steps: the sum of the time shifts.
    public var numSteps: Int { events.reduce(0) { $0 + ($1.kind == .timeShift ? $1.value : 0) } }

    /// note_seq's `BasePerformance._from_quantized_sequence` over notes whose quantized steps are set.
    static func events(of notes: [NoteSequence.Note], startStep: Int, instrument: Int?, numVelocityBins: Int,
                       maxShiftSteps: Int) throws -> [PerformanceEvent] {
        let selected = notes.filter { ($0.quantizedStartStep ?? 0) >= startStep && (instrument == nil || $0.instrument == instrument) }
        // Python's stable sort on (start_time, pitch).
        let ordered = selected.indices.sorted { a, b in
            let x = selected[a], y = selected[b]
            if x.startTime != y.startTime { return x.startTime < y.startTime }
            if x.pitch != y.pitch { return x.pitch < y.pitch }
            return a < b
        }.map { selected[$0] }

        // Keys (step, 2 * index + isOffset), sorted as note_seq sorts its (step, idx, is_offset) tuples.
        var keys: [(step: Int, code: Int)] = []
        keys.reserveCapacity(ordered.count * 2)
        for (index, note) in ordered.enumerated() {
            keys.append((note.quantizedStartStep ?? 0, 2 * index))
            keys.append((note.quantizedEndStep ?? 0, 2 * index + 1))
        }
        keys.sort { $0.step != $1.step ? $0.step < $1.step : $0.code < $1.code }

        var events: [PerformanceEvent] = []
        events.reserveCapacity(keys.count * 2)
        var currentStep = startStep
        var currentVelocityBin = 0
        for (step, code) in keys {
            let note = ordered[code / 2]
            let isOffset = code % 2 == 1
            if step > currentStep {
                while step > currentStep + maxShiftSteps {
                    events.append(PerformanceEvent(.timeShift, maxShiftSteps))
                    currentStep += maxShiftSteps
                }
                events.append(PerformanceEvent(.timeShift, step - currentStep))
                currentStep = step
            }
            if numVelocityBins > 0 && !isOffset {
                let bin = velocityBin(velocity: note.velocity, numVelocityBins: numVelocityBins)
                if bin != currentVelocityBin {
                    guard (1...numVelocityBins).contains(bin) else {
                        throw EncodingError.performanceEventOutOfRange(kind: "VELOCITY", value: bin, allowed: 1...numVelocityBins)
                    }
                    currentVelocityBin = bin
                    events.append(PerformanceEvent(.velocity, bin))
                }
            }
            guard (0...127).contains(note.pitch) else {
                throw EncodingError.performanceEventOutOfRange(kind: isOffset ? "NOTE_OFF" : "NOTE_ON", value: note.pitch, allowed: 0...127)
            }
            events.append(PerformanceEvent(isOffset ? .noteOff : .noteOn, note.pitch))
        }
        return events
    }

    /// note_seq's `_program_and_is_drum_from_sequence`: (nil, true) when every note (of
    /// `instrument`, if given) is a drum — vacuously so for none; (the program if only one, false)
    /// when none is; (nil, nil) when mixed.
    static func programAndIsDrum(of notes: [NoteSequence.Note], instrument: Int?) -> (Int?, Bool?) {
        let chosen = notes.filter { instrument == nil || $0.instrument == instrument }
        if chosen.allSatisfy(\.isDrum) { return (nil, true) }
        if chosen.allSatisfy({ !$0.isDrum }) {
            let programs = Set(chosen.map(\.program))
            return (programs.count == 1 ? programs.first : nil, false)
        }
        return (nil, nil)
    }

    /// Size of one velocity bin: `ceil(127 / numVelocityBins)` (4 for 32 bins).
    public static func velocityBinSize(numVelocityBins: Int) -> Int { (127 + numVelocityBins - 1) / numVelocityBins }

    /// note_seq's `velocity_to_bin`: `(velocity - 1) // binSize + 1` (velocities 1...4 are bin 1
    /// of 32, 125...127 bin 32).
    public static func velocityBin(velocity: Int, numVelocityBins: Int) -> Int {
        let size = velocityBinSize(numVelocityBins: numVelocityBins)
        let shifted = velocity - 1
        return (shifted >= 0 ? shifted / size : -((-shifted + size - 1) / size)) + 1
    }

    /// note_seq's `velocity_bin_to_velocity`: the lowest velocity of `bin` (bin 32 of 32 is 125).
    public static func velocity(bin: Int, numVelocityBins: Int) -> Int {
        1 + (bin - 1) * velocityBinSize(numVelocityBins: numVelocityBins)
    }

    /// The notes of this performance, as note_seq's `Performance.to_sequence`.
    ///
    /// A note-on opens a note of its pitch at the current step with the current velocity
    /// (`velocity` until a velocity event sets a bin's lowest velocity); a note-off closes the
    /// oldest open note of its pitch (first in, first out) and is ignored when none is open; a
    /// note that would last zero steps is dropped. Notes still open at the end close at the final
    /// step, pitch by pitch in the order each pitch was first seen. Times are
    /// `step * (1 / stepsPerSecond)` seconds plus the start offset; `maxNoteDurationSeconds`
    /// shortens longer notes. The result is unquantized at 220 ticks per quarter, with no tempos.
    ///
    /// - Parameters:
    ///   - velocity: MIDI velocity before any velocity event (note_seq: 100).
    ///   - instrument: part index given to every note.
    ///   - program: program of every note; nil uses `program` of the performance, else 0.
    /// - Throws: `EncodingError.invalidConfiguration` for a velocity event when there are no bins.
    public func toSequence(velocity: Int = 100, instrument: Int = 0, program: Int? = nil,
                           maxNoteDurationSeconds: Double? = nil) throws -> NoteSequence {
        let secondsPerStep = 1.0 / Double(stepsPerSecond)
        let sequenceStart = Double(startStep) * secondsPerStep
        let program = program ?? self.program ?? 0
        let isDrum = self.isDrum ?? false
        var sequence = NoteSequence(ticksPerQuarter: NoteSequence.standardTicksPerQuarter)
        var totalTime = 0.0

        func addNote(pitch: Int, startStep: Int, endStep: Int, velocity: Int) {
            let start = Double(startStep) * secondsPerStep + sequenceStart
            var end = Double(endStep) * secondsPerStep + sequenceStart
            if let limit = maxNoteDurationSeconds, limit != 0, end - start > limit { end = start + limit }
            sequence.notes.append(NoteSequence.Note(pitch: pitch, velocity: velocity, startTime: start, endTime: end,
                                                    program: program, isDrum: isDrum, instrument: instrument))
            if end > totalTime { totalTime = end }
        }

        // Open notes per pitch (start step, velocity), and pitches in the order first seen (the
        // iteration order of note_seq's defaultdict, which a lookup by a note-off also fixes).
        var open = [[(step: Int, velocity: Int)]](repeating: [], count: 128)
        var seen = [Bool](repeating: false, count: 128)
        var pitchOrder: [Int] = []
        var step = 0
        var currentVelocity = velocity
        for event in events {
            switch event.kind {
            case .noteOn, .noteOff:
                let pitch = event.value
                guard (0...127).contains(pitch) else {
                    throw EncodingError.performanceEventOutOfRange(kind: event.kind.name, value: pitch, allowed: 0...127)
                }
                if !seen[pitch] { seen[pitch] = true; pitchOrder.append(pitch) }
                if event.kind == .noteOn {
                    open[pitch].append((step, currentVelocity))
                } else if !open[pitch].isEmpty {
                    let (startStep, noteVelocity) = open[pitch].removeFirst()
                    if step != startStep { addNote(pitch: pitch, startStep: startStep, endStep: step, velocity: noteVelocity) }
                }
            case .timeShift:
                step += event.value
            case .velocity:
                guard numVelocityBins > 0 else {
                    throw EncodingError.invalidConfiguration("a VELOCITY event in a performance without velocity bins")
                }
                currentVelocity = Self.velocity(bin: event.value, numVelocityBins: numVelocityBins)
            }
        }
        for pitch in pitchOrder {
            for (startStep, noteVelocity) in open[pitch] where startStep != step {
                addNote(pitch: pitch, startStep: startStep, endStep: step, velocity: noteVelocity)
            }
        }
        sequence.totalTime = totalTime
        return sequence
    }
}

extension NoteSequence {
    /// The notes with `quantizedStartStep`/`quantizedEndStep` on an absolute grid of
    /// `stepsPerSecond`, as note_seq's `quantize_note_sequence_absolute`: both ends through
    /// `quantizeToStep` (round half up), and a note whose ends meet is lengthened by one step.
    /// - Throws: `EncodingError.badTime` for a note that would start or end before step 0, or at a
    ///   time that is not finite.
    public func absolutelyQuantizedNotes(stepsPerSecond: Int) throws -> [Note] {
        let rate = Double(stepsPerSecond)
        var out = notes
        for i in out.indices {
            for seconds in [out[i].startTime, out[i].endTime] where !(seconds.isFinite && abs(seconds * rate) < 1e15) {
                throw EncodingError.badTime(seconds: seconds)
            }
            let start = NoteSequence.quantizeToStep(seconds: out[i].startTime, stepsPerSecond: rate)
            var end = NoteSequence.quantizeToStep(seconds: out[i].endTime, stepsPerSecond: rate)
            if end == start { end += 1 }
            guard start >= 0, end >= 0 else { throw EncodingError.badTime(seconds: min(out[i].startTime, out[i].endTime)) }
            out[i].quantizedStartStep = start
            out[i].quantizedEndStep = end
        }
        return out
    }
}
