import Foundation
import MuseCore
import MuseEncoding
import MuseMIDI

/// Settings of Music Transformer sampling.
public struct MusicTransformerSamplingOptions: Sendable {
    /// Events generated after the primer (fewer when a sequence samples end-of-sequence).
    public var maxEvents = 1024
    /// Softmax temperature: < 1 more predictable, > 1 more random. Must be > 0.
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0 = all).
    public var topK = 0
    /// Keep the smallest set of most likely tokens whose probability reaches p (1 = all).
    public var topP: Float = 1
    /// Seeds the sampling: the same seed, model and primer give the same events.
    public var seed: UInt64 = 0
    /// Defaults: plain sampling of 1024 events.
    public init() {}
}

/// Samples performances from a trained `MusicTransformer` with a `MusicTransformerCache`: the
/// primer is fed once, then every step feeds only the newest token.
public struct MusicTransformerSampler {
    /// The model (put in evaluation mode by `generate`).
    public let model: MusicTransformer

    /// A sampler over `model`.
    public init(model: MusicTransformer) { self.model = model }

    /// Checks the options. - Throws: `ModelError.invalidArgument` naming the bad one.
    public static func validate(_ options: MusicTransformerSamplingOptions) throws {
        guard options.temperature > 0, options.temperature.isFinite else {
            throw ModelError.invalidArgument("temperature \(options.temperature) must be positive")
        }
        guard options.topK >= 0 else { throw ModelError.invalidArgument("top-k \(options.topK) must be 0 (off) or positive") }
        guard options.topP > 0, options.topP <= 1 else { throw ModelError.invalidArgument("top-p \(options.topP) must lie in (0, 1]") }
        guard options.maxEvents >= 0 else { throw ModelError.invalidArgument("max events \(options.maxEvents) must not be negative") }
    }

    /// Generates `count` continuations of `primer` (performance class indices; may be empty) in
    /// one batch, drawn with one generator seeded by `options.seed`.
    /// - Returns: per output the class indices, primer first, without the end-of-sequence token.
    /// - Throws: `ModelError` for bad options or a primer class outside the encoding.
    public func generate(count: Int, primer: [Int], options: MusicTransformerSamplingOptions) throws -> [[Int]] {
        try Self.validate(options)
        guard count > 0 else { return [] }
        let classes = model.vocabularySize - MusicTransformerConfig.tokenOffset
        for (i, c) in primer.enumerated() where !(0..<classes).contains(c) {
            throw ModelError.invalidArgument("primer event \(i) has class \(c), outside 0..<\(classes)")
        }
        model.setTraining(false)
        var generator = SplitMix64(seed: options.seed)
        let inputs = [MusicTransformerConfig.padToken] + MusicTransformer.tokens(classIndices: primer)
        var cache = MusicTransformerCache(model: model, batch: count, expectedLength: inputs.count + options.maxEvents)
        var logits: [Float] = []
        for token in inputs { logits = try cache.step(model, tokens: Array(repeating: token, count: count)) }
        var sequences = Array(repeating: primer, count: count)
        var finished = Array(repeating: false, count: count)
        let v = model.vocabularySize
        for n in 0..<options.maxEvents {
            var next = [Int](repeating: MusicTransformerConfig.padToken, count: count)
            for row in 0..<count where !finished[row] {
                let token = Self.sample(Array(logits[(row * v)..<((row + 1) * v)]), options: options, using: &generator)
                if token == MusicTransformerConfig.endToken || token == MusicTransformerConfig.padToken {
                    finished[row] = true
                } else {
                    sequences[row].append(token - MusicTransformerConfig.tokenOffset)
                    next[row] = token
                }
            }
            if finished.allSatisfy({ $0 }) || n == options.maxEvents - 1 { break }
            logits = try cache.step(model, tokens: next)
        }
        return sequences
    }

    /// Draws a token from `logits` / temperature, restricted to the top k and then to the top-p
    /// nucleus. Ties keep the lower token first.
    public static func sample(_ logits: [Float], options: MusicTransformerSamplingOptions,
                              using generator: inout SplitMix64) -> Int {
        let scaled = logits.map { Double($0) / Double(options.temperature) }
        var order = Array(scaled.indices).sorted { scaled[$0] != scaled[$1] ? scaled[$0] > scaled[$1] : $0 < $1 }
        if options.topK > 0 && options.topK < order.count { order = Array(order.prefix(options.topK)) }
        let top = scaled[order[0]]
        var weights = order.map { exp(scaled[$0] - top) }
        if options.topP < 1 {
            let total = weights.reduce(0, +)
            var cumulative = 0.0, keep = weights.count
            for (i, w) in weights.enumerated() {
                cumulative += w / total
                if cumulative >= Double(options.topP) { keep = i + 1; break }
            }
            order = Array(order.prefix(keep))
            weights = Array(weights.prefix(keep))
        }
        let u = Double(generator.nextUnitFloat()) * weights.reduce(0, +)
        var acc = 0.0
        for (i, w) in weights.enumerated() {
            acc += w
            if u < acc { return order[i] }
        }
        return order[order.count - 1]
    }

    /// The primer of a MIDI file: its first `seconds` (notes starting before, cut at that time;
    /// all when `nil`), encoded with the model's pipeline.
    /// - Throws: `MIDIError` for an unreadable file, `EncodingError` for notes it cannot encode.
    public func primer(midiFile path: String, seconds: Double?) throws -> [Int] {
        var sequence = try NoteSequence(contentsOfMIDIFile: path)
        if let seconds {
            sequence.notes = sequence.notes.filter { $0.startTime < seconds }.map {
                var note = $0
                note.endTime = min(note.endTime, seconds)
                return note
            }
            sequence.controlChanges = sequence.controlChanges.filter { $0.time < seconds }
            sequence.totalTime = min(sequence.totalTime, seconds)
        }
        return try model.config.pipeline.classIndices(of: sequence)
    }

    /// Class indices as notes (Magenta's decoding: `Performance.to_sequence()`).
    /// - Throws: `EncodingError` for an index outside the encoding.
    public func noteSequence(classIndices: [Int]) throws -> NoteSequence {
        try model.config.pipeline.sequence(classIndices: classIndices)
    }
}
