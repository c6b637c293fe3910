import Foundation
import MuseSupport
import MuseMIDI

/// A corpus of MIDI files turned into training melodies: squashed melody events (see `Melody`),
/// split into training and evaluation sets **by file** so no tune leaks between them.
///
/// The split is a stable hash of each file's path relative to the corpus folder and the seed:
/// the same file always lands on the same side, also when the corpus grows.
/// Building reads every file on both cores; unreadable, empty, drum-only or too-short files are
/// counted, never fatal. `load(…)` caches the result in a file keyed by the pipeline, the seed and
/// every file's size and modification time, so a second run starts in well under a second.
public struct MelodyDataset: Equatable, Sendable {
    /// Settings the melodies were made with.
    public var pipeline: MelodyPipeline
    /// Training melodies: events in `-2...127`, every pitch inside `pipeline.minNote..<maxNote`.
    public var train: [[Int8]]
    /// Held-out melodies, from files disjoint from the training files.
    public var eval: [[Int8]]
    /// What happened to the files.
    public var summary: Summary

    /// Counts for the one-line summary a trainer prints.
    public struct Summary: Equatable, Sendable, CustomStringConvertible {
        public var files = 0
        public var unreadableFiles = 0
        /// Files that read but gave no melody (empty, drum-only, too short, too few pitches …).
        public var filesWithoutMelodies = 0
        public var trainFiles = 0
        public var evalFiles = 0
        public var extraction = MelodyExtractor.Statistics()
        public init() {}
        public var description: String {
            "\(files) files: \(trainFiles) train, \(evalFiles) eval, \(unreadableFiles) unreadable, "
                + "\(filesWithoutMelodies) without melodies (\(extraction.discardedTooShort) melodies too short, "
                + "\(extraction.discardedTooFewPitches) too few pitches, \(extraction.polyphonicTracksDiscarded) polyphonic tracks)"
        }
    }

    /// Steps in all training melodies.
    public var trainSteps: Int { train.reduce(0) { $0 + $1.count } }

    /// Builds the dataset from every MIDI file under `directory`.
    /// - Parameters:
    ///   - evalRatio: fraction of files held out, in `0..<1`.
    ///   - seed: changes which files are held out.
    /// - Throws: `MIDIError.cannotRead` if the folder cannot be listed, `EncodingError` for a bad pipeline.
    public static func build(directory: String, pipeline: MelodyPipeline, evalRatio: Double, seed: UInt64) throws -> MelodyDataset {
        guard evalRatio >= 0 && evalRatio < 1 else {
            throw EncodingError.invalidConfiguration("eval ratio \(evalRatio) must lie in [0, 1)")
        }
        _ = try pipeline.oneHot()
        let files = try MIDICorpus.files(in: directory)
        let perFile = MIDICorpus.map(files) { path -> (melodies: [[Int8]], stats: MelodyExtractor.Statistics)? in
            guard let sequence = try? NoteSequence(contentsOfMIDIFile: path) else { return nil }
            let (melodies, stats) = pipeline.melodies(from: sequence)
            return (melodies.map { $0.map { Int8($0) } }, stats)
        }
        var dataset = MelodyDataset(pipeline: pipeline, train: [], eval: [], summary: Summary())
        dataset.summary.files = files.count
        for (path, result) in zip(files, perFile) {
            guard let result else { dataset.summary.unreadableFiles += 1; continue }
            dataset.summary.extraction += result.stats
            if result.melodies.isEmpty { dataset.summary.filesWithoutMelodies += 1; continue }
            if isEvalFile(relativePath: relative(path, to: directory), seed: seed, evalRatio: evalRatio) {
                dataset.eval += result.melodies
                dataset.summary.evalFiles += 1
            } else {
                dataset.train += result.melodies
                dataset.summary.trainFiles += 1
            }
        }
        return dataset
    }

    /// Whether a file is held out (`HeldOutSplit`: FNV-1a of the seed and its relative path).
    public static func isEvalFile(relativePath: String, seed: UInt64, evalRatio: Double) -> Bool {
        HeldOutSplit.isHeldOut(relativePath: relativePath, seed: seed, ratio: evalRatio)
    }

    static func relative(_ path: String, to directory: String) -> String {
        HeldOutSplit.relativePath(path, to: directory)
    }
}
