import Foundation
import MuseAudio
import XCTest

/// A frame count in a FLAC header is a claim, not a size: reading a file whose header
/// declares a billion frames allocates for the audio it really holds, then throws `.truncated`.
final class HeaderClaimTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try temporaryFolder(self) }

    /// Peak resident set of this process so far, in bytes.
    func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// A 42-byte FLAC: "fLaC" and one STREAMINFO block declaring `totalFrames` frames of
    /// 16-bit audio at 44.1 kHz in `channels` channels, and no audio frames at all.
    func flacHeader(totalFrames: UInt64, channels: Int) -> [UInt8] {
        var bytes = Array("fLaC".utf8)
        bytes += [0x80, 0x00, 0x00, 34]  // last metadata block, type STREAMINFO, 34 bytes
        bytes += [0x10, 0x00, 0x10, 0x00]  // min and max block size 4096
        bytes += [0, 0, 0, 0, 0, 0]  // min and max frame size unknown
        // 20 bits sample rate, 3 bits channels − 1, 5 bits bits-per-sample − 1, 36 bits frames.
        var packed: UInt64 = 44100 << 44
        packed |= UInt64(channels - 1) << 41
        packed |= UInt64(15) << 36
        packed |= totalFrames & 0xF_FFFF_FFFF
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: packed >> UInt64(shift))) }
        bytes += [UInt8](repeating: 0, count: 16)  // MD5 unknown
        return bytes
    }

    func testFLACHeaderDeclaringHalfABillionFramesIsTruncatedWithoutAllocatingThem() throws {
        let declared = (AudioFile.maxSampleCount / 2) - 1
        let path = folder.appendingPathComponent("claim.flac").path
        try Data(flacHeader(totalFrames: UInt64(declared), channels: 2)).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try AudioFile.info(path).frameCount, declared)
        let before = peakResidentBytes()
        XCTAssertThrowsError(try AudioFile.read(path)) {
            XCTAssertEqual($0 as? AudioError, .truncated(path: path, field: "frames", declared: declared, available: 0))
        }
        // Zeroing 2^30 floats first would touch 4 GiB; one decode block is 256 KiB.
        XCTAssertLessThan(peakResidentBytes() - before, 64 << 20)
    }

    func testFLACHeaderBeyondTheSampleLimitIsRefusedBeforeDecoding() throws {
        let path = folder.appendingPathComponent("huge.flac").path
        try Data(flacHeader(totalFrames: 1 << 34, channels: 8)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try AudioFile.read(path)) {
            guard case .tooLarge(let p, "frames", 1 << 34, _)? = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertEqual(p, path)
        }
    }

    func testCallerLimitOnSamplesIsApplied() throws {
        let path = folder.appendingPathComponent("small.flac").path
        try AudioFile.write(AudioBuffer(mono: [Float](repeating: 0.25, count: 5000), sampleRate: 8000), to: path, format: .flac16)
        XCTAssertEqual(try AudioFile.read(path, maxSampleCount: 5000).frameCount, 5000)
        XCTAssertThrowsError(try AudioFile.read(path, maxSampleCount: 4999)) {
            XCTAssertEqual($0 as? AudioError, .tooLarge(path: path, field: "frames", value: 5000, limit: 4999))
        }
    }

    /// Found by fuzz-audio: an Ogg Vorbis file with a broken comment header made libsndfile leak
    /// inside sf_open (libvorbis's own allocation, suppressed in Fuzz/lsan.supp); Muse reports it
    /// as unreadable audio naming the file.
    func testFuzzedOggWithBrokenHeadersIsUnreadable() throws {
        let path = Fixture.path("fuzz_ogg_bad_headers.ogg")
        XCTAssertThrowsError(try AudioFile.read(path)) {
            guard let error = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertTrue(error.description.hasPrefix(path), error.description)
        }
    }
}
