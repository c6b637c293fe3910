import XCTest
import MuseMIDI
@testable import MuseEncoding

/// Melody extraction, squashing and both encoders against Magenta's own functions
/// (`scripts/make_encoding_fixtures.py`: note-seq 0.0.5, magenta 2.1.4). Everything here is
/// integer arithmetic on steps, so the expectations are exact.
final class MelodyPipelineTests: XCTestCase {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        let name: String
        let options: Options
        let steps_per_quarter: Int
        let time_signature: [Int]
        let notes: [QNote]
        let melodies: [ExpectedMelody]
        let stats: Stats
    }
    struct Options: Decodable {
        let min_bars: Int; let max_steps_truncate: Int?; let min_unique_pitches: Int; let gap_bars: Double
        let ignore_polyphonic_notes: Bool; let pad_end: Bool?; let max_steps_discard: Int?
    }
    struct QNote: Decodable { let pitch, velocity, instrument, start, end: Int; let is_drum: Bool }
    struct Stats: Decodable { let polyphonic, too_short, too_few_pitches, too_long, truncated: Int }
    struct ExpectedMelody: Decodable {
        let events: [Int]; let start_step, end_step, steps_per_bar, major_key, squash_amount: Int
        let squashed, one_hot_labels, lookback_labels: [Int]
        let lookback_inputs: [[[Double]]]
        let to_sequence: [[Double]]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("melody_cases.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    private func sequence(_ c: Case) -> NoteSequence {
        let notes = c.notes.map {
            NoteSequence.Note(pitch: $0.pitch, velocity: $0.velocity, startTime: 0, endTime: 0, program: $0.instrument,
                              isDrum: $0.is_drum, instrument: $0.instrument, quantizedStartStep: $0.start, quantizedEndStep: $0.end)
        }
        return NoteSequence(notes: notes, timeSignatures: [.init(time: 0, numerator: c.time_signature[0], denominator: c.time_signature[1])],
                            quantizationInfo: .init(stepsPerQuarter: c.steps_per_quarter))
    }

    private func extractor(_ o: Options) -> MelodyExtractor {
        var e = MelodyExtractor()
        e.minBars = o.min_bars
        e.maxStepsTruncate = o.max_steps_truncate
        e.maxStepsDiscard = o.max_steps_discard
        e.minUniquePitches = o.min_unique_pitches
        e.gapBars = o.gap_bars
        e.ignorePolyphonicNotes = o.ignore_polyphonic_notes
        e.padEnd = o.pad_end ?? false
        return e
    }

    func testFixtureCoversExtractionBranches() {
        let all = Self.fixture.cases
        XCTAssertGreaterThanOrEqual(all.flatMap(\.melodies).count, 20)
        XCTAssertGreaterThan(all.map(\.stats.polyphonic).reduce(0, +), 0)
        XCTAssertGreaterThan(all.map(\.stats.too_short).reduce(0, +), 0)
        XCTAssertGreaterThan(all.map(\.stats.truncated).reduce(0, +), 0)
    }

    func testExtractedMelodiesMatchMagenta() throws {
        for c in Self.fixture.cases {
            let (melodies, stats) = try extractor(c.options).extract(from: sequence(c))
            XCTAssertEqual(melodies.count, c.melodies.count, c.name)
            for (got, want) in zip(melodies, c.melodies) {
                XCTAssertEqual(got.events, want.events, c.name)
                XCTAssertEqual(got.startStep, want.start_step, c.name)
                XCTAssertEqual(got.endStep, want.end_step, c.name)
                XCTAssertEqual(got.stepsPerBar, want.steps_per_bar, c.name)
                XCTAssertEqual(got.majorKey(), want.major_key, c.name)
            }
            XCTAssertEqual(stats.polyphonicTracksDiscarded, c.stats.polyphonic, c.name)
            XCTAssertEqual(stats.discardedTooShort, c.stats.too_short, c.name)
            XCTAssertEqual(stats.discardedTooFewPitches, c.stats.too_few_pitches, c.name)
            XCTAssertEqual(stats.discardedTooLong, c.stats.too_long, c.name)
            XCTAssertEqual(stats.truncated, c.stats.truncated, c.name)
        }
    }

    func testSquashToCMajorMatchesMagenta() throws {
        for c in Self.fixture.cases {
            for want in c.melodies {
                var m = try Melody(events: want.events, stepsPerBar: want.steps_per_bar)
                XCTAssertEqual(m.squash(minNote: 48, maxNote: 84, transposeToKey: 0), want.squash_amount, c.name)
                XCTAssertEqual(m.events, want.squashed, c.name)
            }
        }
    }

    func testOneHotAndLookbackLabelsMatchMagenta() throws {
        let oneHot = try MelodyOneHotEncoding(minNote: 48, maxNote: 84)
        let basic = OneHotMelodyEncoder(oneHot: oneHot)
        let lookback = LookbackMelodyEncoder(oneHot: oneHot)
        XCTAssertEqual(basic.inputSize, 38)
        XCTAssertEqual(lookback.inputSize, 121)
        XCTAssertEqual(lookback.classCount, 40)
        for c in Self.fixture.cases {
            for want in c.melodies {
                XCTAssertEqual(try basic.encode(want.squashed).labels, want.one_hot_labels, c.name)
                let (inputs, labels) = try lookback.encode(want.squashed)
                XCTAssertEqual(labels, want.lookback_labels, c.name)
                for (position, entries) in want.lookback_inputs.enumerated() {
                    var expected = [Float](repeating: 0, count: lookback.inputSize)
                    for pair in entries { expected[Int(pair[0])] = Float(pair[1]) }
                    XCTAssertEqual(Array(inputs[(position * 121)..<((position + 1) * 121)]), expected, "\(c.name) position \(position)")
                }
            }
        }
    }

    func testLookbackClassesDecodeToTheEventsTheyStandFor() throws {
        let lookback = LookbackMelodyEncoder(oneHot: try MelodyOneHotEncoding())
        for c in Self.fixture.cases {
            for want in c.melodies {
                let events = want.squashed
                for position in 1..<events.count {
                    let label = try lookback.label(events: events, position: position)
                    let decoded = try lookback.event(forClass: label, after: Array(events[..<position]))
                    // A repeat label before the second bar means "no event" (Magenta's convention).
                    if position < 32 && events[position] == Melody.noEvent { XCTAssertEqual(decoded, Melody.noEvent); continue }
                    XCTAssertEqual(decoded, events[position], "\(c.name) position \(position)")
                }
            }
        }
    }

    func testMelodyToSequenceMatchesMagenta() throws {
        for c in Self.fixture.cases {
            for want in c.melodies {
                let seq = try Melody(events: want.squashed, stepsPerBar: want.steps_per_bar).toSequence(qpm: 100)
                XCTAssertEqual(seq.notes.count, want.to_sequence.count, c.name)
                for (note, w) in zip(seq.notes, want.to_sequence) {
                    XCTAssertEqual(note.pitch, Int(w[0]))
                    XCTAssertEqual(note.startTime, w[1], accuracy: 1e-9)
                    XCTAssertEqual(note.endTime, w[2], accuracy: 1e-9)
                }
            }
        }
    }

    /// Magenta's documented example: events [60, -2, 62, -1, -2, 64] and their classes.
    func testOneHotClassesOfADocumentedMelody() throws {
        let oneHot = try MelodyOneHotEncoding(minNote: 48, maxNote: 84)
        XCTAssertEqual(try [60, -2, 62, -1, -2, 64].map { try oneHot.encode(event: $0) }, [14, 0, 16, 1, 0, 18])
        XCTAssertEqual(try [14, 0, 16, 1, 0, 18].map { try oneHot.decode(index: $0) }, [60, -2, 62, -1, -2, 64])
        XCTAssertThrowsError(try oneHot.encode(event: 84))
        XCTAssertThrowsError(try oneHot.encode(event: 47))
        XCTAssertThrowsError(try oneHot.decode(index: 38))
        XCTAssertThrowsError(try MelodyOneHotEncoding(minNote: 60, maxNote: 60))
    }

    func testUnquantizedSequenceIsATypedError() {
        XCTAssertThrowsError(try MelodyExtractor().extract(from: NoteSequence())) { error in
            XCTAssertEqual(error as? EncodingError, .notQuantized)
        }
    }
}
