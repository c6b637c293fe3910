import Foundation
import XCTest

/// `muse corpus import-musicxml`: MusicXML scores in, format-1 MIDI files out, bad scores skipped.
final class CorpusImportCLITests: CLITestCase {
    static let score = """
    <?xml version="1.0" encoding="UTF-8"?>
    <score-partwise version="3.1"><part-list><score-part id="P1"><part-name>Soprano</part-name></score-part></part-list>
    <part id="P1"><measure number="1"><attributes><divisions>1</divisions></attributes>
    <note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note>
    <note><pitch><step>E</step><octave>4</octave></pitch><duration>1</duration></note>
    </measure></part></score-partwise>
    """

    func testScoresBecomeMIDIFilesAndBrokenOnesAreSkippedWithAWarning() throws {
        let scores = folder.appendingPathComponent("scores")
        try FileManager.default.createDirectory(at: scores, withIntermediateDirectories: true)
        try Data(Self.score.utf8).write(to: scores.appendingPathComponent("good.xml"))
        try Data("<score-partwise><part".utf8).write(to: scores.appendingPathComponent("broken.musicxml"))
        let result = try muse(["corpus", "import-musicxml", scores.path, "--output", "mid"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.out.contains("imported 1 of 2"), result.out)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        XCTAssertTrue(result.err.hasPrefix("muse: warning: skipped "), result.err)
        let info = try muse(["midi", "info", "mid/good.mid"])
        XCTAssertEqual(info.status, 0)
        XCTAssertTrue(info.out.contains("notes: 2"), info.out)
        XCTAssertTrue(info.out.contains("\"Soprano\""), info.out)
    }

    /// A compressed score (.mxl, from scripts/make_mxl_fixtures.py) imports like a plain one; a
    /// truncated one is skipped with one warning naming it.
    func testCompressedMXLScoresAreImportedAndATruncatedOneIsSkipped() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../MuseMIDITests/Fixtures/mxl/score.mxl").standardized
        let bytes = try Data(contentsOf: fixture)
        let scores = folder.appendingPathComponent("scores")
        try FileManager.default.createDirectory(at: scores, withIntermediateDirectories: true)
        try bytes.write(to: scores.appendingPathComponent("song.mxl"))
        try bytes.prefix(bytes.count / 2).write(to: scores.appendingPathComponent("cut.mxl"))
        let result = try muse(["corpus", "import-musicxml", scores.path, "--output", "mid"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("imported 1 of 2"), result.out)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        XCTAssertTrue(result.err.hasPrefix("muse: warning: skipped ") && result.err.contains("cut.mxl: zip:"), result.err)
        let info = try muse(["midi", "info", "mid/song.mid"])
        XCTAssertEqual(info.status, 0)
        XCTAssertTrue(info.out.contains("notes: 3"), info.out)
    }

    func testAFolderWithoutScoresFails() throws {
        let result = try muse(["corpus", "import-musicxml", folder.path, "--output", "mid"])
        XCTAssertEqual(result.status, 1)
    }
}
