import XCTest
@testable import MuseText

final class CharacterTokenizerTests: XCTestCase {
    func testVocabularyIsTheTextsScalarsSortedByCodePoint() throws {
        let tokenizer = try CharacterTokenizer(training: "hello, 世界")
        XCTAssertEqual(tokenizer.scalars.map { String($0) }, [" ", ",", "e", "h", "l", "o", "世", "界"])
        XCTAssertEqual(tokenizer.vocabularySize, 8)
        XCTAssertEqual(try tokenizer.encode("hello"), [3, 2, 4, 4, 5])
    }

    func testMixedScriptsRoundTrip() throws {
        let tokenizer = try CharacterTokenizer(training: mixedScripts.joined())
        for text in mixedScripts {
            let ids = try tokenizer.encode(text)
            XCTAssertEqual(ids.count, text.unicodeScalars.count)
            XCTAssertEqual(try tokenizer.decode(ids), text)
            XCTAssertEqual(try tokenizer.encode(utf8: Array(text.utf8), file: nil), ids)
        }
    }

    func testCombiningMarkIsItsOwnToken() throws {
        let tokenizer = try CharacterTokenizer(training: "e\u{301}")
        XCTAssertEqual(tokenizer.vocabularySize, 2)
        XCTAssertEqual(try tokenizer.encode("e\u{301}e"), [0, 1, 0])
    }

    func testEmptyTextEncodesToNoIdsAndDecodesBack() throws {
        let tokenizer = try CharacterTokenizer(training: "abc")
        XCTAssertEqual(try tokenizer.encode(""), [])
        XCTAssertEqual(try tokenizer.encode(utf8: [], file: nil), [])
        XCTAssertEqual(try tokenizer.decode([]), "")
    }

    func testTrainingOnEmptyTextThrows() {
        XCTAssertThrowsError(try CharacterTokenizer(training: "")) { XCTAssertEqual($0 as? TextError, .emptyInput(file: nil)) }
    }

    func testUnknownCharacterThrowsWithItsByteOffset() throws {
        let tokenizer = try CharacterTokenizer(training: "ab明")
        XCTAssertThrowsError(try tokenizer.encode("明ab月", file: "x.txt")) { error in
            XCTAssertEqual(error as? TextError, .unknownCharacter(file: "x.txt", offset: 5, scalar: 0x6708))
            XCTAssertEqual("\(error)", "x.txt: offset 5: character U+6708 \"月\" is not in the vocabulary")
        }
        XCTAssertThrowsError(try tokenizer.encode(utf8: Array("明ab月".utf8), file: nil)) { error in
            XCTAssertEqual(error as? TextError, .unknownCharacter(file: nil, offset: 5, scalar: 0x6708))
        }
    }

    func testInvalidUTF8IsRejectedWithItsByteOffset() throws {
        let tokenizer = try CharacterTokenizer(training: "abc")
        XCTAssertThrowsError(try tokenizer.encode(utf8: [0x61, 0x62, 0xC3, 0x28], file: "in.txt")) { error in
            XCTAssertEqual(error as? TextError, .invalidUTF8(file: "in.txt", offset: 2, byte: 0xC3, problem: "invalid continuation byte"))
        }
    }

    func testIdOutsideVocabularyThrowsOnDecode() throws {
        let tokenizer = try CharacterTokenizer(training: "abc")
        XCTAssertThrowsError(try tokenizer.decode([0, 3])) { XCTAssertEqual($0 as? TextError, .tokenOutOfRange(position: 1, id: 3, vocabularySize: 3)) }
        XCTAssertThrowsError(try tokenizer.decode([-1])) { XCTAssertEqual($0 as? TextError, .tokenOutOfRange(position: 0, id: -1, vocabularySize: 3)) }
    }

    func testDuplicateScalarIsRejected() {
        XCTAssertThrowsError(try CharacterTokenizer(scalars: ["a", "b", "a"])) { error in
            guard case let TextError.badParameter(name, _, problem) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "scalars[2]")
            XCTAssertEqual(problem, "appears twice")
        }
    }
}
