import Foundation
import XCTest
@testable import MuseText

final class TokenizerFileTests: XCTestCase {
    func testCharacterVocabularySavesAndLoads() throws {
        let folder = try scratchDirectory(self)
        let path = folder.appendingPathComponent("vocab.json").path
        let tokenizer = try CharacterTokenizer(training: mixedScripts.joined())
        try tokenizer.save(to: path)
        let loaded = try XCTUnwrap(try TokenizerFile.load(path) as? CharacterTokenizer)
        XCTAssertEqual(loaded, tokenizer)
        XCTAssertEqual(try loaded.encode(mixedScripts[1]), try tokenizer.encode(mixedScripts[1]))
    }

    func testCharacterVocabularyJSONListsCharactersInIdOrder() throws {
        let json = String(decoding: try CharacterTokenizer(training: "b明a\n").jsonData(), as: UTF8.self)
        XCTAssertEqual(json, #"{"characters":["\n","a","b","明"],"kind":"char","version":1}"#)
    }

    func testBPESavesAndLoads() throws {
        let folder = try scratchDirectory(self)
        let path = folder.appendingPathComponent("vocab.json").path
        let tokenizer = try BPETokenizer(training: mixedScripts.joined(), vocabularySize: 320)
        try tokenizer.save(to: path)
        let loaded = try XCTUnwrap(try TokenizerFile.load(path) as? BPETokenizer)
        XCTAssertEqual(loaded, tokenizer)
        XCTAssertEqual(loaded.kind, .bpe)
        for text in mixedScripts { XCTAssertEqual(try loaded.encode(text), try tokenizer.encode(text)) }
    }

    func testBPEJSONHoldsMergesAsPairs() throws {
        let json = String(decoding: try BPETokenizer(merges: [(97, 98), (256, 99)]).jsonData(), as: UTF8.self)
        XCTAssertEqual(json, #"{"kind":"bpe","merges":[[97,98],[256,99]],"pattern":"gpt2","version":1}"#)
    }

    private func loadError(_ json: String) -> TextError? {
        do { _ = try TokenizerFile.decode(Data(json.utf8), file: "vocab.json"); return nil } catch { return error as? TextError }
    }

    func testUnknownKindIsRejected() {
        XCTAssertEqual(loadError(#"{"kind":"wordpiece","version":1}"#),
                       .badVocabulary(file: "vocab.json", field: "kind", problem: "unknown kind \"wordpiece\" (known: char, bpe)"))
    }

    func testOtherVersionIsRejected() {
        XCTAssertEqual(loadError(#"{"kind":"char","version":2,"characters":["a"]}"#),
                       .badVocabulary(file: "vocab.json", field: "version", problem: "version 2 is not the supported 1"))
    }

    func testMissingFieldIsNamed() {
        XCTAssertEqual(loadError(#"{"kind":"bpe","version":1,"pattern":"gpt2"}"#),
                       .badVocabulary(file: "vocab.json", field: "merges", problem: "missing"))
    }

    func testWrongTypeIsNamedWithItsPath() {
        guard case let .badVocabulary(_, field, _)? = loadError(#"{"kind":"bpe","version":1,"pattern":"gpt2","merges":[[97,"b"]]}"#) else {
            return XCTFail("expected badVocabulary")
        }
        XCTAssertEqual(field, "merges[0][1]")
    }

    func testNotJSONIsRejected() {
        XCTAssertEqual(loadError("not json"), .badVocabulary(file: "vocab.json", field: "(top level)", problem: "not valid JSON"))
    }

    func testCharacterEntryOfTwoScalarsIsRejected() {
        XCTAssertEqual(loadError(#"{"kind":"char","version":1,"characters":["a","e\u0301"]}"#),
                       .badVocabulary(file: "vocab.json", field: "characters[1]", problem: "holds 2 Unicode scalars, not 1"))
    }

    func testDuplicateCharacterIsRejected() {
        XCTAssertEqual(loadError(#"{"kind":"char","version":1,"characters":["a","b","a"]}"#),
                       .badVocabulary(file: "vocab.json", field: "characters[2]", problem: "U+61 appears twice"))
    }

    func testEmptyCharacterListIsRejected() {
        guard case let .badVocabulary(_, field, _)? = loadError(#"{"kind":"char","version":1,"characters":[]}"#) else {
            return XCTFail("expected badVocabulary")
        }
        XCTAssertEqual(field, "characters")
    }

    func testMergeOfThreeIdsIsRejected() {
        XCTAssertEqual(loadError(#"{"kind":"bpe","version":1,"pattern":"gpt2","merges":[[97,98,99]]}"#),
                       .badVocabulary(file: "vocab.json", field: "merges[0]", problem: "holds 3 ids, not 2"))
    }

    func testForwardReferencingMergeIsRejected() {
        guard case let .badVocabulary(_, field, _)? = loadError(#"{"kind":"bpe","version":1,"pattern":"gpt2","merges":[[97,256]]}"#) else {
            return XCTFail("expected badVocabulary")
        }
        XCTAssertEqual(field, "merges[0]")
    }

    func testUnknownPatternIsRejected() {
        guard case let .badVocabulary(_, field, _)? = loadError(#"{"kind":"bpe","version":1,"pattern":"cl100k","merges":[]}"#) else {
            return XCTFail("expected badVocabulary")
        }
        XCTAssertEqual(field, "pattern")
    }

    func testEmptyAndMissingFilesAreRejected() throws {
        let folder = try scratchDirectory(self)
        let empty = folder.appendingPathComponent("empty.json").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        XCTAssertThrowsError(try TokenizerFile.load(empty)) { XCTAssertEqual($0 as? TextError, .emptyInput(file: empty)) }
        let missing = folder.appendingPathComponent("missing.json").path
        XCTAssertThrowsError(try TokenizerFile.load(missing)) { XCTAssertEqual($0 as? TextError, .cannotRead(file: missing, reason: "no such file")) }
    }
}
