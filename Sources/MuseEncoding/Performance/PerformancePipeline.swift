import MuseMIDI

/// From a NoteSequence to performance class indices and back, as Magenta's performance models
/// prepare their data (Performance RNN with dynamics; Music Transformer's score2perf):
///
/// 1. drum notes removed (`removeDrums`; note_seq's `Performance` itself would keep them as
///    pitched notes, since its pipelines never filter them — Muse leaves them out by default);
/// 2. notes outside `minPitch...maxPitch` removed (score2perf's `filter_invalid_notes`);
/// 3. the sustain pedal applied (`apply_sustain_control_changes`, when `applySustain`);
/// 4. quantized to `stepsPerSecond` and turned into one `Performance` with every part merged;
/// 5. each event encoded by the `PerformanceOneHotEncoding` of these settings.
///
/// Times are in seconds. The defaults are note_seq's Performance RNN with dynamics: 100 steps
/// per second, shifts up to 100 steps, 32 velocity bins, pitches 0...127 — 388 classes.
public struct PerformancePipeline: Codable, Equatable, Sendable {
    /// Quantization grid (note_seq: 100 steps per second, 10 ms).
    public var stepsPerSecond: Int = 100
    /// Longest single time shift, in steps (note_seq: 100, so one second).
    public var maxShiftSteps: Int = 100
    /// Velocity bins (note_seq's "with dynamics": 32; 0 drops velocity events).
    public var numVelocityBins: Int = 32
    /// Lowest pitch kept and encoded (inclusive).
    public var minPitch: Int = 0
    /// Highest pitch kept and encoded (inclusive).
    public var maxPitch: Int = 127
    /// Apply the sustain pedal (control 64) to note lengths first.
    public var applySustain: Bool = true
    /// Leave drum notes out (note_seq's own functions would keep them).
    public var removeDrums: Bool = true

    /// note_seq's Performance RNN with dynamics: 388 classes.
    public init() {}

    /// The same settings over the piano's keys 21...108 (308 classes), as Music Transformer's
    /// piano-performance problems.
    public static var piano: PerformancePipeline {
        var pipeline = PerformancePipeline()
        pipeline.minPitch = 21
        pipeline.maxPitch = 108
        return pipeline
    }

    /// The encoding of these settings.
    /// - Throws: `EncodingError.invalidConfiguration` for settings out of range.
    public func encoding() throws -> PerformanceOneHotEncoding {
        guard stepsPerSecond > 0 else { throw EncodingError.invalidConfiguration("stepsPerSecond \(stepsPerSecond) must be positive") }
        return try PerformanceOneHotEncoding(numVelocityBins: numVelocityBins, maxShiftSteps: maxShiftSteps,
                                             minPitch: minPitch, maxPitch: maxPitch)
    }

    /// Steps 1–3: the notes the performance is made of, in seconds.
    public func prepared(_ sequence: NoteSequence) -> NoteSequence {
        var kept = sequence
        kept.notes = sequence.notes.filter { !(removeDrums && $0.isDrum) && (minPitch...maxPitch).contains($0.pitch) }
        return applySustain ? kept.applyingSustainControlChanges() : kept
    }

    /// Steps 1–4: the performance of `sequence`.
    /// - Throws: `EncodingError` for bad settings, a note before 0 s, or a bad velocity.
    public func performance(of sequence: NoteSequence) throws -> Performance {
        _ = try encoding()
        return try Performance(sequence: prepared(sequence), stepsPerSecond: stepsPerSecond,
                               numVelocityBins: numVelocityBins, maxShiftSteps: maxShiftSteps)
    }

    /// All five steps: the class indices of `sequence`.
    /// - Throws: as `performance(of:)`.
    public func classIndices(of sequence: NoteSequence) throws -> [Int] {
        try encoding().encode(performance(of: sequence).events)
    }

    /// The performance spelled by class indices (for instance a model's samples).
    /// - Throws: `EncodingError.classOutOfRange` for an index past the classes.
    public func performance(classIndices: [Int]) throws -> Performance {
        Performance(stepsPerSecond: stepsPerSecond, numVelocityBins: numVelocityBins, maxShiftSteps: maxShiftSteps,
                    events: try encoding().decode(classIndices))
    }

    /// The notes spelled by class indices, as Magenta decodes a model's output: a fresh
    /// `Performance` of the decoded events, then `to_sequence()` (velocity 100 until a velocity
    /// event, program 0, instrument 0).
    /// - Throws: as `performance(classIndices:)`.
    public func sequence(classIndices: [Int]) throws -> NoteSequence {
        try performance(classIndices: classIndices).toSequence()
    }
}
