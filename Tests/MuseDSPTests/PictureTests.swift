import MuseDSP
import MuseMIDI
import XCTest

final class PictureTests: XCTestCase {
    /// Big-endian UInt32 at `offset` of PNG bytes.
    func be32(_ d: Data, _ offset: Int) -> Int {
        let b = [UInt8](d[offset..<(offset + 4)])
        return Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
    }

    func testPNGHasSignatureAndSize() throws {
        let data = try RGBImage(width: 7, height: 3, color: (1, 2, 3)).pngData()
        XCTAssertEqual([UInt8](data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(String(decoding: data[12..<16], as: UTF8.self), "IHDR")
        XCTAssertEqual(be32(data, 16), 7)
        XCTAssertEqual(be32(data, 20), 3)
    }

    func testEmptyImageIsRejected() {
        XCTAssertThrowsError(try RGBImage(width: 0, height: 3).pngData())
    }

    /// Row 0 (lowest frequency) is drawn at the bottom; time runs left to right; loud is bright.
    func testSpectrogramOrientationAndColours() throws {
        var s = Spectrogram(values: [Float](repeating: -80, count: 3 * 4), rowCount: 3, frameCount: 4)
        s[0, 0] = 0  // lowest band, first frame: loudest
        let image = try SpectrogramImage.render(s, pixelsPerFrame: 2, pixelsPerRow: 3)
        XCTAssertEqual(image.width, 8); XCTAssertEqual(image.height, 9)
        let loud = ColorMap.magma.color(1), quiet = ColorMap.magma.color(0)
        XCTAssertTrue(image.pixel(x: 0, y: 8) == loud && image.pixel(x: 1, y: 6) == loud)
        XCTAssertTrue(image.pixel(x: 0, y: 0) == quiet)
        XCTAssertTrue(image.pixel(x: 2, y: 8) == quiet)
        XCTAssertGreaterThan(Int(loud.0) + Int(loud.1) + Int(loud.2), 3 * 200)  // pale yellow
        XCTAssertLessThan(Int(quiet.0) + Int(quiet.1) + Int(quiet.2), 20)  // near black
    }

    func testPianoRollDrawsNotesAtPitchAndTime() throws {
        let seq = NoteSequence(notes: [
            .init(pitch: 60, velocity: 100, startTime: 0, endTime: 1),
            .init(pitch: 64, velocity: 60, startTime: 1, endTime: 2, instrument: 1),
        ], totalTime: 2)
        let image = try PianoRollImage.render(seq, pixelsPerSecond: 10, pixelsPerPitch: 2)
        // Pitches 58...66 shown (lowest − 2 ... highest + 2): 9 rows of 2 px, 20 px across.
        XCTAssertEqual(image.width, 20); XCTAssertEqual(image.height, 18)
        let background = image.pixel(x: 19, y: 0)
        let c4Row = (66 - 60) * 2, e4Row = (66 - 64) * 2
        XCTAssertFalse(image.pixel(x: 5, y: c4Row) == background)
        XCTAssertTrue(image.pixel(x: 15, y: c4Row) == background)  // the C4 note ended at 1 s
        XCTAssertFalse(image.pixel(x: 15, y: e4Row) == background)
        XCTAssertTrue(image.pixel(x: 5, y: e4Row) == background)
        XCTAssertFalse(image.pixel(x: 5, y: c4Row) == image.pixel(x: 15, y: e4Row))  // parts differ in colour
    }

    /// A C-major scale in two parts, written to the temporary folder for a look.
    func testPianoRollOfScaleWritesPNG() throws {
        var notes = [NoteSequence.Note]()
        for (i, step) in [0, 2, 4, 5, 7, 9, 11, 12].enumerated() {
            notes.append(.init(pitch: 60 + step, velocity: 40 + 10 * i, startTime: Double(i) * 0.5, endTime: Double(i) * 0.5 + 0.45))
            notes.append(.init(pitch: 48 + step, velocity: 100, startTime: Double(i) * 0.5, endTime: Double(i) * 0.5 + 1, instrument: 1))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("muse-pianoroll.png").path
        try PianoRollImage.render(NoteSequence(notes: notes, totalTime: 4.5), pixelsPerSecond: 80, pixelsPerPitch: 6).writePNG(to: path)
        XCTAssertGreaterThan(try Data(contentsOf: URL(fileURLWithPath: path)).count, 100)
    }

    func testPianoRollRejectsBadScale() {
        XCTAssertThrowsError(try PianoRollImage.render(NoteSequence(), pixelsPerSecond: 0))
    }
}
