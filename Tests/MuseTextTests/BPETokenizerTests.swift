import XCTest
import MuseCore
@testable import MuseText

final class BPETokenizerTests: XCTestCase {
    /// "aaabdaaabac" is one chunk. Counts: aa 4, ab 2 → aa = 256. Then "Z a b d Z a b a c": (256,97)
    /// and (97,98) both 2, the tie goes to the lower left id → ab = 257. Then (256,257) 2 → 258.
    func testMostFrequentPairIsMergedFirstWithTiesToTheLowerPair() throws {
        let tokenizer = try BPETokenizer(training: "aaabdaaabac", vocabularySize: 259)
        XCTAssertEqual(tokenizer.merges.map { [$0.0, $0.1] }, [[97, 97], [97, 98], [256, 257]])
        XCTAssertEqual(try tokenizer.encode("aaabdaaabac"), [258, 100, 258, 97, 99])
        XCTAssertEqual(tokenizer.tokenBytes[258], Array("aaab".utf8))
    }

    func testPairsAreCountedWithinChunksOnly() throws {
        // Chunks "a", " b", " a", " b": " b" twice; "a " never exists as a pair.
        let tokenizer = try BPETokenizer(training: "a b a b", vocabularySize: 257)
        XCTAssertEqual(tokenizer.merges.map { [$0.0, $0.1] }, [[32, 98]])
    }

    func testTrainingStopsWhenNoPairIsLeft() throws {
        let tokenizer = try BPETokenizer(training: "ab ab", vocabularySize: 1000)
        // "ab" then " ab": ab → 256, then (32, 256) → 257, then nothing has two tokens.
        XCTAssertEqual(tokenizer.vocabularySize, 258)
    }

    func testMergesMatchPlainRecountingTrainer() throws {
        let fixture = try TextFixtures.load().bpe
        let tokenizer = try BPETokenizer(training: fixture.train, vocabularySize: fixture.vocab_size)
        XCTAssertEqual(tokenizer.merges.map { [$0.0, $0.1] }, fixture.merges)
    }

    func testEncodingMatchesPlainRescanningEncoder() throws {
        let fixture = try TextFixtures.load().bpe
        let tokenizer = try BPETokenizer(merges: fixture.merges.map { ($0[0], $0[1]) })
        for item in fixture.encodings {
            XCTAssertEqual(try tokenizer.encode(item.text), item.ids, item.text)
        }
    }

    func testMixedScriptsRoundTrip() throws {
        let tokenizer = try BPETokenizer(training: mixedScripts.joined(separator: "\n"), vocabularySize: 400)
        XCTAssertGreaterThan(tokenizer.vocabularySize, 300)
        for text in mixedScripts {
            let ids = try tokenizer.encode(text)
            XCTAssertLessThan(ids.count, text.utf8.count, text)
            XCTAssertEqual(try tokenizer.decode(ids), text)
            XCTAssertEqual(try tokenizer.encode(utf8: Array(text.utf8), file: nil), ids)
        }
    }

    func testRandomScalarsRoundTrip() throws {
        var random = SplitMix64(seed: 7)
        let pool: [Unicode.Scalar] = ["a", "b", " ", "\n", "'", "s", "明", "月", "\u{301}", "👍", "🏽", "1", "。", "\u{3000}"]
        let tokenizer = try BPETokenizer(training: mixedScripts.joined(), vocabularySize: 350)
        for _ in 0..<200 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int(random.next() % 40) { text.append(pool[Int(random.next() % UInt64(pool.count))]) }
            let string = String(text)
            XCTAssertEqual(try tokenizer.decode(tokenizer.encode(string)), string)
        }
    }

    func testLongChunkEncodesQuickly() throws {
        // One 400 kB chunk (letters, no spaces): the heap keeps this O(n log n).
        let tokenizer = try BPETokenizer(training: "abababab cdcdcd abcd", vocabularySize: 270)
        let text = String(repeating: "abcd", count: 100_000)
        let ids = try tokenizer.encode(text)
        XCTAssertEqual(try tokenizer.decode(ids), text)
        XCTAssertLessThanOrEqual(ids.count, text.utf8.count / 2)  // at least "ab" and "cd" merged
    }

    func testVocabularyOf256IsPlainBytes() throws {
        let tokenizer = try BPETokenizer(training: "anything at all", vocabularySize: 256)
        XCTAssertEqual(try tokenizer.encode("明a"), [0xE6, 0x98, 0x8E, 0x61])
    }

    func testVocabularySizeBelow256IsRejected() {
        XCTAssertThrowsError(try BPETokenizer(training: "abc", vocabularySize: 255)) { error in
            guard case TextError.badParameter(name: "vocabSize", value: "255", problem: _) = error else { return XCTFail("\(error)") }
        }
    }

    func testEmptyTrainingTextIsRejectedAndEmptyTextEncodes() throws {
        XCTAssertThrowsError(try BPETokenizer(training: "", vocabularySize: 300)) { XCTAssertEqual($0 as? TextError, .emptyInput(file: nil)) }
        let tokenizer = try BPETokenizer(training: "abc", vocabularySize: 300)
        XCTAssertEqual(try tokenizer.encode(""), [])
        XCTAssertEqual(try tokenizer.decode([]), "")
    }

    func testInvalidUTF8IsRejectedWithItsByteOffset() throws {
        let tokenizer = try BPETokenizer(training: "abc", vocabularySize: 258)
        XCTAssertThrowsError(try tokenizer.encode(utf8: Array("日本".utf8) + [0xFF], file: "x.txt")) { error in
            XCTAssertEqual(error as? TextError, .invalidUTF8(file: "x.txt", offset: 6, byte: 0xFF, problem: "invalid start byte"))
        }
        XCTAssertThrowsError(try BPETokenizer(training: [0x61, 0xED, 0xA0, 0x80], vocabularySize: 300, file: "t.txt")) { error in
            XCTAssertEqual(error as? TextError, .invalidUTF8(file: "t.txt", offset: 1, byte: 0xED, problem: "invalid continuation byte"))
        }
    }

    func testPartialCharacterDecodesStrictlyAsErrorAndLossilyAsReplacement() throws {
        let tokenizer = try BPETokenizer(training: "abc", vocabularySize: 256)
        let ids = try tokenizer.encode("明")  // three byte tokens
        XCTAssertThrowsError(try tokenizer.decode(Array(ids.prefix(2)))) { error in
            XCTAssertEqual(error as? TextError, .invalidUTF8(file: nil, offset: 0, byte: 0xE6, problem: "unexpected end of data"))
        }
        XCTAssertEqual(try tokenizer.decode(Array(ids.prefix(2)) + [0x61], lossy: true), "\u{FFFD}a")
    }

    func testLossyDecodingMatchesPythonsReplace() throws {
        let tokenizer = try BPETokenizer(merges: [])
        for item in try TextFixtures.load().utf8 {
            XCTAssertEqual(try tokenizer.decode(item.bytes.map { Int32($0) }, lossy: true), item.replaced, item.hex)
        }
    }

    func testMergeNamingALaterTokenIsRejected() {
        XCTAssertThrowsError(try BPETokenizer(merges: [(97, 98), (256, 257)])) { error in
            guard case TextError.badParameter(name: "merges[1]", value: "[256, 257]", problem: _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try BPETokenizer(merges: [(97, 98), (97, 98)])) { error in
            guard case TextError.badParameter(name: "merges[1]", value: _, problem: "repeats an earlier merge") = error else { return XCTFail("\(error)") }
        }
    }

    func testIdOutsideVocabularyThrowsOnDecode() throws {
        let tokenizer = try BPETokenizer(merges: [(97, 98)])
        XCTAssertThrowsError(try tokenizer.decode([256, 257])) { XCTAssertEqual($0 as? TextError, .tokenOutOfRange(position: 1, id: 257, vocabularySize: 257)) }
    }
}
