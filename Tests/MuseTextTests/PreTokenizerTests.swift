import XCTest
@testable import MuseText

final class PreTokenizerTests: XCTestCase {
    func testChunksMatchGPT2PatternThroughPythonRegex() throws {
        let splitter = PreTokenizer()
        for item in try TextFixtures.load().chunks {
            XCTAssertEqual(splitter.chunks(of: item.text), item.chunks, item.text.debugDescription)
        }
    }

    func testChunksTileTheText() {
        let splitter = PreTokenizer()
        for text in mixedScripts {
            XCTAssertEqual(splitter.chunks(of: text).joined(), text)
        }
    }

    func testClassesFollowUnicodeCategories() {
        XCTAssertEqual(PreTokenizer.classify("a"), .letter)
        XCTAssertEqual(PreTokenizer.classify("明"), .letter)
        XCTAssertEqual(PreTokenizer.classify("7"), .number)
        XCTAssertEqual(PreTokenizer.classify("²"), .number)
        XCTAssertEqual(PreTokenizer.classify("\u{3000}"), .whitespace)
        XCTAssertEqual(PreTokenizer.classify("\u{1C}"), .other)  // not White_Space, though Python's isspace() says so
        XCTAssertEqual(PreTokenizer.classify("\u{301}"), .other)
        XCTAssertEqual(PreTokenizer.classify("，"), .other)
    }
}
