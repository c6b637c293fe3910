import Foundation
import XCTest
@testable import MuseText

/// Tokenizers on the corpora `scripts/build_corpora.sh text` builds (skipped when they are not built).
final class BuiltCorpusTests: XCTestCase {
    private func corpus(_ name: String) throws -> TextCorpus {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../corpora/\(name)").standardized.path
        guard TextFiles.isDirectory(path) else { throw XCTSkip("corpora/\(name) is not built (scripts/build_corpora.sh \(name))") }
        return try TextCorpus(contentsOf: path)
    }

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func testShakespeareBPERoundTripsTheWholeCorpus() throws {
        let shakespeare = try corpus("shakespeare")
        var tokenizer = try BPETokenizer(merges: [])
        let trainSeconds = try seconds { tokenizer = try BPETokenizer(training: shakespeare.bytes, vocabularySize: 2000) }
        XCTAssertEqual(tokenizer.vocabularySize, 2000)
        var ids: [Int32] = []
        let encodeSeconds = try seconds { ids = try tokenizer.encode(utf8: shakespeare.bytes, file: nil) }
        XCTAssertEqual(try tokenizer.decodeBytes(ids), shakespeare.bytes)
        // The most frequent pair of English text with its leading spaces: " t", "he" or "e " kin.
        XCTAssertTrue(tokenizer.tokenBytes[256].count == 2)
        print("shakespeare: \(shakespeare.bytes.count) bytes, BPE 2000 trained in \(String(format: "%.2f", trainSeconds)) s,"
              + " encoded in \(String(format: "%.2f", encodeSeconds)) s to \(ids.count) tokens"
              + " (\(String(format: "%.2f", Double(shakespeare.bytes.count) / Double(ids.count))) bytes per token)")
    }

    func testTangPoemsCharactersRoundTrip() throws {
        let poems = try corpus("tang300")
        let tokenizer = try CharacterTokenizer(training: poems.text)
        let encoded = try poems.encode(with: tokenizer)
        XCTAssertEqual(encoded.train.count + encoded.validation.count, poems.scalarCount)
        XCTAssertEqual(try tokenizer.decode(encoded.train + encoded.validation), poems.text)
        XCTAssertTrue(tokenizer.scalars.contains("月"))
        print("tang300: \(poems.scalarCount) characters, vocabulary of \(tokenizer.vocabularySize)")
    }

    func testTangPoemVersesAreMostlyFiveOrSevenCharacters() throws {
        let report = VerseLengths(measuring: try corpus("tang300").text)
        // 3,252 verses, 1,738 of 7 and 1,354 of 5 characters (counted the same way in Python).
        XCTAssertEqual(report.verses, 3252)
        XCTAssertEqual(report.histogram[7], 1738)
        XCTAssertEqual(report.histogram[5], 1354)
        XCTAssertEqual(report.share, 3092.0 / 3252.0, accuracy: 1e-12)
    }
}
