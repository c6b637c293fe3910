import XCTest
import MuseMIDI
@testable import MuseEncoding

/// MusicVAE's 2-bar melody windows against Magenta's `OneHotMelodyConverter` with the
/// `cat-mel_2bar` settings (`scripts/make_encoding_fixtures.py`), from unquantized sequences in
/// seconds, so this also exercises splitting at tempo changes and note_seq's quantization.
final class MelodyWindowConverterTests: XCTestCase {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let name: String
        let notes: [Note]
        let tempos: [[Double]]
        let time_signature: [Int]
        let windows: [[Int]]
    }
    struct Note: Decodable { let pitch, velocity, program, instrument: Int; let start, end: Double; let is_drum: Bool }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("musicvae_windows.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    func testWindowsMatchMagentaExactly() throws {
        let converter = MelodyWindowConverter()
        var total = 0
        for c in Self.fixture.cases {
            let sequence = NoteSequence(
                notes: c.notes.map { .init(pitch: $0.pitch, velocity: $0.velocity, startTime: $0.start, endTime: $0.end,
                                           program: $0.program, isDrum: $0.is_drum, instrument: $0.instrument) },
                tempos: c.tempos.map { .init(time: $0[0], qpm: $0[1]) },
                timeSignatures: [.init(time: 0, numerator: c.time_signature[0], denominator: c.time_signature[1])])
            let windows = converter.windows(from: sequence)
            let missing = Set(c.windows).subtracting(windows), extra = Set(windows).subtracting(c.windows)
            XCTAssertTrue(missing.isEmpty && extra.isEmpty,
                          "\(c.name): \(missing.count) of Magenta's windows missing (e.g. \(missing.first ?? [])), \(extra.count) extra (e.g. \(extra.first ?? []))")
            XCTAssertEqual(windows, c.windows.sorted { $0.lexicographicallyPrecedes($1) }, c.name)
            total += windows.count
            for window in windows { XCTAssertEqual(window.count, 32) }
        }
        XCTAssertGreaterThan(total, 100, "the fixture exercises many windows")
    }

    func testNinetyClassesAsCatMel2bar() throws {
        let oneHot = try MelodyWindowConverter().oneHot()
        XCTAssertEqual(oneHot.classCount, 90)
        XCTAssertEqual(try oneHot.encode(event: 21), 2)
        XCTAssertEqual(try oneHot.encode(event: 108), 89)
    }

    func testWindowRoundTripsThroughNotes() throws {
        let converter = MelodyWindowConverter()
        let window = [60, -2, -2, -2, 62, -2, -1, -2, 64, -2, -2, -2, -2, -2, -2, -2] + Array(repeating: -2, count: 16)
        let sequence = try converter.sequence(fromEvents: window)
        XCTAssertEqual(sequence.notes.map(\.pitch), [60, 62, 64])
        XCTAssertEqual(sequence.notes.map(\.endTime), [0.5, 0.75, 4.0])
        XCTAssertEqual(sequence.notes.map(\.velocity), [80, 80, 80])
        XCTAssertEqual(converter.windows(from: sequence), [window], "a lone 2-bar melody is one window, padded to its bars")
    }
}
