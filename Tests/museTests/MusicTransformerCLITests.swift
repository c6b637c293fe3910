import Foundation
import XCTest

/// The Music Transformer end to end on the built binary: train a tiny model on a few Bach
/// chorales, generate from a primer and from nothing, evaluate with JSON.
final class MusicTransformerCLITests: CLITestCase {
    /// Twelve chorales from the corpus `make test` builds.
    func corpus() throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../corpora/bach").standardized
        guard FileManager.default.fileExists(atPath: source.appendingPathComponent(".complete").path) else {
            throw XCTSkip("corpora/bach is not built (scripts/build_corpora.sh bach)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".mid") }.sorted().prefix(12)
        let corpus = folder.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for file in files { try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: corpus.appendingPathComponent(file)) }
        return corpus.path
    }

    let tiny = ["--max-seq-len", "64", "--num-layers", "1", "--num-heads", "2", "--d-model", "16", "--d-ff", "32",
                "--batch-size", "2", "--seed", "3", "--eval-ratio", "0.25"]

    func testTrainGenerateWithPrimerEvaluate() throws {
        let corpus = try corpus()
        let trained = try muse(["train", "music-transformer", "--corpus", corpus, "--output", "run", "--num-steps", "6",
                                "--checkpoint-every", "3", "--eval-every", "3"] + tiny)
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("relative positions"), trained.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/checkpoint-00000006").path))
        let primer = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()[0]
        let generated = try muse(["generate", "music-transformer", "--bundle", "run", "--primer", "\(corpus)/\(primer)",
                                  "--primer-seconds", "2", "--num-outputs", "2", "--max-events", "40", "--top-k", "20",
                                  "--output-dir", "gen", "--seed", "5", "--no-wav"])
        XCTAssertEqual(generated.status, 0, generated.err)
        let mids = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("gen").path).filter { $0.hasSuffix(".mid") }
        XCTAssertEqual(mids.count, 2)
        XCTAssertTrue(generated.out.contains("primer"), generated.out)
        let again = try muse(["generate", "music-transformer", "--bundle", "run", "--num-outputs", "1", "--max-events", "30",
                              "--output-dir", "gen2", "--seed", "5", "--no-wav"])
        XCTAssertEqual(again.status, 0, again.err)
        let evaluated = try muse(["evaluate", "music-transformer", "--bundle", "run", corpus, "--json"])
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        let report = try JSONSerialization.jsonObject(with: Data(evaluated.out.utf8)) as? [String: Any]
        let files = report?["files"] as? [[String: Any]]
        XCTAssertEqual(files?.count, 12)
        let nll = report?["nllPerEvent"] as? Double ?? .nan
        // Uniform over 390 tokens is ln 390 ≈ 5.97 nats; six steps must already be finite and near or below it.
        XCTAssertTrue(nll.isFinite && nll > 0 && nll < 7, "\(nll)")
    }

    func testWrongBundleKindAndMissingPrimerAreOneLineErrors() throws {
        let corpus = try corpus()
        XCTAssertEqual(try muse(["train", "music-transformer", "--corpus", corpus, "--output", "run", "--num-steps", "1",
                                 "--eval-every", "0"] + tiny).status, 0)
        let missing = try muse(["generate", "music-transformer", "--bundle", "run", "--primer", "nope.mid", "--no-wav"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err.split(separator: "\n").count, 1, missing.err)
        XCTAssertTrue(missing.err.contains("nope.mid"), missing.err)
        let badHeads = try muse(["train", "music-transformer", "--corpus", corpus, "--output", "run2", "--num-heads", "3", "--d-model", "16"])
        XCTAssertNotEqual(badHeads.status, 0)
        XCTAssertTrue(badHeads.err.contains("--num-heads 3 must divide --d-model 16"), badHeads.err)
    }
}
