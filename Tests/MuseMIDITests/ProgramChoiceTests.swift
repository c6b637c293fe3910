import MuseMIDI
import XCTest

/// Programs for rendered audio corpora: `--program own|random|drums|N` of `muse corpus render`.
final class ProgramChoiceTests: XCTestCase {
    func testRandomChoiceIsStablePerFileAndSpreadsOverThePalette() {
        let choice = ProgramChoice.random(seed: 1)
        let names = (0..<300).map { "tune\($0).mid" }
        let programs = names.map { choice.program(forFile: $0)! }
        XCTAssertEqual(programs, names.map { choice.program(forFile: $0)! }, "the same file gets the same program")
        XCTAssertTrue(programs.allSatisfy(ProgramChoice.palette.contains))
        XCTAssertGreaterThan(Set(programs).count, ProgramChoice.palette.count * 3 / 4, "300 files use most of the palette")
        XCTAssertTrue(programs.contains(-1), "some files play on the drum kit")
        XCTAssertNotEqual(programs, names.map { ProgramChoice.random(seed: 2).program(forFile: $0)! }, "the seed changes the choice")
        XCTAssertNil(ProgramChoice.own.program(forFile: "a.mid"))
        XCTAssertEqual(ProgramChoice.fixed(program: 40, isDrum: false).program(forFile: "a.mid"), 40)
    }

    func testPlayingAProgramMovesEveryNoteAndControlToIt() {
        var sequence = NoteSequence()
        sequence.notes = [.init(pitch: 60, velocity: 90, startTime: 0, endTime: 1, program: 5, instrument: 0),
                          .init(pitch: 64, velocity: 90, startTime: 1, endTime: 2, program: 7, instrument: 1)]
        sequence.controlChanges = [.init(time: 0, controlNumber: 64, controlValue: 127, program: 5)]
        let violin = sequence.playing(program: 40)
        XCTAssertEqual(violin.notes.map(\.program), [40, 40])
        XCTAssertEqual(violin.notes.map(\.pitch), [60, 64])
        XCTAssertEqual(violin.controlChanges.map(\.program), [40])
        let drums = sequence.playing(program: -1)
        XCTAssertTrue(drums.notes.allSatisfy(\.isDrum))
        XCTAssertEqual(drums.notes.map(\.program), [0, 0])
    }
}
