import Foundation
import MuseMIDI
import MuseSupport
import XCTest

/// What a user meets when things go wrong under a training run or a render, end to end on the
/// built binary: the process killed at any moment (SIGKILL, also mid-checkpoint), a full disk,
/// a checkpoint damaged on disk. The corpus is written by the test (no corpora needed).
final class TrainingFaultTests: CLITestCase {
    /// Sixteen one-voice tunes of 48 quarter notes at 120 qpm, pitches from a seeded generator.
    func writeCorpus() throws -> String {
        let corpus = folder.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: 11)
        for file in 0..<16 {
            var notes: [NoteSequence.Note] = []
            var pitch = 60 + Int(generator.next() % 12)
            for i in 0..<48 {
                pitch = min(79, max(55, pitch + Int(generator.next() % 7) - 3))
                let start = Double(i) * 0.5
                notes.append(.init(pitch: pitch, velocity: 80, startTime: start, endTime: start + (generator.next() % 3 == 0 ? 0.25 : 0.5)))
            }
            let sequence = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)], timeSignatures: [.init(time: 0, numerator: 4, denominator: 4)])
            try sequence.writeMIDI(to: corpus.appendingPathComponent(String(format: "tune%02d.mid", file)).path)
        }
        return corpus.path
    }

    func trainCommand(_ corpus: String, output: String, steps: Int, checkpointEvery: Int = 1, keep: Int = 2) -> [String] {
        ["train", "melody-rnn", "--corpus", corpus, "--output", output, "--num-steps", String(steps),
         "--checkpoint-every", String(checkpointEvery), "--keep-checkpoints", String(keep), "--eval-every", "0",
         "--eval-ratio", "0.25", "--hidden-size", "16", "--num-layers", "1", "--batch-size", "4",
         "--sequence-length", "16", "--seed", "3"]
    }

    func checkpoint(_ run: String, _ step: Int) -> URL {
        folder.appendingPathComponent(run).appendingPathComponent(String(format: "checkpoint-%08d", step))
    }

    func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    /// Runs `muse` through `/bin/sh -c` with the file-size limit at `blocks` × 512 bytes and SIGXFSZ
    /// ignored, so a write past the limit fails with EFBIG as on a full disk.
    /// Skipped under ThreadSanitizer (`scripts/sanitize.sh thread` sets MUSE_SANITIZER): its
    /// runtime itself dies with SIGBUS under a small RLIMIT_FSIZE — a ten-line Swift program that
    /// copies 64 MB does too — so there the full-disk cases are left to the normal and
    /// AddressSanitizer runs.
    func museWithFileSizeLimit(blocks: Int, _ arguments: [String]) throws -> (status: Int32, err: String) {
        if ProcessInfo.processInfo.environment["MUSE_SANITIZER"] == "thread" {
            throw XCTSkip("ThreadSanitizer's runtime takes SIGBUS under a small RLIMIT_FSIZE (any Swift program copying a few MB does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" \"$@\"", try museBinary().path] + arguments
        process.currentDirectoryURL = folder
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errData, as: UTF8.self))
    }

    /// Killed with SIGKILL ten times at random moments (checkpointing every step, so many kills land
    /// inside a checkpoint write), then run to the end: the weights and the optimizer state are
    /// bit-identical to an uninterrupted run's.
    func testKilledTenTimesThenFinishedEqualsAnUninterruptedRun() throws {
        let corpus = try writeCorpus()
        let steps = 40
        let started = Date()
        let reference = try muse(trainCommand(corpus, output: "reference", steps: steps))
        XCTAssertEqual(reference.status, 0, reference.err)
        let duration = Date().timeIntervalSince(started)
        var generator = SplitMix64(seed: 7)
        var killedMidRun = 0
        for _ in 0..<10 {
            let process = Process()
            process.executableURL = try museBinary()
            process.arguments = trainCommand(corpus, output: "killed", steps: steps)
            process.currentDirectoryURL = folder
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: duration * Double(generator.next() % 1000) / 1000)
            if process.isRunning { killedMidRun += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        XCTAssertGreaterThan(killedMidRun, 0, "at least one kill landed before the run ended")
        let finished = try muse(trainCommand(corpus, output: "killed", steps: steps))
        XCTAssertEqual(finished.status, 0, finished.err)
        for file in ["model.safetensors", "optimizer.safetensors"] {
            XCTAssertEqual(try bytes(checkpoint("killed", steps).appendingPathComponent(file)),
                           try bytes(checkpoint("reference", steps).appendingPathComponent(file)), file)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("killed").path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary folders of killed runs are cleaned up")
    }

    /// A flipped byte in the newest checkpoint's weights: the trainer names it, moves it aside,
    /// resumes from the one before, and ends where an undamaged run ends.
    func testFlippedByteInNewestCheckpointResumesFromThePreviousOne() throws {
        let corpus = try writeCorpus()
        XCTAssertEqual(try muse(trainCommand(corpus, output: "reference", steps: 8, checkpointEvery: 2, keep: 3)).status, 0)
        XCTAssertEqual(try muse(trainCommand(corpus, output: "run", steps: 6, checkpointEvery: 2, keep: 3)).status, 0)
        let weights = checkpoint("run", 6).appendingPathComponent("model.safetensors")
        var damaged = try bytes(weights)
        damaged[damaged.count - 5] ^= 0x10
        try damaged.write(to: weights)
        let resumed = try muse(trainCommand(corpus, output: "run", steps: 8, checkpointEvery: 2, keep: 3))
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("checkpoint-00000006/model.safetensors: damaged checkpoint: CRC-32"), resumed.err)
        XCTAssertTrue(resumed.err.contains("resuming from checkpoint-00000004"), resumed.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/damaged-checkpoint-00000006").path))
        XCTAssertEqual(try bytes(checkpoint("run", 8).appendingPathComponent("model.safetensors")),
                       try bytes(checkpoint("reference", 8).appendingPathComponent("model.safetensors")))
    }

    /// A truncated optimizer file is caught by its size before it is parsed.
    func testTruncatedCheckpointFileIsNamedAndSkipped() throws {
        let corpus = try writeCorpus()
        XCTAssertEqual(try muse(trainCommand(corpus, output: "run", steps: 4, checkpointEvery: 2, keep: 2)).status, 0)
        let optimizer = checkpoint("run", 4).appendingPathComponent("optimizer.safetensors")
        let whole = try bytes(optimizer)
        try whole.prefix(whole.count / 2).write(to: optimizer)
        let resumed = try muse(trainCommand(corpus, output: "run", steps: 6, checkpointEvery: 2, keep: 2))
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("checkpoint-00000004/optimizer.safetensors: damaged checkpoint: \(whole.count / 2) bytes, \(whole.count) were written"), resumed.err)
        XCTAssertTrue(resumed.err.contains("resuming from checkpoint-00000002"), resumed.err)
    }

    /// With every checkpoint damaged the run stops with the reason instead of starting over.
    func testOnlyCheckpointDamagedStopsWithItsName() throws {
        let corpus = try writeCorpus()
        XCTAssertEqual(try muse(trainCommand(corpus, output: "run", steps: 2, checkpointEvery: 2, keep: 2)).status, 0)
        let state = checkpoint("run", 2).appendingPathComponent("training_state.json")
        var text = try bytes(state)
        text[text.count / 2] ^= 0x01
        try text.write(to: state)
        let resumed = try muse(trainCommand(corpus, output: "run", steps: 4, checkpointEvery: 2, keep: 2))
        XCTAssertEqual(resumed.status, 1)
        let errors = resumed.err.split(separator: "\n").filter { $0.hasPrefix("muse: error:") }
        XCTAssertEqual(errors.count, 1, resumed.err)
        XCTAssertTrue(errors.first?.contains("checkpoint-00000002/training_state.json: damaged checkpoint") ?? false, resumed.err)
    }

    /// The disk fills while a checkpoint is written: one error line naming the checkpoint and the
    /// cause, a non-zero exit, the previous checkpoint byte for byte as it was, nothing half-written.
    func testFullDiskDuringCheckpointLeavesThePreviousOne() throws {
        let corpus = try writeCorpus()
        XCTAssertEqual(try muse(trainCommand(corpus, output: "run", steps: 2, checkpointEvery: 2)).status, 0)
        let previous = checkpoint("run", 2)
        let names = try FileManager.default.contentsOfDirectory(atPath: previous.path).sorted()
        let before = try names.map { try bytes(previous.appendingPathComponent($0)) }
        let result = try museWithFileSizeLimit(blocks: 4, trainCommand(corpus, output: "run", steps: 4, checkpointEvery: 2))
        XCTAssertEqual(result.status, 1, result.err)
        let errors = result.err.split(separator: "\n").filter { $0.hasPrefix("muse: error:") }
        XCTAssertEqual(errors.count, 1, result.err)
        XCTAssertTrue(errors.first?.contains("checkpoint-00000004") ?? false, result.err)
        XCTAssertTrue(errors.first?.lowercased().contains("too large") ?? false, "names the cause (EFBIG): \(result.err)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: previous.path).sorted(), names)
        XCTAssertEqual(try names.map { try bytes(previous.appendingPathComponent($0)) }, before)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("run").path)
        XCTAssertFalse(left.contains { $0.hasPrefix(".") || $0.hasSuffix("00000004") }, "\(left)")
    }

    /// The disk fills while a WAV is rendered over an existing one: one error line naming the file,
    /// a non-zero exit, the existing file untouched.
    func testFullDiskDuringWAVWriteLeavesTheExistingFile() throws {
        let mid = try write(SynthCLITests.oneNote, "one.mid")
        let existing = Data("an earlier rendering".utf8)
        try existing.write(to: folder.appendingPathComponent("one.wav"))
        let result = try museWithFileSizeLimit(blocks: 16, ["render", mid, "-o", "one.wav", "--no-reverb"])
        XCTAssertEqual(result.status, 1, result.err)
        let errors = result.err.split(separator: "\n").filter { $0.hasPrefix("muse: error:") }
        XCTAssertEqual(errors.count, 1, result.err)
        XCTAssertTrue(errors.first?.hasPrefix("muse: error: one.wav: cannot write") ?? false, result.err)
        XCTAssertEqual(try bytes(folder.appendingPathComponent("one.wav")), existing)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: folder.path).contains { $0.hasPrefix(".one.wav") })
    }
}
