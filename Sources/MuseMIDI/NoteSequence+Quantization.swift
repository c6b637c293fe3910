extension NoteSequence {
    /// note_seq's `QUANTIZE_CUTOFF`: a time rounds up to the next step once it is past this
    /// fraction of a step *before* it (so 0.5 is round-half-up).
    public static let quantizeCutoff = 0.5

    /// note_seq's `quantize_to_step`: `Int(seconds * stepsPerSecond + (1 - cutoff))`, truncating
    /// toward zero as Python's `int()` does.
    public static func quantizeToStep(seconds: Double, stepsPerSecond: Double, cutoff: Double = quantizeCutoff) -> Int {
        Int(seconds * stepsPerSecond + (1 - cutoff))
    }

    /// A copy quantized to `stepsPerQuarter` steps per quarter note, with note_seq's
    /// `quantize_note_sequence` rules:
    ///
    /// - The sequence must have one tempo: the first (by time) must be at 0 s or be 120 qpm,
    ///   and every later one must have the first's qpm (`MultipleTempoError`); the result keeps
    ///   one tempo at 0 s (120 qpm if there was none).
    /// - The same for time signatures (first at 0 s or 4/4; all equal), keeping one at 0 s
    ///   (4/4 if there was none).
    /// - Steps per second = `stepsPerQuarter * qpm / 60`; each note's start and end, and each
    ///   control change's time, go through `quantizeToStep`; a note whose end step equals its
    ///   start step is lengthened to one step; `totalQuantizedSteps` is the larger of
    ///   `quantizeToStep(totalTime)` and the last end step.
    ///
    /// Times in seconds are kept as they were; `withQuantizedTimes()` snaps them to the steps.
    /// - Throws: `MIDIError.multipleTempos`, `.multipleTimeSignatures`, `.negativeTime`.
    public func quantized(stepsPerQuarter: Int) throws -> NoteSequence {
        precondition(stepsPerQuarter > 0, "stepsPerQuarter must be positive")
        var result = self
        result.quantizationInfo = QuantizationInfo(stepsPerQuarter: stepsPerQuarter)

        let signatures = timeSignatures.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        if let first = signatures.first {
            if first.time != 0 && !(first.numerator == 4 && first.denominator == 4) {
                throw MIDIError.multipleTimeSignatures(timeSeconds: first.time, signature: "\(first.numerator)/\(first.denominator)", first: "4/4")
            }
            for signature in signatures.dropFirst()
            where signature.numerator != timeSignatures[0].numerator || signature.denominator != timeSignatures[0].denominator {
                throw MIDIError.multipleTimeSignatures(timeSeconds: signature.time, signature: "\(signature.numerator)/\(signature.denominator)",
                                                       first: "\(first.numerator)/\(first.denominator)")
            }
            result.timeSignatures = [TimeSignature(time: 0, numerator: timeSignatures[0].numerator, denominator: timeSignatures[0].denominator)]
        } else {
            result.timeSignatures = [TimeSignature(time: 0, numerator: 4, denominator: 4)]
        }

        let sortedTempos = tempos.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        if let first = sortedTempos.first {
            if first.time != 0 && first.qpm != 120 {
                throw MIDIError.multipleTempos(timeSeconds: first.time, qpm: first.qpm, firstQPM: 120)
            }
            for tempo in sortedTempos.dropFirst() where tempo.qpm != tempos[0].qpm {
                throw MIDIError.multipleTempos(timeSeconds: tempo.time, qpm: tempo.qpm, firstQPM: first.qpm)
            }
            result.tempos = [Tempo(time: 0, qpm: tempos[0].qpm)]
        } else {
            result.tempos = [Tempo(time: 0, qpm: 120)]
        }

        let stepsPerSecond = Double(stepsPerQuarter) * result.tempos[0].qpm / 60.0
        var total = NoteSequence.quantizeToStep(seconds: totalTime, stepsPerSecond: stepsPerSecond)
        for i in result.notes.indices {
            let start = NoteSequence.quantizeToStep(seconds: result.notes[i].startTime, stepsPerSecond: stepsPerSecond)
            var end = NoteSequence.quantizeToStep(seconds: result.notes[i].endTime, stepsPerSecond: stepsPerSecond)
            if end == start { end += 1 }
            if start < 0 || end < 0 { throw MIDIError.negativeTime(timeSeconds: min(result.notes[i].startTime, result.notes[i].endTime)) }
            result.notes[i].quantizedStartStep = start
            result.notes[i].quantizedEndStep = end
            if end > total { total = end }
        }
        for i in result.controlChanges.indices {
            let step = NoteSequence.quantizeToStep(seconds: result.controlChanges[i].time, stepsPerSecond: stepsPerSecond)
            if step < 0 { throw MIDIError.negativeTime(timeSeconds: result.controlChanges[i].time) }
            result.controlChanges[i].quantizedStep = step
        }
        result.totalQuantizedSteps = total
        return result
    }

    /// Seconds per quantization step of a quantized sequence (one tempo, as `quantized` leaves it).
    public var secondsPerStep: Double? {
        guard let info = quantizationInfo else { return nil }
        return 60.0 / ((tempos.first?.qpm ?? 120) * Double(info.stepsPerQuarter))
    }

    /// A quantized sequence with every time in seconds moved onto its step
    /// (`step * secondsPerStep`): notes, control changes and `totalTime`. Pitch bends keep
    /// their times. Unquantized sequences are returned unchanged.
    public func withQuantizedTimes() -> NoteSequence {
        guard let secondsPerStep else { return self }
        var result = self
        for i in result.notes.indices {
            if let start = result.notes[i].quantizedStartStep { result.notes[i].startTime = Double(start) * secondsPerStep }
            if let end = result.notes[i].quantizedEndStep { result.notes[i].endTime = Double(end) * secondsPerStep }
        }
        for i in result.controlChanges.indices {
            if let step = result.controlChanges[i].quantizedStep { result.controlChanges[i].time = Double(step) * secondsPerStep }
        }
        result.totalTime = result.notes.reduce(0) { max($0, $1.endTime) }
        return result
    }
}
