/// One event of a performance, as note_seq's `performance_lib.PerformanceEvent`: start a note,
/// end a note, move time forward, or set the velocity of the notes that follow.
///
/// Values: a MIDI pitch 0...127 for `noteOn`/`noteOff`; quantized steps (10 ms at note_seq's 100
/// steps per second) for `timeShift`; a velocity bin `1...numVelocityBins` for `velocity`.
public struct PerformanceEvent: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kinds of event, with note_seq's numbers (`PerformanceEvent.NOTE_ON == 1`, …).
    public enum Kind: Int, CaseIterable, Hashable, Sendable, Codable {
        case noteOn = 1, noteOff = 2, timeShift = 3, velocity = 4

        /// note_seq's constant name: `NOTE_ON`, `NOTE_OFF`, `TIME_SHIFT`, `VELOCITY`.
        public var name: String {
            switch self {
            case .noteOn: return "NOTE_ON"
            case .noteOff: return "NOTE_OFF"
            case .timeShift: return "TIME_SHIFT"
            case .velocity: return "VELOCITY"
            }
        }

        /// The kind named `name` (note_seq's constant name), nil for any other string.
        public init?(name: String) {
            guard let kind = Kind.allCases.first(where: { $0.name == name }) else { return nil }
            self = kind
        }
    }

    public var kind: Kind
    /// Pitch, steps or velocity bin, by `kind`.
    public var value: Int

    public init(_ kind: Kind, _ value: Int) {
        self.kind = kind
        self.value = value
    }

    /// `NOTE_ON 60`, `TIME_SHIFT 25`: note_seq's type name and the value.
    public var description: String { "\(kind.name) \(value)" }
}
