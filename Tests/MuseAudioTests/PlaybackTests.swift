import MuseAudio
import XCTest

/// The whole streaming path (background thread, periods, drain/drop, close), exercised through a
/// file sink and ALSA's `null` device so it runs on machines with no sound card.
final class PlaybackTests: XCTestCase {
    func tone(frames: Int, channels: Int = 2) -> AudioBuffer {
        var planar = [Float](repeating: 0, count: frames * channels)
        for c in 0..<channels { for f in 0..<frames { planar[c * frames + f] = 0.5 * sin(Float(f) * 0.01 * Float(c + 1)) } }
        return AudioBuffer(planar: planar, channelCount: channels, sampleRate: 22050)
    }

    func testFileSinkReceivesEveryFrameInOrder() throws {
        let path = try temporaryFolder(self).appendingPathComponent("out.wav").path
        let buffer = tone(frames: 10_000)
        let report = try AudioPlayer(sink: WAVFileSink(path: path, format: .wavFloat, periodFrames: 256))
            .play(AudioBufferSource(buffer), stopOnInterrupt: false)
        XCTAssertEqual(report, AudioPlayer.Report(framesPlayed: 10_000, stoppedEarly: false))
        XCTAssertEqual(try AudioFile.read(path), buffer)
    }

    func testNullDeviceStreamsWholeBuffer() throws {
        let report = try AudioPlayer(sink: ALSASink(device: "null")).play(AudioBufferSource(tone(frames: 5000)))
        XCTAssertEqual(report.framesPlayed, 5000)
        XCTAssertFalse(report.stoppedEarly)
    }

    func testStopEndsAnEndlessSourceEarly() throws {
        let path = try temporaryFolder(self).appendingPathComponent("endless.wav").path
        let started = expectation(description: "rendering")
        started.assertForOverFulfill = false
        let source = ClosureAudioSource(sampleRate: 8000, channelCount: 1) { buffer, frames in
            for i in 0..<frames { buffer[i] = 0.1 }
            started.fulfill()
            usleep(1000)
            return frames
        }
        let player = AudioPlayer(sink: WAVFileSink(path: path, periodFrames: 100))
        try player.start(source)
        wait(for: [started], timeout: 5)
        player.stop()
        let report = try player.wait()
        XCTAssertTrue(report.stoppedEarly)
        XCTAssertGreaterThan(report.framesPlayed, 0)
        XCTAssertEqual(try AudioFile.info(path).frameCount, report.framesPlayed)
    }

    func testSourceEndingMidPeriodEndsStream() throws {
        var remaining = 250
        let source = ClosureAudioSource(sampleRate: 8000, channelCount: 1) { buffer, frames in
            let n = min(frames, remaining)
            for i in 0..<n { buffer[i] = 0 }
            remaining -= n
            return n
        }
        let path = try temporaryFolder(self).appendingPathComponent("short.wav").path
        let report = try AudioPlayer(sink: WAVFileSink(path: path, periodFrames: 100)).play(source, stopOnInterrupt: false)
        XCTAssertEqual(report.framesPlayed, 250)
    }

    func testUnknownDeviceFailsAtOnceWithOneLine() {
        let start = Date()
        XCTAssertThrowsError(try AudioPlayer(sink: ALSASink(device: "no_such_device_xyz")).play(AudioBufferSource(tone(frames: 10)))) {
            guard case .deviceUnavailable(let device, let reason)? = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertEqual(device, "no_such_device_xyz")
            XCTAssertFalse(reason.isEmpty)
            XCTAssertFalse("\($0)".contains("\n"))
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testSourceWithoutChannelsIsRejected() {
        let source = ClosureAudioSource(sampleRate: 8000, channelCount: 0) { _, _ in 0 }
        XCTAssertThrowsError(try AudioPlayer(sink: ALSASink(device: "null")).play(source)) {
            guard case .invalidParameter? = $0 as? AudioError else { return XCTFail("\($0)") }
        }
    }
}
