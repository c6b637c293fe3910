import Foundation
import MuseMIDI
import MuseStudio
import XCTest

/// `muse studio`'s JSON API over real HTTP on loopback: listing, jobs and their files, training
/// curves, and every kind of bad request answered as one JSON message with its status.
final class StudioAPITests: StudioTestCase {
    func testBundlesListsKindStepMetricsAndSkipsOtherFiles() async throws {
        let answer = try await request("GET", "/api/bundles")
        XCTAssertEqual(answer.status, 200)
        let bundles = try XCTUnwrap(try object(answer.data)["bundles"] as? [[String: Any]])
        XCTAssertEqual(bundles.map { $0["id"] as? String }, ["melody", "melody-run", "spec", "vae"])
        let melody = bundles[0]
        XCTAssertEqual(melody["kind"] as? String, "melody-rnn")
        XCTAssertEqual(melody["step"] as? Int, 7)
        XCTAssertEqual((melody["metrics"] as? [String: Double])?["loss"], 3.5)
        XCTAssertEqual(melody["capabilities"] as? [String], ["evaluate", "generate"])
        XCTAssertEqual(bundles[1]["step"] as? Int, 30)
        XCTAssertEqual(bundles[1]["checkpoints"] as? Int, 3)
        XCTAssertEqual(bundles[3]["kind"] as? String, "music-vae")
    }

    func testContinueMelodyPrimerWritesMIDIWAVAndPianoRoll() async throws {
        let submitted = try await request("POST", "/api/continue", json: ["bundle": "melody", "primer": "[60, -2, 62, -2, 64]", "length": 16, "count": 2, "seed": 3])
        XCTAssertEqual(submitted.status, 202, String(decoding: submitted.data, as: UTF8.self))
        let id = try XCTUnwrap(try object(submitted.data)["id"] as? String)
        let job = try await finished(id)
        XCTAssertEqual(job["state"] as? String, "done", "\(job)")
        let results = try XCTUnwrap(job["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 2)
        for result in results {
            let midi = try await request("GET", try XCTUnwrap(result["midi"] as? String))
            XCTAssertEqual(midi.status, 200)
            XCTAssertEqual(midi.data.prefix(4), Data("MThd".utf8))
            let path = folder.appendingPathComponent("back.mid")
            try midi.data.write(to: path)
            let sequence = try NoteSequence(contentsOfMIDIFile: path.path)
            XCTAssertEqual(sequence.notes.prefix(3).map(\.pitch), [60, 62, 64])
            XCTAssertEqual(sequence.notes.count, result["notes"] as? Int)
            let wav = try await request("GET", try XCTUnwrap(result["wav"] as? String))
            XCTAssertEqual(wav.type, "audio/wav")
            XCTAssertEqual(wav.data.prefix(4), Data("RIFF".utf8))
            XCTAssertGreaterThan(wav.data.count, 44_100)
            let png = try await request("GET", try XCTUnwrap(result["png"] as? String))
            XCTAssertEqual(png.type, "image/png")
            XCTAssertEqual(png.data.prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        }
    }

    func testContinueFromMIDIUploadUsesItsMelodyAsPrimer() async throws {
        let upload = try await request("POST", "/api/uploads?kind=midi", body: try Self.scaleMIDI())
        XCTAssertEqual(upload.status, 201, String(decoding: upload.data, as: UTF8.self))
        let info = try object(upload.data)
        XCTAssertEqual(info["notes"] as? Int, 8)
        let submitted = try await request("POST", "/api/continue", json: ["bundle": "melody", "primerUpload": try XCTUnwrap(info["id"] as? String),
                                                                          "length": 8, "count": 1])
        XCTAssertEqual(submitted.status, 202, String(decoding: submitted.data, as: UTF8.self))
        let job = try await finished(try XCTUnwrap(try object(submitted.data)["id"] as? String))
        XCTAssertEqual(job["state"] as? String, "done", "\(job)")
        let result = try XCTUnwrap((job["results"] as? [[String: Any]])?.first)
        let midi = try await request("GET", try XCTUnwrap(result["midi"] as? String))
        let path = folder.appendingPathComponent("continued.mid")
        try midi.data.write(to: path)
        XCTAssertEqual(try NoteSequence(contentsOfMIDIFile: path.path).notes.prefix(8).map(\.pitch), [60, 62, 64, 65, 67, 69, 71, 72])
    }

    func testGenerateDrawsMusicVAESamples() async throws {
        let submitted = try await request("POST", "/api/generate", json: ["bundle": "vae", "count": 3])
        XCTAssertEqual(submitted.status, 202, String(decoding: submitted.data, as: UTF8.self))
        let job = try await finished(try XCTUnwrap(try object(submitted.data)["id"] as? String))
        XCTAssertEqual(job["state"] as? String, "done", "\(job)")
        XCTAssertEqual((job["results"] as? [[String: Any]])?.count, 3)
    }

    func testInterpolateTwoMIDIUploadsThroughMusicVAE() async throws {
        let a = try object(try await request("POST", "/api/uploads?kind=midi", body: try Self.scaleMIDI(startPitch: 60)).data)
        let b = try object(try await request("POST", "/api/uploads?kind=midi", body: try Self.scaleMIDI(startPitch: 67)).data)
        let submitted = try await request("POST", "/api/interpolate", json: ["bundle": "vae", "a": a["id"] as Any, "b": b["id"] as Any, "steps": 3])
        XCTAssertEqual(submitted.status, 202, String(decoding: submitted.data, as: UTF8.self))
        let job = try await finished(try XCTUnwrap(try object(submitted.data)["id"] as? String))
        XCTAssertEqual(job["state"] as? String, "done", "\(job)")
        let result = try XCTUnwrap((job["results"] as? [[String: Any]])?.first)
        let seconds = try XCTUnwrap(result["seconds"] as? Double)
        XCTAssertTrue((4...20).contains(seconds), "3 steps of 2 bars at 120 qpm are 12 s at most, plus the release tail: \(seconds)")
        let midi = try await request("GET", try XCTUnwrap(result["midi"] as? String))
        let path = folder.appendingPathComponent("interpolation.mid")
        try midi.data.write(to: path)
        XCTAssertTrue(try NoteSequence(contentsOfMIDIFile: path.path).notes.allSatisfy { $0.startTime < 12 })
    }

    func testRunMetricsGivesTrainingAndEvaluationCurves() async throws {
        let answer = try await request("GET", "/api/runs/melody-run/metrics")
        XCTAssertEqual(answer.status, 200, String(decoding: answer.data, as: UTF8.self))
        let curves = try JSONDecoder().decode(RunCurves.self, from: answer.data)
        XCTAssertEqual(curves.checkpoints, [10, 20, 30])
        XCTAssertEqual(curves.series["loss"]?.map(\.value), [5, 4, 3])
        XCTAssertEqual(curves.series["eval_loss"]?.map(\.step), [10, 20, 30])
        XCTAssertEqual(curves.series["eval_loss"]?.map(\.value), [4, 3, 2])
        try assertError(try await request("GET", "/api/runs/melody/metrics"), 404)
    }

    func testCancelStopsAJob() async throws {
        let submitted = try await request("POST", "/api/continue", json: ["bundle": "melody", "primer": "[60]", "length": 512, "count": 16])
        let id = try XCTUnwrap(try object(submitted.data)["id"] as? String)
        let cancelled = try await request("DELETE", "/api/jobs/\(id)")
        XCTAssertEqual(cancelled.status, 200)
        let job = try await finished(id)
        XCTAssertEqual(job["state"] as? String, "cancelled")
        XCTAssertLessThan((job["results"] as? [Any])?.count ?? 99, 16)
        try assertError(try await request("DELETE", "/api/jobs/j999"), 404)
    }

    /// `?wait=S` holds the answer until the job changes: a running job's long poll comes back
    /// with a different status, or unchanged only once its S seconds are up; a finished job's
    /// comes back at once; a bad `wait` is a 400.
    func testLongPollAnswersWhenTheJobChanges() async throws {
        let submitted = try await request("POST", "/api/continue", json: ["bundle": "melody", "primer": "[60]", "length": 64, "count": 4])
        let first = try object(submitted.data)
        let id = try XCTUnwrap(first["id"] as? String)
        var seen = 0
        var last = first
        while seen < 5000, (last["state"] as? String).map({ ["queued", "running"].contains($0) }) ?? false {
            let asked = Date()
            let answer = try await request("GET", "/api/jobs/\(id)?wait=2")
            let status = try object(answer.data)
            let changed = ["state", "message", "progress"].contains { "\(status[$0] ?? "")" != "\(last[$0] ?? "")" }
                || (status["results"] as? [Any])?.count != (last["results"] as? [Any])?.count
            if !changed {
                XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(asked), 1.9, "a long poll answered without a change before its 2 s: \(status)")
            }
            last = status
            seen += 1
        }
        XCTAssertEqual(last["state"] as? String, "done", "\(last)")
        let started = Date()
        let again = try object(try await request("GET", "/api/jobs/\(id)?wait=10").data)
        XCTAssertEqual(again["state"] as? String, "done")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "a finished job's poll is answered at once")
        try assertError(try await request("GET", "/api/jobs/\(id)?wait=11"), 400)
        try assertError(try await request("GET", "/api/jobs/\(id)?wait=soon"), 400)
    }

    func testBadMIDIUploadIsRefusedByTheMIDIReader() async throws {
        let message = try assertError(try await request("POST", "/api/uploads?kind=midi", body: Data("MThd not really".utf8)), 400)
        XCTAssertTrue(message.hasPrefix("not a readable MIDI file"), message)
        XCTAssertFalse(message.contains(folder.path), message)
        try assertError(try await request("POST", "/api/uploads?kind=audio", body: Data(repeating: 7, count: 500)), 400)
        try assertError(try await request("POST", "/api/uploads?kind=midi", body: Data()), 400)
        try assertError(try await request("POST", "/api/uploads?kind=video", body: Data([1])), 400)
    }

    func testOversizedUploadIs413() async throws {
        let message = try assertError(try await request("POST", "/api/uploads?kind=midi", body: Data(repeating: 0, count: 2_000_001)), 413)
        XCTAssertEqual(message, "the midi upload is larger than the 2 MB limit")
        try assertError(try await request("POST", "/api/continue", body: Data(repeating: 32, count: 70_000)), 413)
    }

    func testBadRequestsAreOneJSONMessageWithTheirStatus() async throws {
        let unknown = try assertError(try await request("POST", "/api/continue", json: ["bundle": "nothing"]), 404)
        XCTAssertEqual(unknown, "no bundle 'nothing' under runs/")
        let primer = try assertError(try await request("POST", "/api/continue", json: ["bundle": "melody", "primer": "[60, x]"]), 400)
        XCTAssertEqual(primer, "primer: primer entry 1 'x' is not an integer event")
        try assertError(try await request("POST", "/api/continue", json: ["bundle": "melody", "primer": "[20]"]), 400)
        try assertError(try await request("POST", "/api/continue", json: ["bundle": "melody", "count": 0]), 400)
        try assertError(try await request("POST", "/api/continue", json: ["bundle": "melody", "temperature": "hot"]), 400)
        let missing = try assertError(try await request("POST", "/api/continue", json: ["primer": "[60]"]), 400)
        XCTAssertEqual(missing, "missing field 'bundle'")
        try assertError(try await request("POST", "/api/continue", body: Data("{not json".utf8)), 400)
        try assertError(try await request("POST", "/api/continue", json: ["bundle": "vae"]), 422)
        try assertError(try await request("POST", "/api/continue", json: ["bundle": "../runs/melody"]), 404)
        try assertError(try await request("POST", "/api/interpolate", json: ["bundle": "vae", "a": "u99", "b": "u98"]), 404)
        try assertError(try await request("GET", "/api/jobs/j999"), 404)
        try assertError(try await request("GET", "/api/jobs/j999/files/x.wav"), 404)
        try assertError(try await request("GET", "/api/nothing"), 404)
    }

    func testOpenAPIDocumentParsesAndListsEveryRoute() async throws {
        let answer = try await request("GET", "/api/openapi.json")
        XCTAssertEqual(answer.status, 200)
        let document = try object(answer.data)
        XCTAssertEqual((document["openapi"] as? String)?.hasPrefix("3."), true)
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        XCTAssertEqual(Set(paths.keys), ["/api/bundles", "/api/runs/{name}/metrics", "/api/uploads", "/api/continue", "/api/generate",
                                         "/api/interpolate", "/api/jobs/{id}", "/api/jobs/{id}/files/{file}", "/api/openapi.json"])
        let schemas = try XCTUnwrap((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        for (_, item) in paths {
            for (method, operation) in item where method != "parameters" {
                let text = String(decoding: try JSONSerialization.data(withJSONObject: operation), as: UTF8.self)
                for name in schemas.keys where text.contains("#/components/schemas/\(name)") { XCTAssertNotNil(schemas[name]) }
            }
        }
    }

    func testPageAndItsFilesAreServed() async throws {
        let page = try await request("GET", "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.type.hasPrefix("text/html"))
        let html = String(decoding: page.data, as: UTF8.self)
        XCTAssertTrue(html.contains("name=\"viewport\""))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "nothing is fetched from elsewhere")
        for path in ["/studio.js", "/studio.css"] {
            let file = try await request("GET", path)
            XCTAssertEqual(file.status, 200, path)
            XCTAssertFalse(String(decoding: file.data, as: UTF8.self).contains("https://"), path)
        }
    }
}
