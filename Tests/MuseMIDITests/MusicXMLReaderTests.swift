import XCTest
@testable import MuseMIDI

/// MusicXML → NoteSequence, on small scores whose expected notes follow from the MusicXML spec.
final class MusicXMLReaderTests: XCTestCase {
    private func score(divisions: Int = 2, parts: String, partList: String? = nil) -> [UInt8] {
        let list = partList ?? """
        <score-part id="P1"><part-name>Soprano</part-name>
          <midi-instrument id="P1-I1"><midi-channel>1</midi-channel><midi-program>53</midi-program></midi-instrument>
        </score-part>
        """
        return Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 3.1 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">
        <score-partwise version="3.1"><!-- a comment -->
          <part-list>\(list)</part-list>
          \(parts)
        </score-partwise>
        """.utf8)
    }

    func testQuarterNotesAtDefaultTempoLastHalfASecondEach() throws {
        let xml = score(parts: """
        <part id="P1"><measure number="1">
          <attributes><divisions>2</divisions><key><fifths>2</fifths><mode>major</mode></key>
            <time><beats>3</beats><beat-type>4</beat-type></time></attributes>
          <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration></note>
          <note><pitch><step>F</step><alter>1</alter><octave>4</octave></pitch><duration>2</duration></note>
          <note><rest/><duration>2</duration></note>
          <note><pitch><step>B</step><alter>-1</alter><octave>3</octave></pitch><duration>1</duration></note>
        </measure></part>
        """)
        let seq = try MusicXMLReader.read(bytes: xml)
        XCTAssertEqual(seq.notes.map(\.pitch), [60, 66, 58])
        XCTAssertEqual(seq.notes.map(\.startTime), [0, 0.5, 1.5])
        XCTAssertEqual(seq.notes.map(\.endTime), [0.5, 1.0, 1.75])
        XCTAssertEqual(seq.notes.map(\.program), [52, 52, 52], "midi-program is 1-based in MusicXML")
        XCTAssertEqual(seq.notes.map(\.velocity), [64, 64, 64])
        XCTAssertEqual(seq.tempos, [.init(time: 0, qpm: 120)])
        XCTAssertEqual(seq.timeSignatures, [.init(time: 0, numerator: 3, denominator: 4)])
        XCTAssertEqual(seq.keySignatures, [.init(time: 0, key: 2, mode: .major)], "two sharps is D major")
        XCTAssertEqual(seq.instrumentInfos, [.init(instrument: 0, name: "Soprano")])
        XCTAssertEqual(seq.totalTime, 1.75)
    }

    func testChordsTiesBackupAndTempoChanges() throws {
        let xml = score(parts: """
        <part id="P1">
          <measure number="1">
            <attributes><divisions>1</divisions><key><fifths>-3</fifths><mode>minor</mode></key></attributes>
            <direction><sound tempo="60"/></direction>
            <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration><tie type="start"/></note>
            <note><chord/><pitch><step>E</step><octave>4</octave></pitch><duration>2</duration></note>
            <backup><duration>2</duration></backup>
            <note><pitch><step>G</step><octave>3</octave></pitch><duration>1</duration><voice>2</voice></note>
            <forward><duration>1</duration></forward>
          </measure>
          <measure number="2">
            <attributes><divisions>4</divisions></attributes>
            <sound tempo="120" dynamics="100"/>
            <note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration><tie type="stop"/></note>
            <note><pitch><step>D</step><octave>4</octave></pitch><duration>2</duration></note>
          </measure>
        </part>
        """)
        let seq = try MusicXMLReader.read(bytes: xml)
        // Measure 1 lasts two quarters at 60 qpm (2 s); measure 2 runs at 120 qpm.
        XCTAssertEqual(seq.notes.map(\.pitch), [55, 60, 64, 62])
        XCTAssertEqual(seq.notes.map(\.startTime), [0, 0, 0, 2.5])
        XCTAssertEqual(seq.notes.map(\.endTime), [1, 2.5, 2, 2.75], "the tied C lasts into measure 2")
        XCTAssertEqual(seq.notes.map(\.velocity), [64, 64, 64, 90], "dynamics 100 is forte, velocity 90")
        XCTAssertEqual(seq.tempos, [.init(time: 0, qpm: 60), .init(time: 2, qpm: 120)])
        XCTAssertEqual(seq.keySignatures, [.init(time: 0, key: 0, mode: .minor)], "three flats minor is C minor")
    }

    func testPartsBecomeInstrumentsInPartListOrderAndChannel10IsDrums() throws {
        let xml = score(parts: """
        <part id="P2"><measure><attributes><divisions>1</divisions></attributes>
          <note><unpitched><display-step>C</display-step><display-octave>2</display-octave></unpitched><duration>1</duration></note>
        </measure></part>
        <part id="P1"><measure><attributes><divisions>1</divisions></attributes>
          <note><grace/><pitch><step>D</step><octave>5</octave></pitch></note>
          <note><pitch><step>A</step><octave>4</octave></pitch><duration>1</duration></note>
        </measure></part>
        """, partList: """
        <score-part id="P1"><part-name>Lead</part-name></score-part>
        <score-part id="P2"><part-name>Kit</part-name><midi-instrument id="X"><midi-channel>10</midi-channel></midi-instrument></score-part>
        """)
        let seq = try MusicXMLReader.read(bytes: xml)
        XCTAssertEqual(seq.notes.map(\.pitch), [69, 36], "grace notes are dropped")
        XCTAssertEqual(seq.notes.map(\.instrument), [0, 1])
        XCTAssertEqual(seq.notes.map(\.isDrum), [false, true])
    }

    func testLatin1BytesInTextAreRepairedNotFatal() throws {
        var xml = score(parts: "<part id=\"P1\"><measure><attributes><divisions>1</divisions></attributes><note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note></measure></part>")
        let marker = Array("<part-list>".utf8)
        let at = xml.firstRange(of: marker)!.lowerBound
        xml.insert(contentsOf: Array("<credit><credit-words>sch".utf8) + [0x9A] + Array("n</credit-words></credit>".utf8), at: at)
        XCTAssertEqual(try MusicXMLReader.read(bytes: xml).notes.count, 1)
    }

    func testMalformedDocumentsThrowTypedErrors() {
        let cases: [(String, String)] = [
            ("", "no root"),
            ("<score-partwise><part-list>", "ends inside"),
            ("<score-partwise></part-list>", "does not match"),
            ("<score-timewise/>", "score-timewise"),
            ("<html/>", "not <score-partwise>"),
            ("<score-partwise><part a=b/></score-partwise>", "not quoted"),
            ("<!-- never closed", "unterminated"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try MusicXMLReader.read(bytes: Array(text.utf8), file: "bad.xml"), text) { error in
                guard let error = error as? MusicXMLError else { return XCTFail("untyped error \(error)") }
                XCTAssertEqual(error.file, "bad.xml")
                XCTAssertTrue(error.reason.contains(expected), "\(text): \(error.reason)")
            }
        }
    }

    func testDeepNestingIsRejectedNotAStackOverflow() {
        let deep = String(repeating: "<a>", count: 100_000)
        XCTAssertThrowsError(try MusicXMLReader.read(bytes: Array(deep.utf8))) { error in
            XCTAssertTrue("\(error)".contains("nested deeper"))
        }
    }

    func testSeededMutationsNeverCrash() throws {
        let base = score(parts: """
        <part id="P1"><measure><attributes><divisions>2</divisions></attributes>
          <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration><tie type="start"/></note>
          <note><pitch><step>C</step><octave>4</octave></pitch><duration>2</duration><tie type="stop"/></note>
        </measure></part>
        """)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 16)], at: at)
                }
            }
            _ = try? MusicXMLReader.read(bytes: bytes)
        }
    }
}
