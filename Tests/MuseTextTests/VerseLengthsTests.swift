import Foundation
import MuseCore
@testable import MuseText
import XCTest

/// Verse lengths of Chinese poems, and samples of a model trained on poems as text.
final class VerseLengthsTests: XCTestCase {
    let poem = """
        《感遇・其一》
        作者：张九龄
        兰叶春葳蕤，桂华秋皎洁。
        欣欣此生意，自尔为佳节。

        《黄鹤楼》
        作者：崔颢
        昔人已乘黄鹤去，此地空余黄鹤楼。
        黄鹤一去不复返？白云千载空悠悠！
        """

    func testFiveAndSevenCharacterVersesAreCountedAndTitlesAndAuthorsSkipped() {
        let report = VerseLengths(measuring: poem)
        XCTAssertEqual(report.verses, 8)
        XCTAssertEqual(report.fiveOrSeven, 8)
        XCTAssertEqual(report.histogram, [5: 4, 7: 4])
        XCTAssertEqual(report.share, 1)
    }

    func testOtherLengthsAndNonHanTextCountAgainstTheShare() {
        let report = VerseLengths(measuring: "春眠不觉晓处处闻啼鸟，夜来风雨声。\nabc, 花落。\n")
        XCTAssertEqual(report.histogram, [10: 1, 5: 1, 2: 1])
        XCTAssertEqual(report.share, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(VerseLengths(measuring: "no poem here").verses, 0)
        XCTAssertEqual(VerseLengths(measuring: "").share, 0)
    }

    func testCountsAddUp() {
        let a = VerseLengths(measuring: "兰叶春葳蕤，桂华秋皎洁。"), b = VerseLengths(measuring: "花落知多少，夜来风雨声中。")
        let sum = a + b
        XCTAssertEqual(sum.verses, 4)
        XCTAssertEqual(sum.fiveOrSeven, 3)
        XCTAssertEqual(sum.histogram, [5: 3, 6: 1])
    }

    func testSamplesOfACharRNNTrainedOnPoemsAreValidUTF8() throws {
        let text = String(repeating: poem + "\n\n", count: 3)
        let tokenizer = try CharacterTokenizer(training: text)
        let model = try CharRNN(config: CharRNNConfig(vocabSize: tokenizer.vocabularySize, hiddenSize: 16, numLayers: 1), seed: 3)
        var rng = SplitMix64(seed: 5)
        let prompt = try tokenizer.encode("\n").map(Int.init)
        for tokens in try model.generate(prompt: prompt, samples: 8, maxNewTokens: 200, temperature: 1.5, topK: nil, using: &rng) {
            let bytes = try tokenizer.decodeBytes(tokens.map(Int32.init))
            XCTAssertNoThrow(try UTF8Text.validate(bytes, file: nil))
            XCTAssertEqual(try tokenizer.decode(tokens.map(Int32.init)).unicodeScalars.count, 200)
        }
    }
}
