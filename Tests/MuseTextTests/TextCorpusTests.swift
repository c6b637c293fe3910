import Foundation
import XCTest
@testable import MuseText

final class TextCorpusTests: XCTestCase {
    private func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testFolderIsItsTextFilesInPathOrderJoinedByNewline() throws {
        let folder = try scratchDirectory(self)
        _ = try write("second\n", "b.txt", in: folder)
        _ = try write("first\n", "a.txt", in: folder)
        _ = try write("third", "c/d.txt", in: folder)
        _ = try write("ignored", "notes.md", in: folder)
        let corpus = try TextCorpus(contentsOf: folder.path)
        XCTAssertEqual(corpus.files.map { ($0 as NSString).lastPathComponent }, ["a.txt", "b.txt", "d.txt"])
        XCTAssertEqual(corpus.text, "first\n\nsecond\n\nthird")
    }

    func testSplitIsNinetyTenByScalarPositionAsNanoGPT() throws {
        // 13 scalars, 37 bytes: int(13 * 0.9) = 11 scalars train.
        let corpus = try TextCorpus(text: "床前明月光，疑是地上霜。\n")
        XCTAssertEqual(corpus.scalarCount, 13)
        let (train, validation) = try corpus.split()
        XCTAssertEqual(String(decoding: train, as: UTF8.self), "床前明月光，疑是地上霜")
        XCTAssertEqual(String(decoding: validation, as: UTF8.self), "。\n")
    }

    func testEncodeGivesEachPartsIds() throws {
        let text = String(repeating: "ROMEO:\nO, she doth teach the torches to burn bright!\n\n", count: 10)
        let corpus = try TextCorpus(text: text)
        let tokenizer = try CharacterTokenizer(training: text)
        let encoded = try corpus.encode(with: tokenizer)
        let cut = Int(Double(text.unicodeScalars.count) * 0.9)
        XCTAssertEqual(encoded.train.count, cut)
        XCTAssertEqual(encoded.train + encoded.validation, try tokenizer.encode(text))
        XCTAssertEqual(encoded.vocabularySize, tokenizer.vocabularySize)
        XCTAssertEqual(try encoded.uint16(encoded.train).map { Int32($0) }, encoded.train)
    }

    func testBadTrainFractionIsRejected() throws {
        let corpus = try TextCorpus(text: "abc")
        XCTAssertThrowsError(try corpus.split(trainFraction: 1.5)) { error in
            guard case TextError.badParameter(name: "trainFraction", value: _, problem: _) = error else { return XCTFail("\(error)") }
        }
    }

    func testInvalidUTF8NamesTheFileAndOffset() throws {
        let folder = try scratchDirectory(self)
        _ = try write("fine\n", "a.txt", in: folder)
        let bad = folder.appendingPathComponent("b.txt")
        try Data([0x68, 0x69, 0x0A, 0xC0, 0x80]).write(to: bad)
        XCTAssertThrowsError(try TextCorpus(contentsOf: folder.path)) { error in
            XCTAssertEqual(error as? TextError, .invalidUTF8(file: bad.path, offset: 3, byte: 0xC0, problem: "invalid start byte"))
        }
    }

    func testEmptyFileIsRejected() throws {
        let folder = try scratchDirectory(self)
        let path = try write("", "empty.txt", in: folder)
        XCTAssertThrowsError(try TextCorpus(contentsOf: path)) { XCTAssertEqual($0 as? TextError, .emptyInput(file: path)) }
        XCTAssertThrowsError(try TextCorpus(text: "")) { XCTAssertEqual($0 as? TextError, .emptyInput(file: nil)) }
    }

    func testFolderWithoutTextFilesIsRejected() throws {
        let folder = try scratchDirectory(self)
        _ = try write("x", "a.md", in: folder)
        XCTAssertThrowsError(try TextCorpus(contentsOf: folder.path)) { XCTAssertEqual($0 as? TextError, .noTextFiles(directory: folder.path)) }
    }

    func testMissingFileIsRejected() throws {
        let path = try scratchDirectory(self).appendingPathComponent("nothing.txt").path
        XCTAssertThrowsError(try TextCorpus(contentsOf: path)) { XCTAssertEqual($0 as? TextError, .cannotRead(file: path, reason: "no such file")) }
    }

    func testUInt16IsRefusedForVocabulariesPast65536() {
        let corpus = TokenizedCorpus(train: [1], validation: [], vocabularySize: 70_000)
        XCTAssertThrowsError(try corpus.uint16(corpus.train)) { XCTAssertEqual($0 as? TextError, .vocabularyTooLarge(vocabularySize: 70_000, limit: 65_536)) }
    }

    func testUnknownCharacterInValidationPartIsNamed() throws {
        let corpus = try TextCorpus(text: "aaaaaaaaab")
        let tokenizer = try CharacterTokenizer(training: "a")
        XCTAssertThrowsError(try corpus.encode(with: tokenizer)) { error in
            XCTAssertEqual(error as? TextError, .unknownCharacter(file: "text (validation part)", offset: 0, scalar: 0x62))
        }
    }
}
