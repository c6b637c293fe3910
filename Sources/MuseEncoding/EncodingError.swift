/// Why a melody or encoding operation could not be done.
public enum EncodingError: Error, Equatable, CustomStringConvertible {
    /// A melody event outside `-2...127`.
    case eventOutOfRange(event: Int, position: Int)
    /// A note whose start step is not before its end step.
    case badNote(startStep: Int, endStep: Int)
    /// Two notes start on the same step and polyphony is not being ignored.
    case polyphonicMelody(step: Int)
    /// The time signature does not divide into whole steps.
    case nonIntegerStepsPerBar(numerator: Int, denominator: Int, stepsPerQuarter: Int)
    /// The sequence must be quantized first.
    case notQuantized
    /// A pitch the encoding cannot represent.
    case pitchOutOfRange(pitch: Int, minNote: Int, maxNote: Int)
    /// A class index past the encoding's classes.
    case classOutOfRange(index: Int, classCount: Int)
    /// An encoding configuration that makes no sense.
    case invalidConfiguration(String)
    /// A performance event whose value its kind cannot take (pitch outside the encoding's range,
    /// time shift outside `1...maxShiftSteps`, velocity bin outside `1...numVelocityBins`).
    case performanceEventOutOfRange(kind: String, value: Int, allowed: ClosedRange<Int>)
    /// A note that would start or end before step 0, or at a time that is not a finite number
    /// of steps, found while quantizing.
    case badTime(seconds: Double)
    /// A primer list (Magenta's `"[60, -2, 62]"`) with an entry that is not an integer.
    case badPrimer(entry: String, position: Int)

    public var description: String {
        switch self {
        case let .eventOutOfRange(event, position): return "melody event \(event) at step \(position) is outside -2...127"
        case let .badNote(start, end): return "note starts at step \(start), not before its end step \(end)"
        case let .polyphonicMelody(step): return "two notes start at step \(step) in a melody that must be monophonic"
        case let .nonIntegerStepsPerBar(n, d, s): return "time signature \(n)/\(d) at \(s) steps per quarter is not a whole number of steps per bar"
        case .notQuantized: return "the note sequence is not quantized"
        case let .pitchOutOfRange(p, lo, hi): return "pitch \(p) is outside the encoding's range \(lo)..<\(hi)"
        case let .classOutOfRange(i, n): return "class \(i) is outside 0..<\(n)"
        case let .invalidConfiguration(what): return what
        case let .performanceEventOutOfRange(kind, value, allowed):
            return "\(kind) \(value) is outside the encoding's \(allowed.lowerBound)...\(allowed.upperBound)"
        case let .badTime(seconds): return "note time \(seconds) s is before 0 or too large to quantize"
        case let .badPrimer(entry, position): return "primer entry \(position) '\(entry)' is not an integer event"
        }
    }
}
