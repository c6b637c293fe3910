/// A complex short-time Fourier transform, laid out as librosa's: `[frequencyCount, frameCount]`.
///
/// Split storage: `real` and `imag` are each row-major `[frequencyCount, frameCount]`, so element
/// (bin k, frame t) is `real[k * frameCount + t] + i·imag[k * frameCount + t]`, the same indexing
/// as `librosa.stft(y)[k, t]`. Bin k is `k × sampleRate / nFFT` Hz; frame t is centred at sample
/// `t × hopLength` when the transform was centred.
public struct ComplexSpectrogram: Equatable, Sendable {
    /// Real parts, `[frequencyCount, frameCount]`.
    public var real: [Float]
    /// Imaginary parts, `[frequencyCount, frameCount]`.
    public var imag: [Float]
    /// Frequency bins (`nFFT / 2 + 1`).
    public let frequencyCount: Int
    /// Time frames.
    public let frameCount: Int

    /// Wraps split complex storage `[frequencyCount, frameCount]`.
    public init(real: [Float], imag: [Float], frequencyCount: Int, frameCount: Int) {
        precondition(real.count == frequencyCount * frameCount && imag.count == real.count,
                     "ComplexSpectrogram: storage does not match [\(frequencyCount), \(frameCount)]")
        self.real = real; self.imag = imag
        self.frequencyCount = frequencyCount; self.frameCount = frameCount
    }

    /// `|X|^power` element-wise (`power` 1 is magnitude, 2 is power), as `np.abs(D) ** power`.
    /// - Returns: `[frequencyCount, frameCount]`
    public func magnitude(power: Float = 1) -> Spectrogram {
        var out = [Float](repeating: 0, count: real.count)
        out.withUnsafeMutableBufferPointer { o in
            real.withUnsafeBufferPointer { re in
                imag.withUnsafeBufferPointer { im in
                    if power == 2 {
                        for i in o.indices { o[i] = re[i] * re[i] + im[i] * im[i] }
                    } else if power == 1 {
                        for i in o.indices { o[i] = (re[i] * re[i] + im[i] * im[i]).squareRoot() }
                    } else {
                        for i in o.indices { o[i] = Float.pow(re[i] * re[i] + im[i] * im[i], power / 2) }
                    }
                }
            }
        }
        return Spectrogram(values: out, rowCount: frequencyCount, frameCount: frameCount)
    }

    /// `|X|²` element-wise.
    public func power() -> Spectrogram { magnitude(power: 2) }
}

/// A real-valued time–frequency array: magnitudes, powers, mel bands or decibels,
/// `[rowCount, frameCount]` row-major (rows are frequency bins or mel bands, low first).
public struct Spectrogram: Equatable, Sendable {
    /// Row-major values `[rowCount, frameCount]`.
    public var values: [Float]
    /// Frequency bins or mel bands.
    public let rowCount: Int
    /// Time frames.
    public let frameCount: Int

    /// Wraps `[rowCount, frameCount]` row-major values.
    public init(values: [Float], rowCount: Int, frameCount: Int) {
        precondition(values.count == rowCount * frameCount,
                     "Spectrogram: \(values.count) values do not match [\(rowCount), \(frameCount)]")
        self.values = values; self.rowCount = rowCount; self.frameCount = frameCount
    }

    /// The value at row `row`, frame `frame`.
    public subscript(row: Int, frame: Int) -> Float {
        get { values[row * frameCount + frame] }
        set { values[row * frameCount + frame] = newValue }
    }

    /// The shape `[rowCount, frameCount]`, for `.npy` output.
    public var shape: [Int] { [rowCount, frameCount] }
}

extension Float {
    @inline(__always) static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

import Foundation
