import XCTest
import MuseMIDI
@testable import MuseEncoding

/// Every Bach chorale of `corpora/bach` (built at set-up by scripts/build_corpora.sh) encodes to
/// note_seq's indices. The chorales' encodings may not be committed, so the fixture holds 64-bit
/// FNV-1a digests of the MIDI bytes and of note_seq's indices; a chorale whose bytes differ from
/// the ones the fixture was made from is skipped and counted.
final class PerformanceCorpusTests: XCTestCase {
    struct Fixture: Decodable { let chorales: [Chorale] }
    struct Chorale: Decodable { let file: String; let midi_fnv1a64: String; let performance: Digest; let piano: Digest }
    struct Digest: Decodable { let count: Int; let fnv1a64: String }

    static func fnv1a64<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    func testDigestIsFNV1a() {
        XCTAssertEqual(Self.fnv1a64([UInt8]()), "cbf29ce484222325")
        XCTAssertEqual(Self.fnv1a64(Array("a".utf8)), "af63dc4c8601ec8c")
    }

    func testBachChoralesEncodeToNoteSeqsIndices() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../corpora/bach").standardized
        guard FileManager.default.fileExists(atPath: corpus.appendingPathComponent(".complete").path) else {
            throw XCTSkip("corpora/bach is not built (scripts/build_corpora.sh bach)")
        }
        let fixture: Fixture = PerformanceFixtures.load("bach_hashes.json")
        XCTAssertGreaterThan(fixture.chorales.count, 400)
        var compared = 0, differentBytes: [String] = []
        for chorale in fixture.chorales {
            let url = corpus.appendingPathComponent(chorale.file)
            guard let bytes = try? Data(contentsOf: url), Self.fnv1a64(bytes) == chorale.midi_fnv1a64 else {
                differentBytes.append(chorale.file)
                continue
            }
            let sequence = try NoteSequence(contentsOfMIDIFile: url.path)
            for (pipeline, expected) in [(PerformancePipeline(), chorale.performance), (PerformancePipeline.piano, chorale.piano)] {
                let indices = try pipeline.classIndices(of: sequence)
                XCTAssertEqual(indices.count, expected.count, chorale.file)
                XCTAssertEqual(Self.fnv1a64(Array(indices.map(String.init).joined(separator: ",").utf8)), expected.fnv1a64, chorale.file)
            }
            compared += 1
        }
        if compared == 0 { throw XCTSkip("no chorale in corpora/bach has the bytes the fixture was made from") }
        XCTAssertLessThan(differentBytes.count, fixture.chorales.count / 10,
                          "chorales whose MIDI differs from the fixture's (rebuild fixtures?): \(differentBytes.prefix(5))")
    }
}
