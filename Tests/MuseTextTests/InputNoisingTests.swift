import Foundation
import MuseCore
@testable import MuseText
import MuseTraining
import XCTest

/// Unigram noising of the inputs: γ(x) is the paper's γ₀ · N₁₊(x, •) / c(x) counted by hand, the
/// share replaced is γ (binomial bounds), the replacements follow the training text's frequencies,
/// data-parallel ranks noise their rows as one process would, and γ₀ = 0 changes nothing (not
/// even the generator, so runs without noising are as before).
final class InputNoisingTests: XCTestCase {
    /// A pool of 90% token 7 and 10% token 3.
    static let pool: [Int32] = Array(repeating: 7, count: 90) + Array(repeating: 3, count: 10)

    func testReplacesTheShareGammaWithTokensAsFrequentAsInTheText() throws {
        let noising = try InputNoising(probability: 0.25, scaling: .constant, pool: Self.pool, vocabularySize: 10)
        let batch = 40, length = 500
        var x = [Int](repeating: 1, count: batch * length)
        var rng = SplitMix64(seed: 9)
        noising.apply(to: &x, rows: 0..<batch, batchSize: batch, length: length, using: &rng)
        let sevens = x.filter { $0 == 7 }.count, threes = x.filter { $0 == 3 }.count
        XCTAssertEqual(sevens + threes + x.filter { $0 == 1 }.count, x.count, "only pool tokens come in")
        // 20,000 positions at γ 0.25: mean 5,000, standard deviation 61; 5 σ either side.
        XCTAssertEqual(Double(sevens + threes), 5000, accuracy: 5 * 61.3)
        // Of the replacements, 10% threes: standard deviation 21 at 5,000; 5 σ.
        XCTAssertEqual(Double(threes), 0.1 * Double(sevens + threes), accuracy: 5 * 21.3)
    }

    /// γ(x) = γ₀ · distinct followers / occurrences: in "0 1 0 1 0 1 0 2 3 4 3 5", 0 occurs 4 times
    /// followed by 1 and 2 (γ₀/2), 1 three times always by 0 (γ₀/3), 2 and 4 once (γ₀), 3 twice by
    /// 4 and 5 (γ₀), and the last token, 5, once with no follower (0); 6 never occurs (0).
    func testPerTokenChanceIsDistinctFollowersOverOccurrences() throws {
        let pool: [Int32] = [0, 1, 0, 1, 0, 1, 0, 2, 3, 4, 3, 5]
        let noising = try InputNoising(probability: 0.6, pool: pool, vocabularySize: 7)
        let expected = [0.6 / 2, 0.6 / 3, 0.6, 0.6, 0.6, 0, 0]
        for (x, gamma) in expected.enumerated() { XCTAssertEqual(noising.probability(of: x), gamma, accuracy: 1e-12, "token \(x)") }
        XCTAssertEqual(noising.meanProbability, (4 * 0.3 + 3 * 0.2 + 0.6 + 2 * 0.6 + 0.6) / 12, accuracy: 1e-12)
        let constant = try InputNoising(probability: 0.6, scaling: .constant, pool: pool, vocabularySize: 7)
        XCTAssertEqual(constant.probability(of: 5), 0.6, accuracy: 1e-12)
        // Only the noisable token is replaced: 1 (γ 0.2) sometimes, 5 (γ 0) never.
        var x = [Int](repeating: 1, count: 5000) + [Int](repeating: 5, count: 5000)
        var rng = SplitMix64(seed: 2)
        noising.apply(to: &x, rows: 0..<2, batchSize: 2, length: 5000, using: &rng)
        XCTAssertEqual(Array(x[5000...]), [Int](repeating: 5, count: 5000))
        // Changed: replaced (0.2) by something other than 1 (9/12), p 0.15, standard deviation 25.2; 5 σ.
        let changed: Int = x[..<5000].filter { $0 != 1 }.count
        let expectedChanged: Double = 5000 * 0.2 * 9 / 12
        XCTAssertEqual(Double(changed), expectedChanged, accuracy: 5 * 25.2)
    }

    func testRanksHoldingRowsNoiseAsOneProcess() throws {
        let noising = try InputNoising(probability: 0.3, pool: (0..<50).map { Int32($0 % 7) }, vocabularySize: 200)
        let batch = 6, length = 9
        let clean = (0..<(batch * length)).map { $0 % 7 }
        var whole = clean
        var rng = SplitMix64(seed: 4)
        noising.apply(to: &whole, rows: 0..<batch, batchSize: batch, length: length, using: &rng)
        XCTAssertNotEqual(whole, clean)
        var parts: [Int] = []
        for rows in [0..<2, 2..<5, 5..<6] {
            var x = Array(clean[(rows.lowerBound * length)..<(rows.upperBound * length)])
            var rankRNG = SplitMix64(seed: 4)
            noising.apply(to: &x, rows: rows, batchSize: batch, length: length, using: &rankRNG)
            XCTAssertEqual(rankRNG.state, rng.state, "every rank draws the whole batch's choices")
            parts += x
        }
        XCTAssertEqual(parts, whole)
    }

    func testGammaZeroDrawsNothing() throws {
        var x = [1, 2, 3, 4]
        var rng = SplitMix64(seed: 1)
        InputNoising.none.apply(to: &x, rows: 0..<2, batchSize: 2, length: 2, using: &rng)
        XCTAssertEqual(x, [1, 2, 3, 4])
        XCTAssertEqual(rng.state, SplitMix64(seed: 1).state)
        XCTAssertEqual(InputNoising.none.meanProbability, 0)
    }

    func testGammaOutsideZeroToOneIsRefused() {
        for gamma in [-0.1, 1, 1.5, .nan] {
            XCTAssertThrowsError(try InputNoising(probability: gamma, pool: Self.pool, vocabularySize: 10), "γ \(gamma)")
        }
        XCTAssertThrowsError(try InputNoising(probability: 0.1, pool: [], vocabularySize: 10))
        XCTAssertThrowsError(try InputNoising(probability: 0.1, pool: [1, 10], vocabularySize: 10), "an id outside the vocabulary")
    }

    /// In char-rnn's training the inputs are noised and the targets are not; evaluation is clean.
    func testCharRNNNoisesTrainingInputsOnly() throws {
        let tokenizer = try CharacterTokenizer(training: "abcdefghij")
        let ids = (0..<400).map { Int32(($0 * 3) % 10) }
        let corpus = TokenizedCorpus(train: ids, validation: Array(ids.prefix(40)), vocabularySize: 10)
        func task(_ gamma: Double) throws -> CharRNNTrainingTask {
            try CharRNNTrainingTask(model: CharRNN(config: CharRNNConfig(vocabSize: 10, hiddenSize: 8, numLayers: 1), seed: 2),
                                    tokenizer: tokenizer, corpus: corpus, batchSize: 4, seqLength: 10,
                                    noising: InputNoising(probability: gamma, scaling: .constant, pool: corpus.train, vocabularySize: 10))
        }
        let clean = try task(0), noisy = try task(0.5)
        var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3)
        clean.willTrain(step: 0)
        noisy.willTrain(step: 0)
        XCTAssertNotEqual(try clean.trainingLoss(using: &a).item(), try noisy.trainingLoss(using: &b).item())
        XCTAssertEqual(a.state, SplitMix64(seed: 3).state, "no noising, no draws")
        XCTAssertEqual(try clean.evaluate()["val_loss"], try noisy.evaluate()["val_loss"])
    }

    /// The same in GPT's training: the batch's offsets come first, then the noise, from one generator.
    func testGPTNoisesTrainingInputsOnly() throws {
        let tokenizer = try CharacterTokenizer(training: "abcdefghij")
        let ids = (0..<400).map { Int32(($0 * 3) % 10) }
        let corpus = TokenizedCorpus(train: ids, validation: Array(ids.prefix(40)), vocabularySize: 10)
        func task(_ gamma: Double) throws -> GPTTrainingTask {
            let config = GPTConfig(vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0, bias: false)
            return try GPTTrainingTask(model: GPT(config: config, seed: 2), tokenizer: tokenizer, corpus: corpus, batchSize: 4, evalIters: 2,
                                       noising: InputNoising(probability: gamma, scaling: .constant, pool: corpus.train, vocabularySize: 10))
        }
        let clean = try task(0), noisy = try task(0.5)
        var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3)
        var offsetsOnly = SplitMix64(seed: 3)
        _ = clean.batch(from: clean.train, using: &offsetsOnly)
        XCTAssertNotEqual(try clean.trainingLoss(using: &a).item(), try noisy.trainingLoss(using: &b).item())
        XCTAssertEqual(a.state, offsetsOnly.state, "no noising, no draws beyond the offsets")
        XCTAssertNotEqual(b.state, offsetsOnly.state)
        XCTAssertEqual(try clean.evaluate()["val_loss"], try noisy.evaluate()["val_loss"])
    }
}
