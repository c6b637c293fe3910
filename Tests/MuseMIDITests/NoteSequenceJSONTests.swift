import XCTest
@testable import MuseMIDI

/// JSON with note_seq's proto3 field names: defaults omitted, int64 as strings, enums by name.
final class NoteSequenceJSONTests: XCTestCase {
    func object(_ sequence: NoteSequence) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: sequence.jsonData()) as! [String: Any]
    }

    func testFieldsUseNoteSeqNamesAndOmitDefaults() throws {
        let sequence = NoteSequence(notes: [.init(pitch: 60, velocity: 80, startTime: 0, endTime: 0.5, program: 0, isDrum: false, instrument: 0)],
                                    tempos: [.init(time: 0, qpm: 120)], ticksPerQuarter: 220)
        let json = try object(sequence)
        XCTAssertEqual(Set(json.keys), ["notes", "tempos", "totalTime", "ticksPerQuarter"])
        let note = (json["notes"] as! [[String: Any]])[0]
        XCTAssertEqual(Set(note.keys), ["pitch", "velocity", "endTime"])  // startTime 0, program 0, isDrum false omitted
        XCTAssertEqual((json["tempos"] as! [[String: Any]])[0]["qpm"] as? Double, 120)
    }

    func testInt64FieldsAreStringsAndEnumsAreNames() throws {
        var sequence = NoteSequence(notes: [.init(pitch: 62, velocity: 90, startTime: 0.5, endTime: 1.0, isDrum: true, instrument: 2)],
                                    keySignatures: [.init(time: 0, key: 3, mode: .minor)])
        sequence = try sequence.quantized(stepsPerQuarter: 4)
        let json = try object(sequence)
        XCTAssertEqual(json["totalQuantizedSteps"] as? String, "8")
        let note = (json["notes"] as! [[String: Any]])[0]
        XCTAssertEqual(note["quantizedStartStep"] as? String, "4")
        XCTAssertEqual(note["quantizedEndStep"] as? String, "8")
        XCTAssertEqual(note["isDrum"] as? Bool, true)
        XCTAssertEqual(note["instrument"] as? Int, 2)
        let key = (json["keySignatures"] as! [[String: Any]])[0]
        XCTAssertEqual(key["key"] as? String, "D_SHARP")
        XCTAssertEqual(key["mode"] as? String, "MINOR")
        XCTAssertEqual((json["quantizationInfo"] as! [String: Any])["stepsPerQuarter"] as? Int, 4)
    }

    func testEveryFixtureRoundTripsThroughJSON() throws {
        for name in Fixtures.names {
            let sequence = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath(name))
            XCTAssertEqual(try NoteSequence(jsonData: sequence.jsonData()), sequence, name)
        }
    }

    func testQuantizedSequenceRoundTripsIncludingZeroSteps() throws {
        let sequence = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath("format0_simple")).quantized(stepsPerQuarter: 4)
        XCTAssertEqual(sequence.notes[0].quantizedStartStep, 0)
        XCTAssertEqual(try NoteSequence(jsonData: sequence.jsonData()), sequence)
    }

    /// A note_seq JSON as `json_format.MessageToJson` writes it (hand-copied shape).
    func testDecodesNoteSeqStyleJSONWithMissingDefaults() throws {
        let text = """
        {"ticksPerQuarter": 220, "tempos": [{"qpm": 60.0}], "notes": [{"pitch": 60, "velocity": 100, "endTime": 1.0},
         {"pitch": 64, "velocity": 90, "startTime": 1.0, "endTime": 2.0, "program": 40, "instrument": 1}],
         "keySignatures": [{"key": "B_FLAT"}], "timeSignatures": [{"numerator": 3, "denominator": 4}], "totalTime": 2.0,
         "collectionName": "ignored"}
        """
        let sequence = try NoteSequence(jsonData: Data(text.utf8))
        XCTAssertEqual(sequence.notes, [.init(pitch: 60, velocity: 100, startTime: 0, endTime: 1),
                                        .init(pitch: 64, velocity: 90, startTime: 1, endTime: 2, program: 40, instrument: 1)])
        XCTAssertEqual(sequence.tempos, [.init(time: 0, qpm: 60)])
        XCTAssertEqual(sequence.keySignatures, [.init(time: 0, key: 10, mode: .major)])
        XCTAssertEqual(sequence.timeSignatures, [.init(time: 0, numerator: 3, denominator: 4)])
        XCTAssertEqual(sequence.totalTime, 2)
        XCTAssertFalse(sequence.isQuantized)
    }

    func testUnknownKeyNameIsADecodingError() {
        XCTAssertThrowsError(try NoteSequence(jsonData: Data(#"{"keySignatures": [{"key": "H"}]}"#.utf8)))
    }
}
