import Foundation
import MuseCore
import MuseMIDI

/// The negative log-likelihood of one piece under a model.
public struct MusicTransformerScore: Equatable, Sendable {
    /// Sum over the scored tokens, in nats.
    public var negativeLogLikelihood: Double
    /// Tokens scored: the piece's events and its end-of-sequence token.
    public var tokens: Int
    /// Nats per event.
    public var perEvent: Double { tokens > 0 ? negativeLogLikelihood / Double(tokens) : .nan }
}

extension MusicTransformer {
    /// Scores whole pieces (performance class indices) in evaluation mode: each piece plus its
    /// end token is cut into consecutive windows of `maxSeqLen` tokens, each window read from the
    /// start token as in training (so no prediction sees more than `maxSeqLen − 1` tokens of
    /// context). Full windows are batched `batchSize` at a time.
    /// - Throws: `TensorError` for a class outside the vocabulary.
    public func score(_ pieces: [[Int]]) throws -> [MusicTransformerScore] {
        let wasTraining = isTraining
        setTraining(false)
        defer { setTraining(wasTraining) }
        let l = config.maxSeqLen, v = vocabularySize
        var scores = pieces.map { _ in MusicTransformerScore(negativeLogLikelihood: 0, tokens: 0) }
        var windows: [(piece: Int, tokens: [Int])] = []
        for (p, piece) in pieces.enumerated() {
            let tokens = Self.tokens(classIndices: piece) + [MusicTransformerConfig.endToken]
            for start in stride(from: 0, to: tokens.count, by: l) { windows.append((p, Array(tokens[start..<min(tokens.count, start + l)]))) }
        }
        let full = windows.filter { $0.tokens.count == l }, partial = windows.filter { $0.tokens.count < l }
        var groups: [[(piece: Int, tokens: [Int])]] = stride(from: 0, to: full.count, by: config.batchSize).map {
            Array(full[$0..<min(full.count, $0 + config.batchSize)])
        }
        groups += partial.map { [$0] }
        try noGrad {
            for group in groups {
                let n = group[0].tokens.count
                let inputs = group.flatMap { [MusicTransformerConfig.padToken] + $0.tokens.dropLast() }
                let logp = try self(inputs, batch: group.count).logSoftmax(axis: -1)
                logp.withUnsafeBufferPointer { p in
                    for (row, window) in group.enumerated() {
                        var nll = 0.0
                        for (t, token) in window.tokens.enumerated() { nll -= Double(p[(row * n + t) * v + token]) }
                        scores[window.piece].negativeLogLikelihood += nll
                        scores[window.piece].tokens += n
                    }
                }
            }
        }
        return scores
    }
}

/// The negative log-likelihood of MIDI files under a Music Transformer (`muse evaluate music-transformer`).
public struct MusicTransformerEvaluation: Codable, Equatable, Sendable {
    /// One file's score.
    public struct File: Codable, Equatable, Sendable {
        /// The file's path as given (or found under the folder).
        public var path: String
        /// Tokens scored: events plus the end-of-sequence token.
        public var events: Int
        /// Mean negative log-likelihood, nats per event.
        public var nllPerEvent: Double
    }
    /// Files scored, in path order.
    public var files: [File]
    /// Files that could not be read or gave no events.
    public var skipped: [String]
    /// Events over all files.
    public var events: Int
    /// Mean negative log-likelihood over all events of all files, nats per event.
    public var nllPerEvent: Double

    /// Scores a MIDI file, or every MIDI file under a folder.
    /// - Throws: `MIDIError` when the path cannot be read or listed, `ModelError.emptyData` when no file gives events.
    public static func evaluate(model: MusicTransformer, path: String) throws -> MusicTransformerEvaluation {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError.io(file: path, reason: "no such file or folder")
        }
        let paths = isDirectory.boolValue ? try MIDICorpus.files(in: path) : [path]
        var pieces: [[Int]] = [], used: [String] = [], skipped: [String] = []
        for p in paths {
            do {
                let indices = try model.config.pipeline.classIndices(of: NoteSequence(contentsOfMIDIFile: p))
                if indices.isEmpty { skipped.append(p) } else { pieces.append(indices); used.append(p) }
            } catch {
                if !isDirectory.boolValue { throw error }
                skipped.append(p)
            }
        }
        guard !pieces.isEmpty else { throw ModelError.emptyData("\(path): no MIDI file with performance events") }
        let scores = try model.score(pieces)
        let total = scores.reduce(0) { $0 + $1.negativeLogLikelihood }, n = scores.reduce(0) { $0 + $1.tokens }
        return MusicTransformerEvaluation(
            files: zip(used, scores).map { File(path: $0, events: $1.tokens, nllPerEvent: $1.perEvent) },
            skipped: skipped, events: n, nllPerEvent: total / Double(n))
    }

    /// Lines for a terminal: one per file, then the total.
    public var summary: String {
        var lines = files.map { String(format: "%@: %.4f nats/event over %d events", $0.path, $0.nllPerEvent, $0.events) }
        if !skipped.isEmpty { lines.append("skipped \(skipped.count) unreadable or empty files") }
        lines.append(String(format: "overall: %.4f nats/event over %d events in %d files", nllPerEvent, events, files.count))
        return lines.joined(separator: "\n")
    }
}
