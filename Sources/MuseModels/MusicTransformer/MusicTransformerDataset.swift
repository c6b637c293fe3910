import Foundation
import MuseCore
import MuseEncoding
import MuseMIDI

/// A folder of MIDI files as performance class indices, one sequence per file, split into
/// training and held-out files by `HeldOutSplit` (a stable hash of the relative path and the
/// seed). Every file is encoded once, on all cores; augmentation happens on the events of each
/// training window (`PerformanceAugmentation`).
public struct MusicTransformerDataset: Sendable {
    /// Training pieces: performance class indices.
    public var train: [[Int]]
    /// Held-out pieces.
    public var eval: [[Int]]
    /// Paths of the held-out files (relative to the corpus folder), in `eval`'s order.
    public var evalFiles: [String]
    /// Files found, and files that could not be read or gave no events.
    public var fileCount = 0, unusableFiles = 0

    /// Events in all training pieces.
    public var trainEvents: Int { train.reduce(0) { $0 + $1.count } }

    /// Encodes every MIDI file under `directory` with `pipeline`.
    /// - Parameters:
    ///   - evalRatio: fraction of files held out, in `0..<1`.
    ///   - seed: changes which files are held out.
    /// - Throws: `MIDIError.cannotRead` when the folder cannot be listed, `ModelError.emptyData`
    ///   when no file gives events.
    public static func build(directory: String, pipeline: PerformancePipeline, evalRatio: Double,
                             seed: UInt64) throws -> MusicTransformerDataset {
        guard evalRatio >= 0 && evalRatio < 1 else { throw ModelError.invalidArgument("eval ratio \(evalRatio) must lie in [0, 1)") }
        let files = try MIDICorpus.files(in: directory)
        let encoded = MIDICorpus.map(files) { path -> [Int]? in
            guard let sequence = try? NoteSequence(contentsOfMIDIFile: path),
                  let indices = try? pipeline.classIndices(of: sequence), !indices.isEmpty else { return nil }
            return indices
        }
        var dataset = MusicTransformerDataset(train: [], eval: [], evalFiles: [])
        dataset.fileCount = files.count
        for (path, indices) in zip(files, encoded) {
            guard let indices else { dataset.unusableFiles += 1; continue }
            let relative = HeldOutSplit.relativePath(path, to: directory)
            if HeldOutSplit.isHeldOut(relativePath: relative, seed: seed, ratio: evalRatio) {
                dataset.eval.append(indices)
                dataset.evalFiles.append(relative)
            } else {
                dataset.train.append(indices)
            }
        }
        guard !dataset.train.isEmpty else { throw ModelError.emptyData("no MIDI file under \(directory) gave performance events") }
        return dataset
    }

    /// One line for a trainer to print.
    public var summary: String {
        "\(fileCount) files: \(train.count) train (\(trainEvents) events), \(eval.count) held out, \(unusableFiles) unusable"
    }
}

/// The paper's data augmentation on performance events (Huang et al. 2019, after Oore et al.'s
/// Performance RNN): transpose every note by a number of semitones and stretch time by a factor.
///
/// It acts on the encoded events, so the corpus is encoded once: note-on/off pitches move by the
/// transposition (an event leaving the encoding's pitch range is dropped, as note_seq drops such
/// notes), and the time shifts are re-spelled so that each event lands on
/// `round(original step · factor)` — the quantization of the stretched performance, in shifts of at
/// most `maxShiftSteps`.
public struct PerformanceAugmentation {
    /// The encoding of the events.
    public let encoding: PerformanceOneHotEncoding

    /// Augmentation for one encoding.
    public init(encoding: PerformanceOneHotEncoding) { self.encoding = encoding }

    /// `classIndices` transposed by `semitones` and stretched by `factor`.
    /// - Throws: `EncodingError` for an index outside the encoding.
    public func apply(_ classIndices: [Int], semitones: Int, factor: Double) throws -> [Int] {
        if semitones == 0 && factor == 1 { return classIndices }
        var out: [Int] = []
        out.reserveCapacity(classIndices.count + classIndices.count / 8)
        var time = 0, emitted = 0
        func flush(to target: Int) throws {
            while emitted < target {
                let s = min(encoding.maxShiftSteps, target - emitted)
                out.append(try encoding.encode(PerformanceEvent(.timeShift, s)))
                emitted += s
            }
        }
        for index in classIndices {
            var event = try encoding.decode(index)
            switch event.kind {
            case .timeShift:
                time += event.value
                continue
            case .noteOn, .noteOff:
                event.value += semitones
                if event.value < encoding.minPitch || event.value > encoding.maxPitch { continue }
            case .velocity:
                break
            }
            try flush(to: Int((Double(time) * factor).rounded()))
            out.append(try encoding.encode(event))
        }
        try flush(to: Int((Double(time) * factor).rounded()))
        return out
    }
}
