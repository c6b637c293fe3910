/// Melody events as class indices, as note_seq's `MelodyOneHotEncoding`: 0 is no-event, 1 is
/// note-off, `2 ..< classCount` are note-ons for pitches `minNote ..< maxNote`.
/// Magenta's melody RNN default is `48 ..< 84`: 38 classes.
public struct MelodyOneHotEncoding: Equatable, Sendable, Codable {
    /// Lowest pitch represented (inclusive).
    public let minNote: Int
    /// Highest pitch represented (exclusive).
    public let maxNote: Int

    /// Special events (no-event, note-off) before the pitches.
    public static let specialEventCount = 2

    /// - Throws: `EncodingError.invalidConfiguration` unless `0 <= minNote < maxNote <= 128`.
    public init(minNote: Int = 48, maxNote: Int = 84) throws {
        guard minNote >= 0, maxNote <= 128, maxNote > minNote else {
            throw EncodingError.invalidConfiguration("melody range \(minNote)..<\(maxNote) must lie in 0..<128 and be non-empty")
        }
        self.minNote = minNote
        self.maxNote = maxNote
    }

    /// Number of classes.
    public var classCount: Int { maxNote - minNote + Self.specialEventCount }

    /// The event that pads a melody (no-event).
    public var defaultEvent: Int { Melody.noEvent }

    /// Class index of a melody event.
    /// - Throws: `EncodingError.pitchOutOfRange` or `.eventOutOfRange`.
    public func encode(event: Int) throws -> Int {
        if event < -Self.specialEventCount { throw EncodingError.eventOutOfRange(event: event, position: 0) }
        if event < 0 { return event + Self.specialEventCount }
        guard event >= minNote && event < maxNote else {
            throw EncodingError.pitchOutOfRange(pitch: event, minNote: minNote, maxNote: maxNote)
        }
        return event - minNote + Self.specialEventCount
    }

    /// Melody event of a class index.
    /// - Throws: `EncodingError.classOutOfRange`.
    public func decode(index: Int) throws -> Int {
        guard index >= 0 && index < classCount else { throw EncodingError.classOutOfRange(index: index, classCount: classCount) }
        return index < Self.specialEventCount ? index - Self.specialEventCount : index - Self.specialEventCount + minNote
    }
}
