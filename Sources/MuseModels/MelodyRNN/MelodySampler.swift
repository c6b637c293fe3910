import Foundation
import MuseCore
import MuseEncoding
import MuseMIDI

/// Settings of melody generation, with Magenta's names and defaults.
public struct MelodyGenerationOptions: Sendable {
    /// Total length in steps of each generated melody, primer included (Magenta's `num_steps`).
    public var numSteps = 128
    /// Softmax temperature: < 1 more predictable, > 1 more random. Must be > 0.
    public var temperature: Float = 1
    /// Melodies kept between beam-search iterations (1 = plain sampling).
    public var beamSize = 1
    /// Branches grown from each kept melody per iteration.
    public var branchFactor = 1
    /// Steps each branch grows per iteration.
    public var stepsPerIteration = 1
    /// Seeds the sampling.
    public var seed: UInt64 = 0
    /// Defaults as Magenta's melody_rnn_generate.
    public init() {}
}

/// Generates melodies from a trained `MelodyRNN`: the primer is run through the model once, then
/// each step feeds only the newest event with the LSTM state carried over (never recomputed).
/// Beam search follows Magenta's `beam_search`: `beamSize` copies of the primer, each iteration
/// grows `branchFactor` branches per kept melody by `stepsPerIteration` sampled steps, keeps the
/// `beamSize` with the highest log-likelihood; the best one is returned.
public struct MelodySampler {
    /// The model (put in evaluation mode by `generate`).
    public let model: MelodyRNN

    /// A sampler over `model`.
    public init(model: MelodyRNN) { self.model = model }

    /// Checks a primer against the model's pitch range.
    /// - Throws: `ModelError.primerOutOfRange` naming the event and its position.
    public func validate(primer: [Int]) throws {
        let c = model.config
        for (i, e) in primer.enumerated() where !(e == Melody.noEvent || e == Melody.noteOff || (e >= c.minNote && e < c.maxNote)) {
            throw ModelError.primerOutOfRange(event: e, position: i, minNote: c.minNote, maxNote: c.maxNote)
        }
    }

    /// Generates one melody (events, primer first) and its log-likelihood under the sampling distribution.
    /// - Parameter primer: melody events to continue (at least one; Magenta's default is `[60]`).
    /// - Throws: `ModelError` for a bad primer or options.
    public func generate(primer: [Int], options: MelodyGenerationOptions) throws -> (events: [Int], logLikelihood: Double) {
        var generator = SplitMix64(seed: options.seed)
        return try generate(primer: primer, options: options, using: &generator)
    }

    /// Generates `count` melodies with one generator seeded by `options.seed` (melody k differs from melody 0).
    public func generate(count: Int, primer: [Int], options: MelodyGenerationOptions) throws -> [[Int]] {
        var generator = SplitMix64(seed: options.seed)
        return try (0..<count).map { _ in try generate(primer: primer, options: options, using: &generator).events }
    }

    /// One melody drawn with `generator`.
    public func generate(primer: [Int], options: MelodyGenerationOptions,
                         using generator: inout SplitMix64) throws -> (events: [Int], logLikelihood: Double) {
        guard !primer.isEmpty else { throw ModelError.invalidArgument("the primer melody must hold at least one event") }
        try validate(primer: primer)
        guard options.temperature > 0, options.temperature.isFinite else {
            throw ModelError.invalidArgument("temperature \(options.temperature) must be positive")
        }
        guard options.beamSize >= 1, options.branchFactor >= 1, options.stepsPerIteration >= 1 else {
            throw ModelError.invalidArgument("beam size, branch factor and steps per iteration must be at least 1")
        }
        let steps = options.numSteps - primer.count
        guard steps > 0 else { return (primer, 0) }
        model.setTraining(false)
        return try noGrad {
            // State after every primer event but the last; the last is fed by the first step.
            var initial = model.zeroState(batch: 1)
            if primer.count > 1 {
                let (inputs, _) = try model.encodeWindows([(primer, 0, primer.count - 1)], steps: primer.count - 1, ignoreIndex: -100)
                initial = try model(inputs).state
            }
            // Beam of `beamSize` copies of the primer.
            var beam = Beam(sequences: Array(repeating: primer, count: options.beamSize),
                            scores: Array(repeating: 0, count: options.beamSize),
                            states: try initial.gather(Array(repeating: 0, count: options.beamSize)))
            let first = (steps - 1) % options.stepsPerIteration + 1
            try grow(&beam, branchFactor: options.branchFactor, steps: first, options: options, using: &generator)
            for _ in 0..<((steps - first) / options.stepsPerIteration) {
                try prune(&beam, keep: options.beamSize)
                try grow(&beam, branchFactor: options.branchFactor, steps: options.stepsPerIteration, options: options, using: &generator)
            }
            let best = topIndices(beam.scores, 1)[0]
            return (beam.sequences[best], beam.scores[best])
        }
    }

    /// The melodies, their log-likelihoods and the batched LSTM state (row k ↔ sequence k).
    struct Beam {
        var sequences: [[Int]]
        var scores: [Double]
        var states: MelodyRNNState
    }

    /// Magenta's `_generate_branches`: repeat the beam `branchFactor` times, then extend every entry.
    func grow(_ beam: inout Beam, branchFactor: Int, steps: Int, options: MelodyGenerationOptions,
              using generator: inout SplitMix64) throws {
        if branchFactor > 1 {
            let n = beam.sequences.count
            let order = (0..<branchFactor).flatMap { _ in 0..<n }
            beam = Beam(sequences: order.map { beam.sequences[$0] }, scores: order.map { beam.scores[$0] },
                        states: try beam.states.gather(order))
        }
        for _ in 0..<steps { try step(&beam, temperature: options.temperature, using: &generator) }
    }

    /// Magenta's `_prune_branches`: keep the `keep` highest scores.
    func prune(_ beam: inout Beam, keep: Int) throws {
        let idx = topIndices(beam.scores, keep)
        beam = Beam(sequences: idx.map { beam.sequences[$0] }, scores: idx.map { beam.scores[$0] }, states: try beam.states.gather(idx))
    }

    /// Indices of the `k` largest scores, largest first, earlier index first on ties (as `heapq.nlargest`).
    func topIndices(_ scores: [Double], _ k: Int) -> [Int] {
        Array(scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(k))
    }

    /// Feeds each sequence's newest event, samples the next from softmax(logits / temperature).
    func step(_ beam: inout Beam, temperature: Float, using generator: inout SplitMix64) throws {
        let n = beam.sequences.count, I = model.encoder.inputSize, C = model.encoder.classCount
        let inputs = Tensor.zeros([n, 1, I])
        try inputs.withUnsafeMutableBufferPointer { buffer in
            for (b, seq) in beam.sequences.enumerated() {
                try model.encoder.writeInput(events: seq, position: seq.count - 1,
                                             into: UnsafeMutableBufferPointer(rebasing: buffer[(b * I)..<((b + 1) * I)]))
            }
        }
        let (logits, states) = try model(inputs, state: beam.states)
        beam.states = states
        let logp = try (logits * (1 / temperature)).logSoftmax(axis: -1)
        try logp.withUnsafeBufferPointer { p in
            for b in 0..<n {
                let u = Double(generator.nextUnitFloat())
                var acc = 0.0, chosen = C - 1
                for c in 0..<C {
                    acc += Foundation.exp(Double(p[b * C + c]))
                    if u < acc { chosen = c; break }
                }
                beam.scores[b] += Double(p[b * C + chosen])
                beam.sequences[b].append(try model.encoder.event(forClass: chosen, after: beam.sequences[b]))
            }
        }
    }
}

extension MelodySampler {
    /// A generated melody as a NoteSequence at `qpm` quarter notes per minute (seconds and quantized steps set).
    public func noteSequence(events: [Int], qpm: Double = 120) throws -> NoteSequence {
        let c = model.config
        let melody = try Melody(events: events, stepsPerBar: 4 * c.stepsPerQuarter, stepsPerQuarter: c.stepsPerQuarter)
        return melody.toSequence(qpm: qpm)
    }
}
