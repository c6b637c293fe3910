import XCTest
import MuseMIDI
@testable import MuseEncoding

final class MelodyDatasetTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "muse-dataset-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        // Twelve 8-bar tunes (a scale walk in 4/4 at 120 qpm: a sixteenth is 0.125 s).
        for k in 0..<12 {
            var notes: [NoteSequence.Note] = []
            let scale = [0, 2, 4, 5, 7, 9, 11, 12]
            for i in 0..<32 {
                let start = Double(i) * 0.5
                notes.append(.init(pitch: 60 + k % 3 + scale[(i * 3 + k) % 8], velocity: 90, startTime: start, endTime: start + 0.375))
            }
            let seq = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)],
                                   timeSignatures: [.init(time: 0, numerator: 4, denominator: 4)])
            try seq.writeMIDI(to: directory + (k % 2 == 0 ? "/" : "/sub/") + "tune\(k).mid")
        }
        // A drum-only file, a too-short tune, a broken file and an empty one.
        let drums = NoteSequence(notes: (0..<64).map { .init(pitch: 36, velocity: 100, startTime: Double($0) * 0.25, endTime: Double($0) * 0.25 + 0.1, isDrum: true) })
        try drums.writeMIDI(to: directory + "/drums.mid")
        try NoteSequence(notes: [.init(pitch: 60, velocity: 80, startTime: 0, endTime: 1)]).writeMIDI(to: directory + "/short.mid")
        FileManager.default.createFile(atPath: directory + "/broken.mid", contents: Data("MThd garbage".utf8))
        FileManager.default.createFile(atPath: directory + "/empty.mid", contents: Data())
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testBadFilesAreCountedNotFatal() throws {
        let data = try MelodyDataset.build(directory: directory, pipeline: MelodyPipeline(), evalRatio: 0.25, seed: 1)
        XCTAssertEqual(data.summary.files, 16)
        XCTAssertEqual(data.summary.unreadableFiles, 2)
        XCTAssertEqual(data.summary.filesWithoutMelodies, 2, "drum-only and too-short")
        XCTAssertEqual(data.summary.trainFiles + data.summary.evalFiles, 12)
        XCTAssertEqual(data.train.count + data.eval.count, 12)
        XCTAssertTrue(data.summary.description.contains("2 unreadable"))
    }

    func testMelodiesLieInTheEncoderRange() throws {
        var pipeline = MelodyPipeline()
        pipeline.minNote = 60
        pipeline.maxNote = 72
        pipeline.transpositions = [0, 5, -7]
        let data = try MelodyDataset.build(directory: directory, pipeline: pipeline, evalRatio: 0, seed: 1)
        XCTAssertEqual(data.train.count, 36, "three transpositions of twelve tunes")
        for melody in data.train {
            XCTAssertEqual(melody.count, 8 * 16 - 2 + 1, "32 half-beat notes; the final note-off is stripped")
            for e in melody where e >= 0 { XCTAssertTrue((60..<72).contains(Int(e))) }
        }
    }

    func testSplitIsByFileAndStableUnderSeed() throws {
        let a = try MelodyDataset.build(directory: directory, pipeline: MelodyPipeline(), evalRatio: 0.5, seed: 7)
        let b = try MelodyDataset.build(directory: directory, pipeline: MelodyPipeline(), evalRatio: 0.5, seed: 7)
        let c = try MelodyDataset.build(directory: directory, pipeline: MelodyPipeline(), evalRatio: 0.5, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertGreaterThan(a.eval.count, 0)
        XCTAssertGreaterThan(a.train.count, 0)
        XCTAssertNotEqual(a.eval, c.eval, "another seed holds out other files")
        let heldOut = (0..<1000).filter { MelodyDataset.isEvalFile(relativePath: "f\($0).mid", seed: 3, evalRatio: 0.1) }.count
        XCTAssertEqual(Double(heldOut), 100, accuracy: 30)
    }

    func testCacheIsUsedWhenFreshAndRebuiltWhenStaleOrDamaged() throws {
        let cache = directory + "-cache/melodies.bin"
        defer { try? FileManager.default.removeItem(atPath: directory + "-cache") }
        let first = try MelodyDataset.load(directory: directory, pipeline: MelodyPipeline(), evalRatio: 0.25, seed: 1, cachePath: cache)
        XCTAssertFalse(first.fromCache)
        let second = try MelodyDataset.load(directory: directory, pipeline: MelodyPipeline(), evalRatio: 0.25, seed: 1, cachePath: cache)
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(first.dataset, second.dataset)
        var other = MelodyPipeline()
        other.transposeToKey = 0
        XCTAssertFalse(try MelodyDataset.load(directory: directory, pipeline: other, evalRatio: 0.25, seed: 1, cachePath: cache).fromCache)
        // Truncate the cache: it is rebuilt, not trusted.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: cache))
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: cache))
        let rebuilt = try MelodyDataset.load(directory: directory, pipeline: other, evalRatio: 0.25, seed: 1, cachePath: cache)
        XCTAssertFalse(rebuilt.fromCache)
        // Absurd counts in a damaged header are rejected before allocating.
        var damaged = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cache)))
        for i in 48..<56 { damaged[i] = 0xFF }
        XCTAssertNil(try MelodyDataset.decodeCache(damaged, expectedKey: MelodyDataset.cacheKey(directory: directory, pipeline: other, evalRatio: 0.25, seed: 1), pipeline: other))
    }

    func testBadSettingsAreTypedErrors() {
        XCTAssertThrowsError(try MelodyDataset.build(directory: directory, pipeline: MelodyPipeline(), evalRatio: 1, seed: 1))
        var bad = MelodyPipeline()
        bad.maxNote = 20
        XCTAssertThrowsError(try MelodyDataset.build(directory: directory, pipeline: bad, evalRatio: 0, seed: 1)) { error in
            XCTAssertTrue(error is EncodingError)
        }
        XCTAssertThrowsError(try MelodyDataset.build(directory: directory + "/missing", pipeline: MelodyPipeline(), evalRatio: 0, seed: 1))
    }

    func testSplittingAtTempoChangesKeepsEveryNote() {
        let notes = (0..<20).map { NoteSequence.Note(pitch: 60 + $0 % 5, velocity: 80, startTime: Double($0) * 0.5, endTime: Double($0) * 0.5 + 0.4) }
        let seq = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120), .init(time: 4, qpm: 90), .init(time: 6, qpm: 90)],
                               timeSignatures: [.init(time: 0, numerator: 4, denominator: 4), .init(time: 8, numerator: 3, denominator: 4)])
        let parts = MelodyPipeline.splitAtTimeChanges(seq)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts.map(\.notes.count), [8, 8, 4])
        XCTAssertEqual(parts.map { $0.tempos.first?.qpm }, [120, 90, 90])
        XCTAssertEqual(parts[2].timeSignatures.first?.numerator, 3)
        for part in parts { XCTAssertNoThrow(try part.quantized(stepsPerQuarter: 4)) }
    }

    /// The O'Neill's corpus that set-up builds: thousands of melodies, all inside the range.
    func testRealFolkCorpusYieldsMelodies() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../corpora/ryans").standardized.path
        guard FileManager.default.fileExists(atPath: corpus + "/.complete") else {
            throw XCTSkip("corpora/ryans is not built (scripts/build_corpora.sh ryans)")
        }
        let data = try MelodyDataset.build(directory: corpus, pipeline: MelodyPipeline(), evalRatio: 0.1, seed: 0)
        XCTAssertGreaterThan(data.summary.files, 1000)
        XCTAssertLessThan(data.summary.unreadableFiles, 10)
        XCTAssertGreaterThan(data.train.count, 800)
        XCTAssertGreaterThan(data.eval.count, 50)
        XCTAssertTrue(data.train.allSatisfy { $0.allSatisfy { $0 < 0 || (48..<84).contains(Int($0)) } })
    }
}
