import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MuseAudioModels
import MuseMIDI
import MuseModels
import MuseStudio
import MuseTraining
import XCTest

/// A studio served on an ephemeral loopback port for one test, over a runs folder of tiny
/// random-weight bundles written by the library: `melody` (melody RNN), `vae` (MusicVAE), a
/// training run `melody-run` with three checkpoints, and `spec` (spectrogram VAE).
class StudioTestCase: XCTestCase {
    var folder: URL!
    var server: StudioServer!
    var serverTask: Task<Void, Error>?
    var base: URL!
    var limits = StudioLimits()

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-studio-\(UUID().uuidString)")
        let runs = folder.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        try Self.writeBundles(in: runs)
        var configuration = StudioConfiguration(runsDirectory: runs, outputDirectory: folder.appendingPathComponent("output"),
                                                registry: BundleRegistry([MelodyRNN.bundleKind, MusicVAE.bundleKind, MusicTransformer.bundleKind,
                                                                          SpectrogramVAE.bundleKind, SpectrogramSequenceVAE.bundleKind]))
        configuration.port = 0
        configuration.limits = limits
        server = try StudioServer(configuration: configuration)
        let started = PortBox()
        let server = self.server!
        serverTask = Task { try await server.run { port in started.set(port) } }
        let port = try await started.wait(seconds: 30)
        base = URL(string: "http://127.0.0.1:\(port)")!
    }

    override func tearDown() async throws {
        serverTask?.cancel()
        _ = try? await serverTask?.value
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Tiny bundles of each kind the studio uses, and a run with checkpoints and evaluations.
    static func writeBundles(in runs: URL) throws {
        var melodyConfig = MelodyRNNConfig()
        (melodyConfig.hiddenSize, melodyConfig.numLayers) = (8, 1)
        let melody = try MelodyRNN(config: melodyConfig, seed: 1)
        try melody.save(bundle: runs.appendingPathComponent("melody"), step: 7, metrics: Metrics(["loss": 3.5]))
        var vaeConfig = MusicVAEConfig()
        (vaeConfig.zSize, vaeConfig.encoderHiddenSize, vaeConfig.decoderHiddenSize, vaeConfig.decoderLayers) = (4, 8, 8, 1)
        try MusicVAE(config: vaeConfig).save(bundle: runs.appendingPathComponent("vae"))
        var specConfig = SpectrogramVAEConfig()
        (specConfig.nMels, specConfig.patchFrames, specConfig.channels, specConfig.zSize) = (16, 16, [4, 8], 4)
        try SpectrogramVAE(config: specConfig).save(bundle: runs.appendingPathComponent("spec"))
        let run = runs.appendingPathComponent("melody-run")
        var evaluations: [[String: Any]] = []
        for (k, step) in [10, 20, 30].enumerated() {
            let checkpoint = run.appendingPathComponent(Checkpoint.folderName(step: step))
            try melody.save(bundle: checkpoint, step: step)
            evaluations.append(["step": step, "metrics": ["loss": 4.0 - Double(k)]])
            let state: [String: Any] = ["step": step, "dataGeneratorState": 1, "randomStates": [String: Any](), "seed": 0,
                                        "lastTrainingLoss": 5.0 - Double(k), "evaluations": evaluations]
            try JSONSerialization.data(withJSONObject: state).write(to: checkpoint.appendingPathComponent("training_state.json"))
        }
        try Data("not a bundle".utf8).write(to: runs.appendingPathComponent("notes.txt"))
    }

    /// A two-bar major scale in quarter notes at 120 qpm (4 s) as MIDI bytes.
    static func scaleMIDI(startPitch: Int = 60) throws -> Data {
        let notes = (0..<8).map { k in
            NoteSequence.Note(pitch: startPitch + [0, 2, 4, 5, 7, 9, 11, 12][k], velocity: 90, startTime: Double(k) * 0.5, endTime: Double(k + 1) * 0.5)
        }
        let sequence = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scale-\(UUID().uuidString).mid").path
        try sequence.writeMIDI(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// One HTTP request to the studio: status, body, content type.
    func request(_ method: String, _ path: String, json: Any? = nil, body: Data? = nil) async throws -> (status: Int, data: Data, type: String) {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.timeoutInterval = 120
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    /// A JSON object answer.
    func object(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
    }

    /// Asserts the answer is `{"error": "…"}` with `status`, and returns the message.
    @discardableResult
    func assertError(_ answer: (status: Int, data: Data, type: String), _ status: Int, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        XCTAssertEqual(answer.status, status, String(decoding: answer.data, as: UTF8.self), file: file, line: line)
        XCTAssertTrue(answer.type.hasPrefix("application/json"), answer.type, file: file, line: line)
        let body = try object(answer.data)
        XCTAssertEqual(body.count, 1, "\(body)", file: file, line: line)
        let message = try XCTUnwrap(body["error"] as? String, file: file, line: line)
        XCTAssertFalse(message.isEmpty, file: file, line: line)
        XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
        return message
    }

    /// Polls job `id` until it stops; returns its last state.
    func finished(_ id: String, seconds: Double = 120) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let job = try object(try await request("GET", "/api/jobs/\(id)").data)
            if let state = job["state"] as? String, ["done", "failed", "cancelled"].contains(state) { return job }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("job \(id) did not finish in \(seconds) s")
        return [:]
    }
}

/// The port the server reports once listening, handed to the waiting test.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?

    func set(_ value: Int) { lock.withLock { port = value } }

    func wait(seconds: Double) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let port = lock.withLock({ port }) { return port }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw StudioError.notFound("the server did not start listening in \(seconds) s")
    }
}
