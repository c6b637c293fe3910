/// Performance events as class indices, as note_seq's `PerformanceOneHotEncoding`.
///
/// The vocabulary is a table of (kind, values) read in order — note-ons for `minPitch...maxPitch`,
/// note-offs for the same pitches, time shifts `1...maxShiftSteps`, then (when
/// `numVelocityBins > 0`) velocity bins `1...numVelocityBins` — and each kind's first index is the
/// sum of the sizes before it. Performance RNN with dynamics and Music Transformer use 32 bins and
/// shifts of up to 100 steps (1 s at 100 steps per second): 128 + 128 + 100 + 32 = 388 classes for
/// all MIDI pitches, 88 + 88 + 100 + 32 = 308 for the piano's 21...108.
public struct PerformanceOneHotEncoding: Equatable, Sendable, Codable {
    /// One row of the vocabulary: a kind, the values it takes, and the index of its first value.
    public struct Range: Equatable, Sendable {
        public let kind: PerformanceEvent.Kind
        public let values: ClosedRange<Int>
        /// Class index of `values.lowerBound`.
        public let offset: Int
        /// Classes in this row.
        public var count: Int { values.count }
    }

    /// Velocity bins (0: no velocity events; note_seq's Performance RNN with dynamics: 32).
    public let numVelocityBins: Int
    /// Longest single time shift, in steps (note_seq's default: 100).
    public let maxShiftSteps: Int
    /// Lowest pitch represented (inclusive).
    public let minPitch: Int
    /// Highest pitch represented (inclusive, as note_seq's `max_pitch`).
    public let maxPitch: Int
    /// The vocabulary, in index order.
    public let ranges: [Range]
    /// Number of classes: the sum of the rows' sizes.
    public let classCount: Int

    /// All 128 MIDI pitches, 100 shift steps, 32 velocity bins: 388 classes (Performance RNN with
    /// dynamics).
    public static let performanceRNN = PerformanceOneHotEncoding(checked: 32, 100, 0, 127)
    /// The piano's 88 keys (21...108), 100 shift steps, 32 velocity bins: 308 classes (Music
    /// Transformer's piano-performance problems).
    public static let piano = PerformanceOneHotEncoding(checked: 32, 100, 21, 108)

    /// - Throws: `EncodingError.invalidConfiguration` unless `0 <= minPitch <= maxPitch <= 127`,
    ///   `maxShiftSteps >= 1` and `0 <= numVelocityBins <= 127`.
    public init(numVelocityBins: Int = 32, maxShiftSteps: Int = 100, minPitch: Int = 0, maxPitch: Int = 127) throws {
        guard 0 <= minPitch, minPitch <= maxPitch, maxPitch <= 127 else {
            throw EncodingError.invalidConfiguration("performance pitch range \(minPitch)...\(maxPitch) must lie in 0...127 and be non-empty")
        }
        guard maxShiftSteps >= 1 else {
            throw EncodingError.invalidConfiguration("maxShiftSteps \(maxShiftSteps) must be at least 1")
        }
        guard (0...127).contains(numVelocityBins) else {
            throw EncodingError.invalidConfiguration("numVelocityBins \(numVelocityBins) must lie in 0...127")
        }
        self.init(checked: numVelocityBins, maxShiftSteps, minPitch, maxPitch)
    }

    private init(checked numVelocityBins: Int, _ maxShiftSteps: Int, _ minPitch: Int, _ maxPitch: Int) {
        self.numVelocityBins = numVelocityBins
        self.maxShiftSteps = maxShiftSteps
        self.minPitch = minPitch
        self.maxPitch = maxPitch
        var rows: [(PerformanceEvent.Kind, ClosedRange<Int>)] = [
            (.noteOn, minPitch...maxPitch), (.noteOff, minPitch...maxPitch), (.timeShift, 1...maxShiftSteps),
        ]
        if numVelocityBins > 0 { rows.append((.velocity, 1...numVelocityBins)) }
        var offset = 0
        var ranges: [Range] = []
        for (kind, values) in rows {
            ranges.append(Range(kind: kind, values: values, offset: offset))
            offset += values.count
        }
        self.ranges = ranges
        self.classCount = offset
    }

    /// The event note_seq pads with: the longest time shift.
    public var defaultEvent: PerformanceEvent { PerformanceEvent(.timeShift, maxShiftSteps) }

    /// The vocabulary row of `kind`, nil when the encoding has none (velocity with 0 bins).
    public func range(of kind: PerformanceEvent.Kind) -> Range? { ranges.first { $0.kind == kind } }

    /// Class index of `event`.
    /// - Throws: `EncodingError.performanceEventOutOfRange` for a value outside its row (note_seq
    ///   would silently return another row's index there), `.invalidConfiguration` for a velocity
    ///   event when there are no velocity bins.
    public func encode(_ event: PerformanceEvent) throws -> Int {
        guard let row = range(of: event.kind) else {
            throw EncodingError.invalidConfiguration("this encoding has no \(event.kind.name) events (0 velocity bins)")
        }
        guard row.values.contains(event.value) else {
            throw EncodingError.performanceEventOutOfRange(kind: event.kind.name, value: event.value, allowed: row.values)
        }
        return row.offset + event.value - row.values.lowerBound
    }

    /// The event of class `index`.
    /// - Throws: `EncodingError.classOutOfRange` outside `0..<classCount`.
    public func decode(_ index: Int) throws -> PerformanceEvent {
        for row in ranges where index >= row.offset && index < row.offset + row.count {
            return PerformanceEvent(row.kind, row.values.lowerBound + index - row.offset)
        }
        throw EncodingError.classOutOfRange(index: index, classCount: classCount)
    }

    /// Class indices of `events`, in order.
    /// - Throws: as `encode(_:)`.
    public func encode(_ events: [PerformanceEvent]) throws -> [Int] { try events.map(encode) }

    /// Events of class indices, in order.
    /// - Throws: as `decode(_:)`.
    public func decode(_ indices: [Int]) throws -> [PerformanceEvent] { try indices.map(decode) }

    private enum CodingKeys: String, CodingKey { case numVelocityBins, maxShiftSteps, minPitch, maxPitch }

    /// Decodes the four settings (the table is rebuilt from them).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(numVelocityBins: c.decode(Int.self, forKey: .numVelocityBins),
                      maxShiftSteps: c.decode(Int.self, forKey: .maxShiftSteps),
                      minPitch: c.decode(Int.self, forKey: .minPitch), maxPitch: c.decode(Int.self, forKey: .maxPitch))
    }

    /// Encodes the four settings.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(numVelocityBins, forKey: .numVelocityBins)
        try c.encode(maxShiftSteps, forKey: .maxShiftSteps)
        try c.encode(minPitch, forKey: .minPitch)
        try c.encode(maxPitch, forKey: .maxPitch)
    }
}
