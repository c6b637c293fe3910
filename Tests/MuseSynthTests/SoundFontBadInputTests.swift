import Foundation
import XCTest
@testable import MuseSynth

/// Bad SoundFonts are rejected with typed errors naming file, chunk and offset; never a crash,
/// hang or unbounded allocation.
final class SoundFontBadInputTests: XCTestCase {
    func parse(_ bytes: [UInt8]) throws -> SoundFont {
        try SoundFont(file: SoundFontFile(data: Data(bytes), path: "bad.sf2"))
    }

    func testMinimalFontLoads() throws {
        let font = try TestSoundFontBuilder().load()
        XCTAssertEqual(font.presets.count, 1)
        XCTAssertEqual(font.instruments.count, 1)
        XCTAssertEqual(font.samples.count, 1)
        XCTAssertEqual(font.samples[0].end, 1999, "end is the last valid frame, as FluidSynth keeps it")
        XCTAssertEqual(font.info["INAM"], "Test Font")
        XCTAssertNotNil(font.preset(bank: 0, program: 0))
    }

    func testSm24LowBytesExtendSamplesTo24Bits() throws {
        var builder = TestSoundFontBuilder()
        builder.sm24 = (0..<builder.sampleFrames).map { UInt8($0 & 0xff) }
        let font = try builder.load()
        let f24 = try XCTUnwrap(font.pool.float24)
        for i in [0, 1, 37, 1999] {
            XCTAssertEqual(f24[i], Float(font.pool.int16[i]) + Float(i & 0xff) / 256, "frame \(i)")
        }
        builder.sm24 = [1, 2, 3] // wrong length: ignored, as the SF2.04 spec allows
        XCTAssertNil(try builder.load().pool.float24)
    }

    func testEmptyInputIsTruncated() {
        XCTAssertThrowsError(try parse([])) { error in
            guard case SynthError.truncated(let file, "RIFF", 0, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bad.sf2")
        }
    }

    func testWrongMagicIsRejected() {
        var b = TestSoundFontBuilder().bytes()
        b[8] = UInt8(ascii: "X")
        XCTAssertThrowsError(try parse(b)) { error in
            guard case SynthError.badMagic(_, "sfbk", 8, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try parse(Array("RIFX".utf8) + [UInt8](repeating: 0, count: 20)))
    }

    func testEveryTruncationThrowsATypedError() {
        let b = TestSoundFontBuilder().bytes()
        for n in stride(from: 0, to: b.count, by: 1) {
            XCTAssertThrowsError(try parse(Array(b.prefix(n))), "prefix \(n)") { error in
                XCTAssertTrue(error is SynthError, "prefix \(n): \(error)")
            }
        }
    }

    func testChunkSizePastTheEndNamesTheChunk() {
        var b = TestSoundFontBuilder().bytes()
        // Find the smpl chunk and claim 1 MB.
        let smpl = Array("smpl".utf8)
        let at = (0..<(b.count - 4)).first { Array(b[$0..<($0 + 4)]) == smpl }!
        b[at + 4] = 0; b[at + 5] = 0; b[at + 6] = 0x10; b[at + 7] = 0
        XCTAssertThrowsError(try parse(b)) { error in
            guard case SynthError.chunkPastEnd(let file, "smpl", let offset, 0x100000, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bad.sf2"); XCTAssertEqual(offset, at)
            XCTAssertTrue("\(error)".contains("bad.sf2") && "\(error)".contains("smpl") && "\(error)".contains("\(at)"))
        }
    }

    func testTwoGigabyteSizeFieldIsRejectedWithoutAllocating() {
        var builder = TestSoundFontBuilder()
        builder.smplSizeOverride = 0x7FFF_FFFF
        XCTAssertThrowsError(try parse(builder.bytes())) { error in
            guard case SynthError.chunkPastEnd(_, _, _, let size, _) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(size, 1 << 20)
        }
        var b = TestSoundFontBuilder().bytes()
        b[4] = 0xff; b[5] = 0xff; b[6] = 0xff; b[7] = 0x7f
        XCTAssertThrowsError(try parse(b)) { error in
            guard case SynthError.chunkPastEnd(_, "RIFF", 0, _, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testInstrumentIndexOutOfRange() {
        var builder = TestSoundFontBuilder()
        builder.instrumentIndex = 7
        XCTAssertThrowsError(try builder.load()) { error in
            guard case SynthError.indexOutOfRange(_, "pgen", _, "instrument", 7, 1) = error else { return XCTFail("\(error)") }
        }
    }

    func testSampleIndexOutOfRange() {
        var builder = TestSoundFontBuilder()
        builder.sampleID = 3
        XCTAssertThrowsError(try builder.load()) { error in
            guard case SynthError.indexOutOfRange(_, "igen", _, "sampleID", 3, 1) = error else { return XCTFail("\(error)") }
        }
    }

    func testBagIndexPastTheTable() {
        var builder = TestSoundFontBuilder()
        builder.presetBagIndex = 9
        XCTAssertThrowsError(try builder.load()) { error in
            guard case SynthError.indexOutOfRange(_, "phdr", _, _, 9, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testLoopOutsideTheSampleDataIsRejected() {
        var builder = TestSoundFontBuilder()
        builder.loopEnd = 50_000
        XCTAssertThrowsError(try builder.load()) { error in
            guard case SynthError.badSample(_, "shdr", _, "sine", let problem) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(problem.contains("loop"))
        }
    }

    func testSampleDataOutsideThePoolIsRejected() {
        var builder = TestSoundFontBuilder()
        builder.sampleEnd = 9000
        XCTAssertThrowsError(try builder.load()) { error in
            guard case SynthError.badSample = error else { return XCTFail("\(error)") }
        }
    }

    func testZeroLengthSampleIsRejected() {
        var builder = TestSoundFontBuilder()
        builder.sampleStart = 500; builder.sampleEnd = 500
        XCTAssertThrowsError(try builder.load()) { error in
            guard case SynthError.badSample(_, _, _, _, "zero length") = error else { return XCTFail("\(error)") }
        }
    }

    func testLoopInsideThePoolButOutsideTheSampleIsSanitisedLikeFluidSynth() throws {
        var builder = TestSoundFontBuilder()
        builder.sampleStart = 200; builder.loopStart = 100 // loop starts before the sample
        let font = try builder.load()
        XCTAssertEqual(font.samples[0].loopStart, 200)
    }

    func testMissingFileIsUnreadable() {
        XCTAssertThrowsError(try SoundFont(contentsOf: URL(fileURLWithPath: "/nonexistent/x.sf2"))) { error in
            guard case SynthError.unreadable(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "/nonexistent/x.sf2")
        }
    }

    /// 3000 seeded mutations of a valid font: each either loads (and then renders a note without
    /// trouble) or throws a `SynthError`.
    func testSeededFuzzNeverCrashes() throws {
        let good = TestSoundFontBuilder().bytes()
        var rng: UInt64 = 0xC0FFEE
        func next() -> UInt64 { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return rng >> 33 }
        var loaded = 0, rejected = 0
        for _ in 0..<3000 {
            var b = good
            for _ in 0..<(1 + Int(next() % 4)) {
                let i = Int(next() % UInt64(b.count))
                switch next() % 3 {
                case 0: b[i] = UInt8(next() & 0xff)
                case 1: b[i] ^= UInt8(1 << (next() % 8))
                default: b[i] = [0x00, 0xff, 0x7f, 0x80][Int(next() % 4)]
                }
            }
            if next() % 10 == 0 { b = Array(b.prefix(Int(next() % UInt64(b.count)))) }
            do {
                let font = try parse(b)
                loaded += 1
                let synth = Synthesizer(font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
                synth.send(.noteOn(channel: 0, key: Int(next() % 128), velocity: 100))
                var l = [Float](repeating: 0, count: 256), r = l
                synth.render(frameCount: 256, left: &l, right: &r)
                XCTAssertTrue(l.allSatisfy { $0.isFinite })
            } catch is SynthError {
                rejected += 1
            }
        }
        XCTAssertGreaterThan(rejected, 100)
        XCTAssertGreaterThan(loaded, 100)
    }
}
