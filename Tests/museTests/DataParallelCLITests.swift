import Foundation
import XCTest

/// Data-parallel training end to end: the same short melody RNN run plain, under `mpirun -np 1`
/// and `-np 2` (global batch split in two), compared; a rank killed mid-run; the run resumed.
/// Skipped when Open MPI's `mpirun` is not installed.
final class DataParallelCLITests: CLITestCase {
    /// Twenty O'Neill's tunes from the corpus `make test` builds.
    func corpus() throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../corpora/oneills").standardized
        guard FileManager.default.fileExists(atPath: source.appendingPathComponent(".complete").path) else {
            throw XCTSkip("corpora/oneills is not built (scripts/build_corpora.sh oneills)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".mid") }.sorted().prefix(20)
        let corpus = folder.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for file in files { try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: corpus.appendingPathComponent(file)) }
        return corpus.path
    }

    /// `mpirun` on the PATH; skips the test without it.
    func mpirun() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("mpirun is not installed (scripts/setup.sh installs openmpi-bin)")
    }

    /// Runs `muse arguments` under `mpirun -np processes` in the test folder.
    func launch(processes: Int, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = try mpirun()
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", String(processes), try museBinary().path] + arguments
        process.currentDirectoryURL = folder
        let url = folder.appendingPathComponent(log)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    func mpi(processes: Int, _ arguments: [String]) throws -> (status: Int32, log: String) {
        let process = try launch(processes: processes, arguments, log: "mpi.log")
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: folder.appendingPathComponent("mpi.log"), encoding: .utf8))
    }

    /// A tiny model without dropout (dropout masks are drawn per process, so they would differ).
    let tiny = ["--hidden-size", "16", "--num-layers", "1", "--batch-size", "8", "--sequence-length", "16", "--seed", "3",
                "--dropout", "0", "--eval-every", "0"]

    func train(_ corpus: String, _ output: String, steps: Int) -> [String] {
        ["train", "melody-rnn", "--corpus", corpus, "--output", output, "--num-steps", String(steps), "--checkpoint-every", String(steps)] + tiny
    }

    func checkpoint(_ output: String, step: Int) -> URL {
        folder.appendingPathComponent(output).appendingPathComponent(String(format: "checkpoint-%08d", step))
    }

    /// The last training loss and the held-out loss a checkpoint recorded.
    func losses(_ checkpoint: URL) throws -> (train: Double, eval: Double) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: checkpoint.appendingPathComponent("training_state.json"))) as? [String: Any]
        let train = try XCTUnwrap(json?["lastTrainingLoss"] as? Double)
        let evaluations = try XCTUnwrap(json?["evaluations"] as? [[String: Any]])
        let metrics = try XCTUnwrap(evaluations.last?["metrics"] as? [String: Any])
        let eval = try XCTUnwrap(metrics["loss"] as? Double)
        return (train, eval)
    }

    func testOneProcessEqualsThePlainRunBitForBit() throws {
        let corpus = try corpus()
        let plain = try muse(train(corpus, "plain", steps: 6))
        XCTAssertEqual(plain.status, 0, plain.err)
        let one = try mpi(processes: 1, train(corpus, "one", steps: 6))
        XCTAssertEqual(one.status, 0, one.log)
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let a = try Data(contentsOf: checkpoint("plain", step: 6).appendingPathComponent(file))
            let b = try Data(contentsOf: checkpoint("one", step: 6).appendingPathComponent(file))
            XCTAssertEqual(a, b, "\(file) differs between the plain run and mpirun -np 1")
        }
        XCTAssertEqual(try losses(checkpoint("plain", step: 6)).train, try losses(checkpoint("one", step: 6)).train)
    }

    /// Two processes on halves of each global batch of 8 follow the plain run with batch 8: only
    /// the order of the gradient sums differs.
    func testTwoProcessesMatchThePlainRunAfterTwentySteps() throws {
        let corpus = try corpus()
        let plain = try muse(train(corpus, "plain", steps: 20))
        XCTAssertEqual(plain.status, 0, plain.err)
        let two = try mpi(processes: 2, train(corpus, "two", steps: 20))
        XCTAssertEqual(two.status, 0, two.log)
        XCTAssertTrue(two.log.contains("data-parallel on 2 processes"), two.log)
        XCTAssertEqual(two.log.components(separatedBy: "step 20/20: checkpoint").count, 2, "rank 0 alone reports: \(two.log)")
        let a = try losses(checkpoint("plain", step: 20)), b = try losses(checkpoint("two", step: 20))
        XCTAssertEqual(a.train, b.train, accuracy: 1e-5, "training loss after 20 steps")
        XCTAssertEqual(a.eval, b.eval, accuracy: 1e-5, "held-out loss after 20 steps")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("two").path)
            .filter { $0.hasPrefix("checkpoint-") }
        XCTAssertEqual(written, ["checkpoint-00000020"], "one writer, no temporary folders left: \(written)")
    }

    func testAnOddGlobalBatchSmallerThanTheProcessesIsRefused() throws {
        let corpus = try corpus()
        var command = train(corpus, "run", steps: 2)
        command[command.firstIndex(of: "8")!] = "1"
        let refused = try mpi(processes: 2, command)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.log.contains("muse: error: a global batch of 1 cannot be split over 2 processes"), refused.log)
    }

    /// Killing one rank ends the other within seconds (no hang); the same command resumes from the
    /// last checkpoint rank 0 wrote.
    func testAKilledRankStopsTheRunAndItResumes() throws {
        let corpus = try corpus()
        var command = train(corpus, "run", steps: 1_000_000)
        command[command.firstIndex(of: "--checkpoint-every")! + 1] = "5"
        let process = try launch(processes: 2, command, log: "killed.log")
        let run = folder.appendingPathComponent("run")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, Self.checkpoints(run).isEmpty { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertFalse(Self.checkpoints(run).isEmpty, "no checkpoint within 2 minutes")
        let victim = try XCTUnwrap(Self.rank(1, under: process.processIdentifier), "rank 1's process")
        kill(victim, SIGKILL)
        let killedAt = Date()
        while process.isRunning, Date().timeIntervalSince(killedAt) < 30 { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertFalse(process.isRunning, "mpirun still runs 30 s after a rank died")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        let last = try XCTUnwrap(Self.checkpoints(run).last)
        let step = try XCTUnwrap(Int(last.dropFirst("checkpoint-".count)))
        let resumed = try mpi(processes: 2, train(corpus, "run", steps: step + 5))
        XCTAssertEqual(resumed.status, 0, resumed.log)
        XCTAssertTrue(resumed.log.contains("resuming from") && resumed.log.contains(last), resumed.log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint("run", step: step + 5).path), resumed.log)
    }

    static func checkpoints(_ run: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []).filter { $0.hasPrefix("checkpoint-") }.sorted()
    }

    /// The process of MPI rank `rank` among the descendants of `parent` (read from /proc).
    static func rank(_ rank: Int, under parent: Int32) -> Int32? {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        for pid in pids {
            guard let environ = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")) else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard variables.contains("OMPI_COMM_WORLD_RANK=\(rank)"),
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") }),
                  let ppid = Int32(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) else { continue }
            if ppid == parent || isDescendant(ppid, of: parent) { return pid }
        }
        return nil
    }

    static func isDescendant(_ pid: Int32, of ancestor: Int32) -> Bool {
        var current = pid
        for _ in 0..<16 {
            guard current > 1, let status = try? String(contentsOfFile: "/proc/\(current)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("PPid:") }),
                  let ppid = Int32(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) else { return false }
            if ppid == ancestor { return true }
            current = ppid
        }
        return false
    }
}
