import Foundation
@testable import MuseDSP
import XCTest

/// The inverse STFT's internals: the window sum kept as head, period and tail, and the streamed
/// overlap-add whose output must not depend on how the frames are split between jobs (the
/// librosa fixtures in ISTFTTests are short enough for one job; these cover the splits).
final class InverseOverlapAddTests: XCTestCase {
    /// (n_fft, hop, win_length, window, frames): hops that divide n_fft and hops that do not,
    /// one frame, too few frames to repeat, and a hop as long as the window.
    let cases: [(nFFT: Int, hop: Int, win: Int, window: Window, frames: Int)] = [
        (2048, 512, 2048, .hann, 130), (1024, 300, 800, .hamming, 57), (16, 5, 16, .hann, 1),
        (16, 5, 16, .hann, 2), (16, 5, 11, .hann, 3), (64, 64, 64, .hann, 10), (64, 7, 50, .hamming, 40),
    ]

    /// librosa's `window_sumsquare` loop, frame by frame over the whole length, in float32.
    func frameByFrame(_ window: [Float], hop: Int, frames: Int) -> [Float] {
        var sums = [Float](repeating: 0, count: window.count + hop * (frames - 1))
        for t in 0..<frames {
            for i in 0..<window.count { sums[t * hop + i] += window[i] * window[i] }
        }
        return sums
    }

    func testWindowSumSquareEqualsTheFrameByFrameSumEverywhere() throws {
        for c in cases {
            let engine = try STFTEngine(STFTParameters(nFFT: c.nFFT, hopLength: c.hop, winLength: c.win, window: c.window))
            let expected = frameByFrame(engine.window, hop: c.hop, frames: c.frames)
            let wss = engine.windowSumSquare(frames: c.frames)
            XCTAssertEqual(wss.count, expected.count)
            let mismatches = (0..<expected.count).filter { wss[$0] != expected[$0] }
            XCTAssertEqual(mismatches, [], "n_fft \(c.nFFT) hop \(c.hop) frames \(c.frames)")
            // divide(): values / sum where the sum is above the smallest normal, else unchanged.
            let values = (0..<expected.count).map { Float($0 % 7) - 3 }
            var out = [Float](repeating: .nan, count: values.count)
            values.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in wss.divide(v.baseAddress!, from: 0, count: v.count, into: o.baseAddress!) }
            }
            let wanted = zip(values, expected).map { $1 > Float.leastNormalMagnitude ? $0 / $1 : $0 }
            XCTAssertEqual(out, wanted, "n_fft \(c.nFFT) hop \(c.hop) frames \(c.frames)")
        }
    }

    /// Tones, a chirp and noise, `count` samples.
    func music(_ count: Int) -> [Float] {
        var state: UInt64 = 7
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let t = Double(i) / 22050
            return Float(0.4 * sin(2 * .pi * 330 * t) + 0.2 * sin(2 * .pi * (80 * t + 300 * t * t)))
                + Float(Int64(bitPattern: state) >> 40) / Float(1 << 24) * 0.05
        }
    }

    func splitInverse(_ spec: ComplexSpectrogram, _ engine: STFTEngine, length: Int?, jobs: Int) -> [Float] {
        let shape = engine.inverseShape(frames: spec.frameCount, length: length)
        var y = [Float](repeating: .nan, count: shape.length)
        spec.real.withUnsafeBufferPointer { re in
            spec.imag.withUnsafeBufferPointer { im in
                y.withUnsafeMutableBufferPointer { out in
                    engine.inverseSplit(real: re.baseAddress!, imag: im.baseAddress!, totalFrames: spec.frameCount,
                                        frames: shape.frames, length: shape.length,
                                        wss: engine.windowSumSquare(frames: shape.frames), into: out.baseAddress!, jobs: jobs)
                }
            }
        }
        return y
    }

    func testSplitInverseIsBitIdenticalForEveryJobCount() throws {
        let y = music(3 * 22050)
        for parameters in [STFTParameters(), STFTParameters(nFFT: 1024, hopLength: 300, winLength: 800, window: .hamming, center: false)] {
            let engine = try STFTEngine(parameters)
            let spec = try stft(y, parameters: parameters)
            // No length, a length inside the frames, and one past them (zeros at the end).
            for length in [nil, 40_000, y.count + 5000] as [Int?] {
                let one = splitInverse(spec, engine, length: length, jobs: 1)
                XCTAssertFalse(one.contains { $0.isNaN }, "every sample written")
                for jobs in [2, 3, 7] {
                    let split = splitInverse(spec, engine, length: length, jobs: jobs)
                    XCTAssertEqual(split, one, "n_fft \(parameters.nFFT) length \(String(describing: length)) jobs \(jobs)")
                }
                if let length, length > y.count { XCTAssertTrue(one.suffix(length - y.count - 3000).allSatisfy { $0 == 0 }) }
            }
        }
    }

    func testFrameMajorInverseEqualsSplitInverseForEveryJobCount() throws {
        let parameters = STFTParameters(nFFT: 1024, hopLength: 300)
        let engine = try STFTEngine(parameters)
        let spec = try stft(music(2 * 22050), parameters: parameters)
        let expected = splitInverse(spec, engine, length: 44_100, jobs: 1)
        let shape = engine.inverseShape(frames: spec.frameCount, length: 44_100)
        for jobs in [1, 2, 5] {
            // Frame-major, interleaved rows; the inverse clobbers them, so build them each time.
            let rows = FFTScratch(count: shape.frames * engine.rowStride)
            for t in 0..<shape.frames {
                for k in 0..<engine.bins {
                    rows.pointer[t * engine.rowStride + 2 * k] = spec.real[k * spec.frameCount + t]
                    rows.pointer[t * engine.rowStride + 2 * k + 1] = spec.imag[k * spec.frameCount + t]
                }
            }
            var y = [Float](repeating: .nan, count: shape.length)
            y.withUnsafeMutableBufferPointer { out in
                engine.inverseFrameMajor(rows.pointer, frames: shape.frames, length: shape.length,
                                         wss: engine.windowSumSquare(frames: shape.frames), into: out.baseAddress!, jobs: jobs)
            }
            XCTAssertEqual(y, expected, "jobs \(jobs)")
        }
    }

    func testLongRoundTripWithAHopThatDoesNotDivideTheWindow() throws {
        let y = music(5 * 22050)
        let back = try istft(stft(y, nFFT: 1024, hopLength: 300), hopLength: 300, length: y.count)
        XCTAssertLessThan(maxAbsError(back, y), 1e-5)
    }
}
