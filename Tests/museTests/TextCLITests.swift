import Foundation
import XCTest

/// `muse text tokenize`: a tokenizer for a corpus, its counts, its saved vocabulary; bad text fails in one line.
final class TextCLITests: CLITestCase {
    func testCharacterTokenizerCountsEveryScalarAndSavesItsVocabulary() throws {
        let text = try write(Array("床前明月光，\n疑是地上霜。\n".utf8), "poem.txt")
        let result = try muse(["text", "tokenize", text, "--output", "vocab.json"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("vocabulary 13 tokens"), result.out)  // 10 hanzi, ，。 and \n
        XCTAssertTrue(result.out.contains("tokens: 14 (train 12, validation 2)"), result.out)
        let saved = try String(contentsOf: folder.appendingPathComponent("vocab.json"), encoding: .utf8)
        XCTAssertTrue(saved.hasPrefix(#"{"characters":["\n","#), saved)
    }

    func testBPEVocabularySizeIsHonoured() throws {
        let text = try write(Array(String(repeating: "the cat sat on the mat; the dog sat on the log.\n", count: 20).utf8), "cats.txt")
        let result = try muse(["text", "tokenize", text, "--tokenizer", "bpe", "--vocab-size", "270"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("tokenizer: bpe, vocabulary 270 tokens"), result.out)
    }

    func testInvalidUTF8FailsWithFileAndOffset() throws {
        let text = try write([0x61, 0x62, 0xC3, 0x28], "bad.txt")
        let result = try muse(["text", "tokenize", text])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.err, "muse: error: \(text): offset 2: invalid UTF-8: byte 0xC3: invalid continuation byte\n")
    }
}
