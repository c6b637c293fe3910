import Foundation
import XCTest

/// `muse train|generate|evaluate gpt|char-rnn`: tiny models trained for a few steps on a small
/// text write bundles with their vocabulary, continue a start text with valid UTF-8 (Chinese
/// included), and score held-out text against the unigram baseline.
final class TextModelCLITests: CLITestCase {
    static let poem = String(repeating: "床前明月光，疑是地上霜。\n舉頭望明月，低頭思故鄉。\n", count: 30)

    /// Trains `model` for 4 steps on the poem into `run`. - Returns: the poem's path and what the
    /// training printed.
    func trainTinyPrinting(_ model: String, _ extra: [String]) throws -> (text: String, out: String) {
        let text = try write(Array(Self.poem.utf8), "poems.txt")
        let result = try muse(["train", model, "--text", text, "--output", "run", "--max-iters", "4", "--eval-interval", "2", "--seed", "3"] + extra)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("step 4/4: checkpoint"), result.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/checkpoint-00000004/vocab.json").path),
                      "the last checkpoint holds vocab.json")
        return (text, result.out)
    }

    func trainTiny(_ model: String, _ extra: [String]) throws -> String { try trainTinyPrinting(model, extra).text }

    func testGPTTrainsGeneratesValidUTF8AndEvaluates() throws {
        let text = try trainTiny("gpt", ["--block-size", "16", "--batch-size", "4", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
                                         "--eval-iters", "2", "--warmup-iters", "1", "--lr-decay-iters", "4"])
        let generated = try muse(["generate", "gpt", "--bundle", "run", "--start", "床前", "--max-new-tokens", "30", "--num-samples", "2"])
        XCTAssertEqual(generated.status, 0, generated.err)
        let samples = generated.out.components(separatedBy: "---------------\n").filter { !$0.isEmpty }
        XCTAssertEqual(samples.count, 2, generated.out)
        for s in samples {
            XCTAssertTrue(s.hasPrefix("床前"), s)
            XCTAssertEqual(s.unicodeScalars.count, 2 + 30 + 1, s)  // start, new characters, print's newline
        }
        let scored = try muse(["evaluate", "gpt", "--bundle", "run", text, "--json"])
        XCTAssertEqual(scored.status, 0, scored.err)
        let report = try JSONSerialization.jsonObject(with: Data(scored.out.utf8)) as? [String: Any]
        XCTAssertEqual(report?["tokens"] as? Int, Self.poem.unicodeScalars.count - 1)
        XCTAssertEqual(report?["characters"] as? Int, Self.poem.unicodeScalars.count - 1)
        let bits = try XCTUnwrap(report?["bitsPerCharacter"] as? Double), nats = try XCTUnwrap(report?["natsPerToken"] as? Double)
        XCTAssertEqual(bits, nats / log(2), accuracy: 1e-9)
        XCTAssertNotNil(report?["unigramNatsPerToken"] as? Double)
    }

    func testCharRNNTrainsGeneratesAndEvaluates() throws {
        let text = try trainTiny("char-rnn", ["--rnn-size", "16", "--num-layers", "2", "--seq-length", "8", "--batch-size", "4"])
        let generated = try muse(["generate", "char-rnn", "--bundle", "run", "--start", "舉頭", "--max-new-tokens", "12", "--num-samples", "1"])
        XCTAssertEqual(generated.status, 0, generated.err)
        XCTAssertTrue(generated.out.hasPrefix("舉頭"), generated.out)
        XCTAssertTrue(generated.out.hasSuffix("---------------\n"), generated.out)
        let scored = try muse(["evaluate", "char-rnn", "--bundle", "run", text])
        XCTAssertEqual(scored.status, 0, scored.err)
        XCTAssertTrue(scored.out.contains("bits/char"), scored.out)
        XCTAssertTrue(scored.out.contains("unigram baseline"), scored.out)
    }

    /// char-rnn's epoch decay: 5 batches per epoch, halved after every epoch from the first, so
    /// updates 6–10 run at lr/2 and 16–20 at lr/8 (the progress line shows the rate of its step).
    func testCharRNNDecaysTheLearningRateByEpochs() throws {
        let text = try write(Array(Self.poem.utf8), "poems.txt")
        let result = try muse(["train", "char-rnn", "--text", text, "--output", "run", "--max-iters", "20", "--eval-interval", "20",
                               "--rnn-size", "8", "--num-layers", "1", "--seq-length", "32", "--batch-size", "4",
                               "--learning-rate-decay", "0.5", "--learning-rate-decay-after", "1"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("5 batches per epoch"), result.out)
        let progress = result.err  // progress lines go to standard error
        XCTAssertTrue(progress.contains("step 10/20") && progress.contains("lr 0.001 "), progress)
        XCTAssertTrue(progress.contains("lr 0.00025 "), progress)
        let refused = try muse(["train", "char-rnn", "--text", text, "--output", "run2", "--learning-rate-decay", "0"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("--learning-rate-decay must lie in (0, 1]"), refused.err)
    }

    /// Unigram noising of the inputs is a training setting: the run prints and records it, a run
    /// does not go on with other noise, and γ₀ must lie in [0, 1).
    func testCharRNNNoisesItsInputsWhenAsked() throws {
        let (text, out) = try trainTinyPrinting("char-rnn", ["--rnn-size", "8", "--num-layers", "1", "--seq-length", "8", "--batch-size", "2",
                                                             "--input-noise", "0.25"])
        XCTAssertTrue(out.contains("input noise: γ₀ 0.25, per-token, "), out)
        let state = try String(contentsOf: folder.appendingPathComponent("run/checkpoint-00000004/training_state.json"), encoding: .utf8)
        XCTAssertTrue(state.contains("\"input_noise\""), state)
        let resumedWithOther = try muse(["train", "char-rnn", "--text", text, "--output", "run", "--max-iters", "8", "--seed", "3",
                                         "--rnn-size", "8", "--num-layers", "1", "--seq-length", "8", "--batch-size", "2", "--input-noise", "0"])
        XCTAssertNotEqual(resumedWithOther.status, 0, "a noised run does not go on unnoised")
        XCTAssertTrue(resumedWithOther.err.contains("input_noise"), resumedWithOther.err)
        let refused = try muse(["train", "char-rnn", "--text", text, "--output", "run2", "--input-noise", "1"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("--input-noise must lie in [0, 1)"), refused.err)
    }

    func testBPEGPTScoresPerTokenAndPerCharacter() throws {
        let english = String(repeating: "the cat sat on the mat; the dog sat on the log.\n", count: 40)
        let text = try write(Array(english.utf8), "cats.txt")
        let trained = try muse(["train", "gpt", "--text", text, "--output", "run", "--tokenizer", "bpe", "--vocab-size", "280", "--max-iters", "2",
                                "--block-size", "8", "--batch-size", "2", "--n-layer", "1", "--n-head", "1", "--n-embd", "8", "--eval-iters", "1"])
        XCTAssertEqual(trained.status, 0, trained.err)
        let scored = try muse(["evaluate", "gpt", "--bundle", "run", text, "--json"])
        XCTAssertEqual(scored.status, 0, scored.err)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.out.utf8)) as? [String: Any])
        let tokens = try XCTUnwrap(report["tokens"] as? Int), characters = try XCTUnwrap(report["characters"] as? Int)
        XCTAssertLessThan(tokens, characters)  // merges make tokens longer than one character
        XCTAssertEqual(try XCTUnwrap(report["natsPerCharacter"] as? Double) * Double(characters),
                       try XCTUnwrap(report["natsPerToken"] as? Double) * Double(tokens), accuracy: 1e-6 * Double(tokens))
    }

    func testStartTextOutsideTheVocabularyFailsInOneLine() throws {
        _ = try trainTiny("char-rnn", ["--rnn-size", "8", "--num-layers", "1", "--seq-length", "8", "--batch-size", "2"])
        let result = try muse(["generate", "char-rnn", "--bundle", "run", "--start", "ROMEO:"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.hasPrefix("muse: error: --start: offset 0: character U+52 \"R\" is not in the vocabulary"), result.err)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
    }

    func testTextVAETrainsSamplesInterpolatesAndEvaluates() throws {
        let text = try write(Array(Self.poem.utf8), "poems.txt")
        let trained = try muse(["train", "text-vae", "--text", text, "--output", "run", "--max-iters", "4", "--eval-interval", "2", "--seed", "3",
                                "--embedding-size", "8", "--hidden-size", "16", "--latent-size", "4", "--batch-size", "4", "--kl-warmup-steps", "2"])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("step 4/4: checkpoint"), trained.out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("run/checkpoint-00000004/vocab.json").path))
        let sampled = try muse(["sample", "text-vae", "--bundle", "run", "--num-samples", "3", "--temperature", "1", "--seed", "1"])
        XCTAssertEqual(sampled.status, 0, sampled.err)
        XCTAssertEqual(sampled.out.split(separator: "\n", omittingEmptySubsequences: false).count, 4, sampled.out)
        let walked = try muse(["interpolate", "--bundle", "run", "床前明月光，疑是地上霜。", "舉頭望明月，低頭思故鄉。", "--steps", "5"])
        XCTAssertEqual(walked.status, 0, walked.err)
        XCTAssertEqual(walked.out.split(separator: "\n", omittingEmptySubsequences: false).count, 6, walked.out)
        let unknown = try muse(["interpolate", "--bundle", "run", "ROMEO", "床前", "--steps", "3"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.err.contains("is not in the vocabulary"), unknown.err)
        let scored = try muse(["evaluate", "text-vae", "--bundle", "run", text, "--json"])
        XCTAssertEqual(scored.status, 0, scored.err)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(scored.out.utf8)) as? [String: Any])
        XCTAssertEqual(report["lines"] as? Int, 60)
        XCTAssertEqual(report["tokens"] as? Int, Self.poem.unicodeScalars.count)  // each line's characters and its end
        let rec = try XCTUnwrap(report["reconstructionNatsPerLine"] as? Double), kl = try XCTUnwrap(report["klNatsPerLine"] as? Double)
        XCTAssertEqual(try XCTUnwrap(report["elboNatsPerLine"] as? Double), -(rec + kl), accuracy: 1e-9)
        XCTAssertNotNil(report["unigramBitsPerCharacter"] as? Double)
    }

    func testVerseLengthsOfTheCorpusAndOfGeneratedPoems() throws {
        let text = try write(Array(Self.poem.utf8), "poems.txt")
        let verses = try muse(["text", "verses", text])
        XCTAssertEqual(verses.status, 0, verses.err)
        XCTAssertEqual(verses.out, "120 verses, 120 of 5 or 7 characters (100.0%); by length: 5: 120\n")
        _ = try trainTiny("char-rnn", ["--rnn-size", "8", "--num-layers", "1", "--seq-length", "8", "--batch-size", "2"])
        let generated = try muse(["generate", "char-rnn", "--bundle", "run", "--start", "床", "--max-new-tokens", "40", "--num-samples", "2", "--line-lengths"])
        XCTAssertEqual(generated.status, 0, generated.err)
        XCTAssertTrue(generated.out.contains("verse lengths of the generated text: "), generated.out)
    }
}
