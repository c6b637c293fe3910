import MuseAudio
import XCTest

final class AudioBufferTests: XCTestCase {
    let stereo = AudioBuffer(planar: [1, 0.5, -1, 0, 0.5, 1], channelCount: 2, sampleRate: 10)

    func testMonoMixIsMeanOfChannels() {
        let mono = stereo.monoMixed()
        XCTAssertEqual(mono.channelCount, 1)
        XCTAssertEqual(mono.samples, [0.5, 0.5, 0])
    }

    func testGainInDecibels() {
        let louder = AudioBuffer(mono: [0.1, -0.2], sampleRate: 1).withGain(decibels: 20)
        XCTAssertEqual(louder.samples[0], 1, accuracy: 1e-6)
        XCTAssertEqual(louder.samples[1], -2, accuracy: 1e-6)
    }

    func testPeakNormalization() {
        let n = AudioBuffer(mono: [0.25, -0.5], sampleRate: 1).peakNormalized(toDecibels: -6.0206)
        XCTAssertEqual(n.peakAmplitude, 0.5, accuracy: 1e-4)
        XCTAssertEqual(n.samples[0], 0.25, accuracy: 1e-4)
    }

    func testNormalizingSilenceLeavesSilence() {
        XCTAssertEqual(AudioBuffer(silenceFrames: 4, channelCount: 2, sampleRate: 8).peakNormalized().samples,
                       [Float](repeating: 0, count: 8))
    }

    func testSlicingFramesKeepsChannelsAndClamps() {
        let s = stereo.slice(frames: 1..<10)
        XCTAssertEqual(s.frameCount, 2)
        XCTAssertEqual(s.samples, [0.5, -1, 0.5, 1])
        XCTAssertEqual(stereo.slice(frames: 5..<7).frameCount, 0)
    }

    func testSlicingSeconds() {
        let s = stereo.slice(fromSeconds: 0.1, toSeconds: 0.2)  // 10 Hz: frame 1 only
        XCTAssertEqual(s.samples, [0.5, 0.5])
        XCTAssertEqual(stereo.durationSeconds, 0.3, accuracy: 1e-12)
    }
}
