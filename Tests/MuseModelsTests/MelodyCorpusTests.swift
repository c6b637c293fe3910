import Foundation
import MuseCore
import MuseEncoding
import MuseMIDI
import MuseTraining
import XCTest
@testable import MuseModels

/// A corpus with broken, empty, drum-only and too-short files trains on what is usable and
/// counts the rest in its one-line summary; scoring a folder reports the skipped files.
final class MelodyCorpusTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("muse-badcorpus-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// A 120 qpm melody of `count` eighth notes walking a C major scale.
    func tune(count: Int, drum: Bool = false, offset: Int = 0) -> NoteSequence {
        let scale = [60, 62, 64, 65, 67, 69, 71, 72]
        let notes = (0..<count).map { i in
            NoteSequence.Note(pitch: scale[(i * 3 + offset) % scale.count], velocity: 90, startTime: Double(i) * 0.25,
                              endTime: Double(i) * 0.25 + 0.2, isDrum: drum)
        }
        return NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)])
    }

    func testUnusableFilesAreSkippedAndCounted() throws {
        for k in 0..<6 { try tune(count: 64, offset: k).writeMIDI(to: dir.appendingPathComponent("good\(k).mid").path) }
        try tune(count: 64, drum: true).writeMIDI(to: dir.appendingPathComponent("drums.mid").path)
        try tune(count: 6).writeMIDI(to: dir.appendingPathComponent("short.mid").path)
        try Data().write(to: dir.appendingPathComponent("empty.mid"))
        try Data("MThd this is not MIDI".utf8).write(to: dir.appendingPathComponent("broken.mid"))
        let dataset = try MelodyDataset.build(directory: dir.path, pipeline: MelodyRNNConfig().pipeline, evalRatio: 0.3, seed: 1)
        XCTAssertEqual(dataset.summary.files, 10)
        XCTAssertEqual(dataset.summary.unreadableFiles, 2)
        XCTAssertEqual(dataset.summary.filesWithoutMelodies, 2)
        XCTAssertEqual(dataset.summary.trainFiles + dataset.summary.evalFiles, 6)
        XCTAssertFalse(dataset.summary.description.contains("\n"))
        var config = MelodyRNNConfig()
        config.hiddenSize = 8
        let task = try MelodyTrainingTask(model: try MelodyRNN(config: config, seed: 0), dataset: dataset)
        var g = SplitMix64(seed: 0)
        XCTAssertTrue(try task.trainingLoss(using: &g).item().isFinite)

        let report = try MelodyEvaluation.evaluate(model: task.model, path: dir.path)
        XCTAssertEqual(report.files, 10)
        XCTAssertEqual(report.skippedFiles, 4)
        XCTAssertEqual(report.melodies.count, 6)
        XCTAssertTrue(report.melodies.allSatisfy { $0.logProbabilities.count == $0.steps && $0.steps > 0 })
    }

    func testACorpusWithoutMelodiesIsATypedError() throws {
        try tune(count: 64, drum: true).writeMIDI(to: dir.appendingPathComponent("drums.mid").path)
        let dataset = try MelodyDataset.build(directory: dir.path, pipeline: MelodyRNNConfig().pipeline, evalRatio: 0.1, seed: 1)
        XCTAssertThrowsError(try MelodyTrainingTask(model: try MelodyRNN(config: MelodyRNNConfig(), seed: 0), dataset: dataset)) {
            guard case .emptyData? = $0 as? ModelError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try MelodyEvaluation.evaluate(model: try MelodyRNN(config: MelodyRNNConfig(), seed: 0), path: dir.path))
    }
}
