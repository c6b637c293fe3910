import XCTest
@testable import MuseMIDI

/// Section 5: malformed files give a typed `MIDIError` naming file, offset and problem; nothing
/// crashes, hangs or allocates past the file's size.
final class BadInputTests: XCTestCase {
    /// A well-formed file with the given track data (each gets an MTrk header; no EOT added).
    static func smf(format: Int = 1, division: Int = 96, tracks: [[UInt8]], declaredTracks: Int? = nil) -> [UInt8] {
        let count = declaredTracks ?? tracks.count
        var bytes: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, UInt8(format), UInt8(count >> 8), UInt8(count & 0xFF),
                                                   UInt8(division >> 8), UInt8(division & 0xFF)]
        for track in tracks {
            bytes += Array("MTrk".utf8) + [UInt8(track.count >> 24), UInt8(track.count >> 16 & 0xFF),
                                           UInt8(track.count >> 8 & 0xFF), UInt8(track.count & 0xFF)] + track
        }
        return bytes
    }
    static let endOfTrack: [UInt8] = [0x00, 0xFF, 0x2F, 0x00]
    static let oneNote: [UInt8] = [0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0] + endOfTrack

    func read(_ bytes: [UInt8]) throws -> NoteSequence {
        try NoteSequence(midiFile: MIDIFile(bytes: bytes, file: "bad.mid"))
    }

    func assertError(_ bytes: [UInt8], _ expected: MIDIError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try read(bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? MIDIError, expected, file: file, line: line)
        }
    }

    func testTheHelperBuildsAReadableFile() throws {
        let sequence = try read(Self.smf(tracks: [Self.oneNote]))
        XCTAssertEqual(sequence.notes.count, 1)
        XCTAssertEqual(sequence.notes[0].endTime, 0.5, accuracy: 1e-12)  // 96 ticks at 96 ppq, 120 qpm
    }

    func testEmptyFileIsRejected() {
        assertError([], .emptyFile(file: "bad.mid"))
    }

    func testWrongMagicIsRejectedWithWhatWasFound() {
        assertError(Array("RIFF\u{0}\u{0}\u{0}\u{4}WAVE".utf8), .badMagic(file: "bad.mid", offset: 0, found: "RIFF"))
    }

    func testFileShorterThanAChunkHeaderIsTruncated() {
        assertError(Array("MTh".utf8), .truncated(file: "bad.mid", offset: 3, what: "the header chunk", needed: 5))
    }

    func testHeaderCutShortIsAChunkPastTheEnd() {
        let bytes = Array(Self.smf(tracks: [Self.oneNote]).prefix(11))
        assertError(bytes, .chunkPastEndOfFile(file: "bad.mid", offset: 0, chunkType: "MThd", declaredLength: 6, available: 3))
    }

    func testTrackCutShortIsAChunkPastTheEnd() {
        let whole = Self.smf(tracks: [Self.oneNote])
        let bytes = Array(whole.prefix(whole.count - 3))
        assertError(bytes, .chunkPastEndOfFile(file: "bad.mid", offset: 14, chunkType: "MTrk",
                                               declaredLength: Self.oneNote.count, available: Self.oneNote.count - 3))
    }

    func testEveryTruncationOfAFixtureThrowsAMIDIError() throws {
        let whole = try Fixtures.bytes("piece_band")
        for length in stride(from: 0, to: whole.count, by: 7) {
            XCTAssertThrowsError(try read(Array(whole.prefix(length)))) { XCTAssertTrue($0 is MIDIError) }
        }
    }

    func testAbsurdChunkLengthIsRejectedBeforeAllocating() {
        var bytes = Self.smf(tracks: [Self.oneNote])
        bytes.replaceSubrange(18..<22, with: [0x7F, 0xFF, 0xFF, 0xF0])
        assertError(bytes, .chunkPastEndOfFile(file: "bad.mid", offset: 14, chunkType: "MTrk", declaredLength: 0x7FFF_FFF0,
                                               available: Self.oneNote.count))
    }

    func testAbsurdHeaderLengthIsRejected() {
        var bytes = Self.smf(tracks: [Self.oneNote])
        bytes.replaceSubrange(4..<8, with: [0x7F, 0xFF, 0xFF, 0xF0])
        assertError(bytes, .chunkPastEndOfFile(file: "bad.mid", offset: 0, chunkType: "MThd", declaredLength: 0x7FFF_FFF0,
                                               available: bytes.count - 8))
    }

    func testTrackWithoutEndOfTrackIsRejected() {
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0]
        assertError(Self.smf(tracks: [track]), .missingEndOfTrack(file: "bad.mid", offset: 22 + track.count, track: 0))
    }

    func testFewerTracksThanDeclaredIsRejected() {
        assertError(Self.smf(tracks: [Self.oneNote], declaredTracks: 3), .missingTracks(file: "bad.mid", declared: 3, found: 1))
    }

    func testGarbageBytesAreNotAMIDIFile() {
        var rng = SplitMix64(seed: 7)
        let garbage = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        XCTAssertThrowsError(try read(garbage)) { XCTAssertTrue($0 is MIDIError) }
    }

    func testSMPTEDivisionIsRejectedExplicitly() {
        let bytes = Self.smf(division: 0xE728, tracks: [Self.oneNote])  // -25 fps, 40 ticks per frame
        assertError(bytes, .smpteTimeDivision(file: "bad.mid", offset: 12, framesPerSecond: 25, ticksPerFrame: 40))
    }

    func testZeroDivisionAndUnknownFormatAreBadHeaders() {
        assertError(Self.smf(division: 0, tracks: [Self.oneNote]), .badHeader(file: "bad.mid", offset: 12, problem: "0 ticks per quarter note"))
        assertError(Self.smf(format: 3, tracks: [Self.oneNote]), .badHeader(file: "bad.mid", offset: 8, problem: "format 3 is not 0, 1 or 2"))
    }

    func testDataByteWithoutRunningStatusIsRejected() {
        assertError(Self.smf(tracks: [[0x00, 60, 100] + Self.endOfTrack]), .runningStatusWithoutStatus(file: "bad.mid", offset: 23))
    }

    func testUndefinedStatusIsRejected() {
        assertError(Self.smf(tracks: [[0x00, 0xF4] + Self.endOfTrack]), .undefinedStatus(file: "bad.mid", offset: 23, status: 0xF4))
    }

    func testDataByteWithHighBitIsRejected() {
        assertError(Self.smf(tracks: [[0x00, 0x90, 60, 0xC8] + Self.endOfTrack]), .dataByteOutOfRange(file: "bad.mid", offset: 25, byte: 0xC8))
    }

    func testFiveByteDeltaTimeIsRejected() {
        assertError(Self.smf(tracks: [[0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 100] + Self.endOfTrack]),
                    .badVariableLengthQuantity(file: "bad.mid", offset: 22))
    }

    func testEventRunningPastItsChunkIsRejected() {
        assertError(Self.smf(tracks: [[0x00, 0xFF, 0x01, 0x7F, 0x41]]), .eventPastEndOfTrack(file: "bad.mid", offset: 22, track: 0))
    }

    func testShortTempoEventIsRejected() {
        assertError(Self.smf(tracks: [[0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1] + Self.endOfTrack]),
                    .badMetaEvent(file: "bad.mid", offset: 22, type: 0x51, problem: "tempo has 2 data bytes, needs 3"))
    }

    func testErrorDescriptionIsOneLineWithFileAndOffset() {
        let text = MIDIError.runningStatusWithoutStatus(file: "song.mid", offset: 23).description
        XCTAssertEqual(text, "song.mid: offset 23: data byte with no running status")
        XCTAssertFalse(text.contains("\n"))
    }

    func testMissingFileIsACannotReadError() {
        XCTAssertThrowsError(try NoteSequence(contentsOfMIDIFile: "/nonexistent/x.mid")) { error in
            guard case .cannotRead(let file, _)? = error as? MIDIError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "/nonexistent/x.mid")
        }
    }

    /// Seeded mutations of every fixture (byte changes, cuts, insertions): each read either
    /// succeeds with no more notes than the bytes allow (each note needs a note-on of at least
    /// 3 bytes: delta, pitch, velocity under running status), or throws a MIDIError.
    func testSeededMutationsNeverCrashOrOverAllocate() throws {
        var rng = SplitMix64(seed: 2024)
        var outcomes = (ok: 0, failed: 0)
        for name in Fixtures.names {
            let original = try Fixtures.bytes(name)
            for _ in 0..<150 {
                var bytes = original
                let edits = 1 + Int(rng.next() % 8)
                for _ in 0..<edits {
                    let position = Int(rng.next() % UInt64(max(bytes.count, 1)))
                    switch rng.next() % 4 {
                    case 0: if !bytes.isEmpty { bytes[position] = UInt8(truncatingIfNeeded: rng.next()) }
                    case 1: if !bytes.isEmpty { bytes[position] ^= UInt8(1) << (rng.next() % 8) }
                    case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                    default: bytes.removeLast(min(bytes.count, Int(rng.next() % 16)))
                    }
                }
                do {
                    let sequence = try read(bytes)
                    XCTAssertLessThanOrEqual(sequence.notes.count, bytes.count / 2, name)
                    outcomes.ok += 1
                } catch is MIDIError {
                    outcomes.failed += 1
                }
            }
        }
        XCTAssertGreaterThan(outcomes.ok, 0)
        XCTAssertGreaterThan(outcomes.failed, 0)
    }
}

/// SplitMix64: a tiny seeded generator so the fuzz loop is the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
