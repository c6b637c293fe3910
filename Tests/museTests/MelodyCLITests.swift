import Foundation
import XCTest

/// The first thing users come for, end to end on the built binary: train a melody RNN on a slice of
/// a real corpus, stop it with Ctrl-C, resume it, generate from a primer, evaluate.
final class MelodyCLITests: CLITestCase {
    /// Sixty O'Neill's tunes from the corpus `make test` builds.
    func corpus() throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../corpora/oneills").standardized
        guard FileManager.default.fileExists(atPath: source.appendingPathComponent(".complete").path) else {
            throw XCTSkip("corpora/oneills is not built (scripts/build_corpora.sh oneills)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".mid") }.sorted().prefix(60)
        let corpus = folder.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for file in files { try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: corpus.appendingPathComponent(file)) }
        return corpus.path
    }

    let tiny = ["--hidden-size", "16", "--num-layers", "1", "--batch-size", "8", "--sequence-length", "32", "--seed", "3"]

    func testCtrlCSavesAndTheSameCommandResumes() throws {
        let corpus = try corpus()
        let command = ["train", "melody-rnn", "--corpus", corpus, "--output", "run", "--num-steps", "1000000",
                       "--checkpoint-every", "100000", "--eval-every", "100000"] + tiny
        // Start a long run, wait for its first progress line, press Ctrl-C.
        let process = try launchMuse(command)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: folder.appendingPathComponent("train.log"), encoding: .utf8)) ?? "").contains("steps/s") {
            Thread.sleep(forTimeInterval: 0.2)
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, "Ctrl-C exits with 128 + SIGINT after saving")
        let log = try String(contentsOf: folder.appendingPathComponent("train.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("run the same command again to resume"), log)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("run").path)
            .filter { $0.hasPrefix("checkpoint-") }
        XCTAssertEqual(checkpoints.count, 1, "\(checkpoints)")
        let stoppedAt = Int(checkpoints[0].dropFirst("checkpoint-".count)) ?? -1
        XCTAssertGreaterThan(stoppedAt, 0)
        // The same command with a reachable total resumes from there.
        var resume = command
        resume[resume.firstIndex(of: "1000000")!] = String(stoppedAt + 20)
        let resumed = try muse(resume)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue((resumed.out + resumed.err).contains("checkpoint-\(String(format: "%08d", stoppedAt))"),
                      "names the checkpoint it resumes from: \(resumed.out) \(resumed.err)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/checkpoint-\(String(format: "%08d", stoppedAt + 20))").path))
    }

    /// Resuming a run with another model size, corpus or seed stops in one line naming the field.
    func testResumeWithDifferentSettingsIsRefusedUntilFresh() throws {
        let corpus = try corpus()
        func command(steps: Int) -> [String] {
            ["train", "melody-rnn", "--corpus", corpus, "--output", "run", "--num-steps", String(steps), "--eval-every", "0"] + tiny
        }
        XCTAssertEqual(try muse(command(steps: 4)).status, 0)
        var bigger = command(steps: 8)
        bigger[bigger.firstIndex(of: "16")!] = "24"
        let refused = try muse(bigger)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.err.split(separator: "\n").count, 1, refused.err)
        XCTAssertTrue(refused.err.hasPrefix("muse: error: run holds a run made with hiddenSize = 16, not 24"), refused.err)
        XCTAssertTrue(refused.err.contains("--fresh"), refused.err)
        let otherSeed = try muse(command(steps: 8).map { $0 == "3" ? "4" : $0 })
        XCTAssertEqual(otherSeed.status, 1)
        XCTAssertTrue(otherSeed.err.contains("seed = 3, not 4"), otherSeed.err)
        let fresh = try muse(bigger + ["--fresh"])
        XCTAssertEqual(fresh.status, 0, fresh.err)
        XCTAssertFalse(fresh.out.contains("resuming"), fresh.out)
    }

    func testTrainGenerateEvaluate() throws {
        let corpus = try corpus()
        let trained = try muse(["train", "melody-rnn", "--corpus", corpus, "--output", "run", "--num-steps", "30",
                                "--checkpoint-every", "30", "--eval-every", "30"] + tiny)
        XCTAssertEqual(trained.status, 0, trained.err)
        let generated = try muse(["generate", "melody-rnn", "--bundle", "run", "--primer-melody", "[60, -2, 62, -2, 64]",
                                  "--num-outputs", "2", "--num-steps", "32", "--output-dir", "gen", "--seed", "5"])
        XCTAssertEqual(generated.status, 0, generated.err)
        let made = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("gen").path)
        XCTAssertEqual(made.filter { $0.hasSuffix(".mid") }.count, 2, "\(made)")
        XCTAssertEqual(made.filter { $0.hasSuffix(".wav") }.count, 2, "a WAV beside each MIDI file: \(made)")
        let midi = made.first { $0.hasSuffix(".mid") }!
        let info = try muse(["midi", "info", "gen/" + midi])
        XCTAssertTrue(info.out.contains("duration: 4.000 s"), "32 sixteenths at 120 qpm: \(info.out)")

        let evaluated = try muse(["evaluate", "melody-rnn", "--bundle", "run", "gen/" + midi, "--json"])
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(evaluated.out.utf8)), evaluated.out)

        let outOfRange = try muse(["generate", "melody-rnn", "--bundle", "run", "--primer-melody", "[100]", "--output-dir", "gen2"])
        XCTAssertEqual(outOfRange.status, 1)
        XCTAssertEqual(outOfRange.err.split(separator: "\n").count, 1, outOfRange.err)
    }

    /// Starts `muse` in the scratch folder with stdout and stderr going to train.log.
    func launchMuse(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try museBinary()
        process.arguments = arguments
        process.currentDirectoryURL = folder
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("train.log").path, contents: nil)
        let log = try FileHandle(forWritingTo: folder.appendingPathComponent("train.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }
}
