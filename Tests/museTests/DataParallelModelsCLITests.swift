import Foundation
import MuseMIDI
import MuseSupport
import XCTest

/// Every model the Transformer, text, image and audio work added trains data-parallel: for each, a
/// tiny run plain, under `mpirun -np 1` (weights and optimizer state bit for bit the plain run's)
/// and under `-np 2` with the same global batch (the last step's losses within 1e-5 of the plain
/// run's — relative to the loss when it is above 1, since a float32 loss of 500 has a rounding
/// step of 3e-5 — or, for the picture models with BatchNorm and fixed dropout, whose batch
/// statistics and masks are per process, within the stated looser bound). The data is written by
/// the tests, except Fashion-MNIST (skipped without Debian's dataset-fashion-mnist). Skipped
/// without `mpirun`.
final class DataParallelModelsCLITests: CLITestCase {
    /// `mpirun` on the PATH; skips the test without it.
    func mpirun() throws -> URL {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("mpirun is not installed (scripts/setup.sh installs openmpi-bin)")
    }

    /// Runs `muse arguments` under `mpirun -np processes`; exit status and the merged output.
    func mpi(processes: Int, _ arguments: [String]) throws -> (status: Int32, log: String) {
        let process = Process()
        process.executableURL = try mpirun()
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-q", "-np", String(processes), try museBinary().path] + arguments
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("mpi-\(processes).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    /// The metrics of the last training step a checkpoint recorded.
    func lastMetrics(_ run: String, step: Int) throws -> [String: Double] {
        let url = folder.appendingPathComponent(run).appendingPathComponent(String(format: "checkpoint-%08d", step))
            .appendingPathComponent("training_state.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return try XCTUnwrap(json?["lastTrainingMetrics"] as? [String: Double], "lastTrainingMetrics in \(url.path)")
    }

    /// Trains `arguments(output)` plain, with `-np 1` and with `-np 2` for `steps` steps; checks
    /// -np 1 against plain bit for bit (or, without `bitForBit`, within `tolerance` like -np 2) and
    /// -np 2 within `tolerance` (times the loss when it is above 1) on every loss metric.
    /// - Returns: the largest loss difference between -np 2 and plain.
    @discardableResult
    func compare(_ model: String, steps: Int, tolerance: Double, bitForBit: Bool = true, _ arguments: (String) -> [String],
                 file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        _ = try mpirun()
        let plain = try muse(arguments("plain"))
        XCTAssertEqual(plain.status, 0, plain.err, file: file, line: line)
        let one = try mpi(processes: 1, arguments("one"))
        XCTAssertEqual(one.status, 0, one.log, file: file, line: line)
        let two = try mpi(processes: 2, arguments("two"))
        XCTAssertEqual(two.status, 0, two.log, file: file, line: line)
        XCTAssertTrue(two.log.contains("data-parallel on 2 processes"), two.log, file: file, line: line)
        let checkpoint = String(format: "checkpoint-%08d", steps)
        for name in ["model.safetensors", "optimizer.safetensors"] where bitForBit {
            let a = try Data(contentsOf: folder.appendingPathComponent("plain/\(checkpoint)/\(name)"))
            let b = try Data(contentsOf: folder.appendingPathComponent("one/\(checkpoint)/\(name)"))
            XCTAssertTrue(a == b, "\(model): \(name) differs between the plain run and mpirun -np 1", file: file, line: line)
        }
        let p = try lastMetrics("plain", step: steps), o = try lastMetrics("one", step: steps), t = try lastMetrics("two", step: steps)
        if bitForBit { XCTAssertEqual(p, o, "\(model): -np 1 metrics", file: file, line: line) }
        let losses = p.keys.filter { $0.hasSuffix("loss") || $0 == "kl" }.sorted()
        XCTAssertFalse(losses.isEmpty, "\(model): no loss metric in \(p)", file: file, line: line)
        var worst = 0.0
        for key in losses {
            let a = try XCTUnwrap(p[key]), b = try XCTUnwrap(t[key], "\(model): -np 2 lacks \(key)")
            let bound = tolerance * max(1, abs(a))
            XCTAssertEqual(a, b, accuracy: bound, "\(model): \(key) after \(steps) steps, plain vs -np 2", file: file, line: line)
            if !bitForBit {
                let c = try XCTUnwrap(o[key])
                XCTAssertEqual(a, c, accuracy: bound, "\(model): \(key) after \(steps) steps, plain vs -np 1", file: file, line: line)
            }
            worst = max(worst, abs(a - b))
        }
        print("data-parallel \(model): largest |loss(plain) - loss(-np 2)| after \(steps) steps = \(worst)")
        return worst
    }

    // MARK: - Data

    /// Text of ~1,400 characters (GPT and char-rnn).
    func text() throws -> String {
        let verse = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n"
        return try write(Array(String(repeating: verse, count: 16).utf8), "text.txt")
    }

    /// Eight two-voice pieces of 40 notes (Music Transformer).
    func midiCorpus() throws -> String {
        let corpus = folder.appendingPathComponent("midi")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: 5)
        for file in 0..<8 {
            var notes: [NoteSequence.Note] = []
            for i in 0..<40 {
                let start = Double(i) * 0.25
                notes.append(.init(pitch: 60 + Int(generator.next() % 12), velocity: 40 + Int(generator.next() % 80),
                                   startTime: start, endTime: start + 0.25))
                if i % 4 == 0 { notes.append(.init(pitch: 48 + Int(generator.next() % 12), velocity: 70, startTime: start, endTime: start + 1)) }
            }
            let sequence = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)], timeSignatures: [.init(time: 0, numerator: 4, denominator: 4)])
            try sequence.writeMIDI(to: corpus.appendingPathComponent(String(format: "piece%02d.mid", file)).path)
        }
        return corpus.path
    }

    /// Six 16-bit mono WAV files of 1.5 s at 22,050 Hz: chirps and noise (spectrogram VAE).
    func audioFolder() throws -> String {
        let audio = folder.appendingPathComponent("audio")
        try FileManager.default.createDirectory(at: audio, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: 7)
        let rate = 22_050, count = rate * 3 / 2
        for file in 0..<6 {
            var bytes: [UInt8] = []
            func le(_ v: UInt32, _ n: Int) { for i in 0..<n { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
            bytes += Array("RIFF".utf8); le(UInt32(36 + 2 * count), 4); bytes += Array("WAVEfmt ".utf8)
            le(16, 4); le(1, 2); le(1, 2); le(UInt32(rate), 4); le(UInt32(2 * rate), 4); le(2, 2); le(16, 2)
            bytes += Array("data".utf8); le(UInt32(2 * count), 4)
            let f0 = 200.0 + 150.0 * Double(file)
            var phase = 0.0
            for i in 0..<count {
                phase += 2 * Double.pi * f0 * (1 + Double(i) / Double(count)) / Double(rate)
                let noise = Double(generator.next() % 2001) / 1000 - 1
                let value = 0.5 * sin(phase) + 0.05 * noise
                le(UInt32(UInt16(bitPattern: Int16(value * 32_000))), 2)
            }
            try Data(bytes).write(to: audio.appendingPathComponent("clip\(file).wav"))
        }
        return audio.path
    }

    func requireFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: ImageCLITests.fashionMNIST + "/t10k-images-idx3-ubyte.gz") else {
            throw XCTSkip("Debian's dataset-fashion-mnist is not installed")
        }
    }

    // MARK: - Models

    func testMusicTransformerTrainsDataParallel() throws {
        let corpus = try midiCorpus()
        try compare("music-transformer", steps: 4, tolerance: 1e-5) {
            ["train", "music-transformer", "--corpus", corpus, "--output", $0, "--num-steps", "4", "--checkpoint-every", "4", "--eval-every", "0",
             "--max-seq-len", "32", "--num-layers", "1", "--num-heads", "2", "--d-model", "16", "--d-ff", "32", "--batch-size", "4",
             "--dropout", "0", "--seed", "3", "--eval-ratio", "0.25"]
        }
    }

    func testGPTTrainsDataParallel() throws {
        let text = try text()
        try compare("gpt", steps: 4, tolerance: 1e-5) {
            ["train", "gpt", "--text", text, "--output", $0, "--max-iters", "4", "--eval-interval", "4", "--eval-iters", "1", "--seed", "3",
             "--block-size", "16", "--batch-size", "4", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--warmup-iters", "1"]
        }
    }

    /// Each rank scores its lines of the global batch (lines, word dropout and ε drawn for all).
    func testTextVAETrainsDataParallel() throws {
        let text = try text()
        try compare("text-vae", steps: 4, tolerance: 1e-5) {
            ["train", "text-vae", "--text", text, "--output", $0, "--max-iters", "4", "--eval-interval", "4", "--seed", "3",
             "--embedding-size", "8", "--hidden-size", "16", "--latent-size", "4", "--batch-size", "4", "--max-length", "100",
             "--kl-warmup-steps", "2"]
        }
    }

    /// Each rank carries the LSTM state of its own streams from batch to batch.
    func testCharRNNTrainsDataParallelCarryingEachRanksStreams() throws {
        let text = try text()
        try compare("char-rnn", steps: 4, tolerance: 1e-5) {
            ["train", "char-rnn", "--text", text, "--output", $0, "--max-iters", "4", "--eval-interval", "4", "--seed", "3",
             "--rnn-size", "16", "--num-layers", "2", "--seq-length", "8", "--batch-size", "4"]
        }
    }

    /// Not bit for bit even between two plain runs: FFTW plans with FFTW_MEASURE (the fastest
    /// codelets by timing), so the spectrograms can differ in the last bits from run to run.
    func testSpectrogramSequenceVAETrainsDataParallel() throws {
        let audio = try audioFolder()
        try compare("spec-vae", steps: 4, tolerance: 1e-5, bitForBit: false) {
            ["train", "spec-vae", "--audio", audio, "--output", $0, "--num-steps", "4", "--checkpoint-every", "4", "--eval-every", "0",
             "--batch-size", "4", "--crop-frames", "16", "--z-channels", "4", "--hidden-channels", "8", "--n-mels", "16",
             "--eval-ratio", "0", "--seed", "3", "--beta-warmup-steps", "2"]
        }
    }

    func testImageVAETrainsDataParallel() throws {
        try requireFashionMNIST()
        try compare("image-vae", steps: 3, tolerance: 1e-5) {
            ["train", "image-vae", "--output", $0, "--num-steps", "3", "--batch-size", "8", "--max-pictures", "32",
             "--checkpoint-every", "3", "--eval-every", "3", "--z-size", "2"]
        }
    }

    /// BatchNorm normalises with each process's rows and dropout masks are per process, so -np 2
    /// follows the plain run only approximately (measured 0.39 nats apart after 4 steps of 8
    /// pictures: batch statistics over 4 pictures instead of 8).
    func testImageClassifierTrainsDataParallel() throws {
        try requireFashionMNIST()
        try compare("image-classifier", steps: 2, tolerance: 0.5) {
            ["train", "image-classifier", "--output", $0, "--num-steps", "2", "--batch-size", "8", "--max-pictures", "32",
             "--checkpoint-every", "2", "--eval-every", "2"]
        }
    }

    /// Two optimizers, both averaged; the generator's BatchNorm and the discriminator's dropout are
    /// per process (see the classifier; measured 0.05 and 0.01 apart after 2 steps).
    func testDCGANTrainsDataParallel() throws {
        try requireFashionMNIST()
        try compare("dcgan", steps: 2, tolerance: 0.2) {
            ["train", "dcgan", "--output", $0, "--num-steps", "2", "--batch-size", "4", "--max-pictures", "16",
             "--checkpoint-every", "2", "--eval-every", "2", "--sample-every", "0", "--noise-size", "8"]
        }
    }
}
