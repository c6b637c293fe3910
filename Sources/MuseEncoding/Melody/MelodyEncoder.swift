/// Turns melody events into model inputs and labels, and labels back into events: the contract of
/// note_seq's `EventSequenceEncoderDecoder`. Two conformers: `OneHotMelodyEncoder` (Magenta's
/// basic_rnn and attention_rnn) and `LookbackMelodyEncoder` (lookback_rnn).
///
/// For training on a melody of `n` events the inputs are positions `0 ..< n-1` and the labels are
/// the events at `1 ..< n`: the model predicts each next event.
public protocol MelodyEncoder: Sendable {
    /// Length of one input vector.
    var inputSize: Int { get }
    /// Number of label classes.
    var classCount: Int { get }
    /// The underlying one-hot event encoding.
    var oneHot: MelodyOneHotEncoding { get }
    /// Writes the input vector for `events[position]` into `input` (`inputSize` floats, zeroed by
    /// the caller).
    func writeInput(events: [Int], position: Int, into input: UnsafeMutableBufferPointer<Float>) throws
    /// The label for `events[position]`.
    func label(events: [Int], position: Int) throws -> Int
    /// The event a predicted class stands for, given the events so far.
    func event(forClass index: Int, after events: [Int]) throws -> Int
}

extension MelodyEncoder {
    /// Dense inputs `[n-1, inputSize]` (row-major) and labels `[n-1]` for a whole melody.
    public func encode(_ events: [Int]) throws -> (inputs: [Float], labels: [Int]) {
        guard events.count >= 2 else { return ([], []) }
        var inputs = [Float](repeating: 0, count: (events.count - 1) * inputSize)
        try inputs.withUnsafeMutableBufferPointer { buffer in
            for position in 0..<(events.count - 1) {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[(position * inputSize)..<((position + 1) * inputSize)])
                try writeInput(events: events, position: position, into: row)
            }
        }
        let labels = try (1..<events.count).map { try label(events: events, position: $0) }
        return (inputs, labels)
    }

    /// The input vector for the last event, for sampling one step at a time.
    public func input(forLast events: [Int]) throws -> [Float] {
        var input = [Float](repeating: 0, count: inputSize)
        try input.withUnsafeMutableBufferPointer { try writeInput(events: events, position: events.count - 1, into: $0) }
        return input
    }
}

/// One-hot inputs of the current event; labels are the one-hot class of the event.
public struct OneHotMelodyEncoder: MelodyEncoder, Equatable {
    public let oneHot: MelodyOneHotEncoding
    public init(oneHot: MelodyOneHotEncoding) { self.oneHot = oneHot }
    public var inputSize: Int { oneHot.classCount }
    public var classCount: Int { oneHot.classCount }

    public func writeInput(events: [Int], position: Int, into input: UnsafeMutableBufferPointer<Float>) throws {
        input[try oneHot.encode(event: events[position])] = 1
    }

    public func label(events: [Int], position: Int) throws -> Int { try oneHot.encode(event: events[position]) }

    public func event(forClass index: Int, after events: [Int]) throws -> Int { try oneHot.decode(index: index) }
}

/// Magenta's lookback encoding (lookback_rnn): the input holds the current event, the events
/// that followed one and two bars ago, a binary step counter (metric position of the next event)
/// and whether the current event repeats those of one and two bars ago; two extra label classes
/// mean "repeat the event of one (two) bars ago".
///
/// With 38 one-hot classes, lookbacks `[16, 32]` and 5 counter bits: 121 inputs, 40 classes.
public struct LookbackMelodyEncoder: MelodyEncoder, Equatable {
    public let oneHot: MelodyOneHotEncoding
    /// Steps to look back (note_seq's default: one and two bars of 16 steps).
    public let lookbackDistances: [Int]
    /// Bits of the binary counter.
    public let binaryCounterBits: Int

    public init(oneHot: MelodyOneHotEncoding, lookbackDistances: [Int] = [16, 32], binaryCounterBits: Int = 5) {
        self.oneHot = oneHot
        self.lookbackDistances = lookbackDistances
        self.binaryCounterBits = binaryCounterBits
    }

    public var inputSize: Int {
        oneHot.classCount * (1 + lookbackDistances.count) + binaryCounterBits + lookbackDistances.count
    }
    public var classCount: Int { oneHot.classCount + lookbackDistances.count }

    public func writeInput(events: [Int], position: Int, into input: UnsafeMutableBufferPointer<Float>) throws {
        let n = oneHot.classCount
        input[try oneHot.encode(event: events[position])] = 1
        var offset = n
        for distance in lookbackDistances {
            let at = position - distance + 1
            input[offset + (try oneHot.encode(event: at < 0 ? oneHot.defaultEvent : events[at]))] = 1
            offset += n
        }
        let next = position + 1
        for bit in 0..<binaryCounterBits {
            input[offset] = (next >> bit) & 1 == 1 ? 1 : -1
            offset += 1
        }
        for distance in lookbackDistances {
            let at = position - distance
            if at >= 0 && events[position] == events[at] { input[offset] = 1 }
            offset += 1
        }
    }

    public func label(events: [Int], position: Int) throws -> Int {
        if let longest = lookbackDistances.last, position < longest, events[position] == oneHot.defaultEvent {
            return oneHot.classCount + lookbackDistances.count - 1
        }
        for (i, distance) in lookbackDistances.enumerated().reversed() {
            let at = position - distance
            if at >= 0 && events[position] == events[at] { return oneHot.classCount + i }
        }
        return try oneHot.encode(event: events[position])
    }

    public func event(forClass index: Int, after events: [Int]) throws -> Int {
        for (i, distance) in lookbackDistances.enumerated().reversed() where index == oneHot.classCount + i {
            return events.count < distance ? oneHot.defaultEvent : events[events.count - distance]
        }
        return try oneHot.decode(index: index)
    }
}
