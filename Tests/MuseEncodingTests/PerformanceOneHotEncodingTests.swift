import XCTest
@testable import MuseEncoding

/// The performance vocabulary: its table against note_seq's `PerformanceOneHotEncoding.decode_event`
/// for every class, and a table-driven round trip.
final class PerformanceOneHotEncodingTests: XCTestCase {
    func testDefaultsHave388ClassesAndPianoHas308() {
        XCTAssertEqual(PerformanceOneHotEncoding.performanceRNN.classCount, 388)
        XCTAssertEqual(PerformanceOneHotEncoding.piano.classCount, 308)
        XCTAssertEqual(PerformanceFixtures.sequences.tables["performance"]?.num_classes, 388)
        XCTAssertEqual(PerformanceFixtures.sequences.tables["piano"]?.num_classes, 308)
    }

    func testEveryClassDecodesToNoteSeqsEvent() throws {
        for (name, encoding) in [("performance", PerformanceOneHotEncoding.performanceRNN), ("piano", .piano)] {
            let table = try XCTUnwrap(PerformanceFixtures.sequences.tables[name])
            XCTAssertEqual(table.events.count, encoding.classCount, name)
            for (index, expected) in table.events.enumerated() {
                XCTAssertEqual(try encoding.decode(index), expected.event, "\(name) class \(index)")
            }
        }
    }

    /// Offsets are the running sum of the rows' sizes, in note_seq's row order.
    func testTableRowsAndOffsetsComeFromTheRanges() {
        let rows = PerformanceOneHotEncoding.piano.ranges
        XCTAssertEqual(rows.map(\.kind), [.noteOn, .noteOff, .timeShift, .velocity])
        XCTAssertEqual(rows.map(\.values), [21...108, 21...108, 1...100, 1...32])
        XCTAssertEqual(rows.map(\.offset), [0, 88, 176, 276])
        let noVelocity = try? PerformanceOneHotEncoding(numVelocityBins: 0)
        XCTAssertEqual(noVelocity?.ranges.map(\.kind), [.noteOn, .noteOff, .timeShift])
        XCTAssertEqual(noVelocity?.classCount, 356)
    }

    /// Table-driven round trip: each row's every value encodes to its own index and back, for
    /// several vocabularies.
    func testEveryEventOfEveryRowRoundTrips() throws {
        let encodings = [PerformanceOneHotEncoding.performanceRNN, .piano,
                         try PerformanceOneHotEncoding(numVelocityBins: 0, maxShiftSteps: 7, minPitch: 60, maxPitch: 60),
                         try PerformanceOneHotEncoding(numVelocityBins: 127, maxShiftSteps: 1000)]
        for encoding in encodings {
            var seen = Set<Int>()
            for row in encoding.ranges {
                for value in row.values {
                    let event = PerformanceEvent(row.kind, value)
                    let index = try encoding.encode(event)
                    XCTAssertEqual(index, row.offset + value - row.values.lowerBound)
                    XCTAssertEqual(try encoding.decode(index), event)
                    seen.insert(index)
                }
            }
            XCTAssertEqual(seen, Set(0..<encoding.classCount))
        }
    }

    func testValuesOutsideTheirRowThrow() {
        let piano = PerformanceOneHotEncoding.piano
        XCTAssertThrowsError(try piano.encode(PerformanceEvent(.noteOn, 20)))
        XCTAssertThrowsError(try piano.encode(PerformanceEvent(.noteOff, 109)))
        XCTAssertThrowsError(try piano.encode(PerformanceEvent(.timeShift, 0)))
        XCTAssertThrowsError(try piano.encode(PerformanceEvent(.timeShift, 101)))
        XCTAssertThrowsError(try piano.encode(PerformanceEvent(.velocity, 33)))
        XCTAssertThrowsError(try PerformanceOneHotEncoding(numVelocityBins: 0).encode(PerformanceEvent(.velocity, 1)))
        XCTAssertThrowsError(try piano.decode(-1))
        XCTAssertThrowsError(try piano.decode(308)) { error in
            XCTAssertEqual(error as? EncodingError, .classOutOfRange(index: 308, classCount: 308))
        }
    }

    func testBadSettingsThrow() {
        XCTAssertThrowsError(try PerformanceOneHotEncoding(minPitch: 70, maxPitch: 60))
        XCTAssertThrowsError(try PerformanceOneHotEncoding(maxPitch: 128))
        XCTAssertThrowsError(try PerformanceOneHotEncoding(maxShiftSteps: 0))
        XCTAssertThrowsError(try PerformanceOneHotEncoding(numVelocityBins: 128))
    }

    func testEncodingSurvivesJSON() throws {
        let data = try JSONEncoder().encode(PerformanceOneHotEncoding.piano)
        XCTAssertEqual(try JSONDecoder().decode(PerformanceOneHotEncoding.self, from: data), .piano)
    }

    func testEventNamesAreNoteSeqs() {
        XCTAssertEqual(PerformanceEvent.Kind.allCases.map(\.name), ["NOTE_ON", "NOTE_OFF", "TIME_SHIFT", "VELOCITY"])
        XCTAssertEqual(PerformanceEvent.Kind.allCases.map(\.rawValue), [1, 2, 3, 4])
        XCTAssertEqual(PerformanceEvent.Kind(name: "TIME_SHIFT"), .timeShift)
        XCTAssertNil(PerformanceEvent.Kind(name: "DURATION"))
        XCTAssertEqual(PerformanceEvent(.noteOn, 60).description, "NOTE_ON 60")
    }

    func testVelocityBinsAreNoteSeqs() {
        // note_seq: bin size ceil(127 / 32) = 4; velocity_to_bin(v) = (v - 1) // 4 + 1.
        XCTAssertEqual([1, 4, 5, 8, 9, 124, 125, 127].map { Performance.velocityBin(velocity: $0, numVelocityBins: 32) },
                       [1, 1, 2, 2, 3, 31, 32, 32])
        XCTAssertEqual([1, 2, 32].map { Performance.velocity(bin: $0, numVelocityBins: 32) }, [1, 5, 125])
        XCTAssertEqual(Performance.velocityBin(velocity: 0, numVelocityBins: 32), 0)  // Python's floor division
        XCTAssertEqual(Performance.velocityBinSize(numVelocityBins: 127), 1)
    }
}
