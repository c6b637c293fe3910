import Foundation
import MuseEncoding
import MuseMIDI

/// Scores the melodies of MIDI files under a melody RNN (what `muse evaluate melody-rnn` prints).
public struct MelodyEvaluation: Codable, Sendable {
    /// One scored melody.
    public struct Entry: Codable, Sendable {
        /// The MIDI file it came from.
        public var file: String
        /// Its index among that file's melodies.
        public var melody: Int
        /// Steps scored.
        public var steps: Int
        /// Mean ln p per step, nats.
        public var meanLogLikelihood: Double
        /// Fraction of steps predicted right.
        public var accuracy: Double
        /// ln p of each event that occurs (step 1 onwards), nats.
        public var logProbabilities: [Float]
    }
    /// Every melody scored.
    public var melodies: [Entry]
    /// Pooled over all steps.
    public var meanLogLikelihood: Double
    /// Pooled over all steps.
    public var accuracy: Double
    /// Files read.
    public var files: Int
    /// Files unreadable or without melodies.
    public var skippedFiles: Int

    /// One line: `12 melodies from 3 files (1 skipped): mean log-likelihood -1.234 nats/step, accuracy 0.612`.
    public var summary: String {
        String(format: "%d melodies from %d files (%d skipped): mean log-likelihood %.4f nats/step (perplexity %.2f), accuracy %.3f over %d steps",
               melodies.count, files, skippedFiles, meanLogLikelihood, Foundation.exp(-meanLogLikelihood), accuracy,
               melodies.reduce(0) { $0 + $1.steps })
    }

    /// Extracts melodies from `path` (a MIDI file or a folder) with the model's pipeline and scores them.
    /// Scoring keeps every melody the model can read, however short: the training filters (at least
    /// 7 bars, 5 pitch classes, truncation to 512 steps, augmentation) do not apply, so a generated
    /// 2-bar phrase is scored too.
    /// - Throws: `MIDIError` if `path` cannot be read or listed; `ModelError.emptyData` if no melody is found.
    public static func evaluate(model: MelodyRNN, path: String) throws -> MelodyEvaluation {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ModelError.missingFile(file: path) }
        let files = isDirectory.boolValue ? try MIDICorpus.files(in: path) : [path]
        var pipeline = model.config.pipeline
        pipeline.minBars = 1
        pipeline.minUniquePitches = 1
        pipeline.maxSteps = Int(Int32.max)
        pipeline.transpositions = [0]
        var melodies: [(file: String, index: Int, events: [Int])] = []
        var skipped = 0
        for file in files {
            guard let sequence = try? NoteSequence(contentsOfMIDIFile: file) else { skipped += 1; continue }
            let found = pipeline.melodies(from: sequence).melodies
            if found.isEmpty { skipped += 1 }
            for (k, m) in found.enumerated() { melodies.append((file, k, m)) }
        }
        guard !melodies.isEmpty else { throw ModelError.emptyData("\(path): no melody found in \(files.count) file(s)") }
        let scores = try model.score(melodies.map(\.events))
        let pooled = EvaluationMetrics(scores: scores)
        return MelodyEvaluation(
            melodies: zip(melodies, scores).map {
                Entry(file: $0.file, melody: $0.index, steps: $1.count, meanLogLikelihood: $1.meanLogLikelihood,
                      accuracy: $1.accuracy, logProbabilities: $1.logProbabilities)
            },
            meanLogLikelihood: -pooled.loss, accuracy: pooled.accuracy, files: files.count, skippedFiles: skipped)
    }
}
