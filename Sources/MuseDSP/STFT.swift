import Dispatch
/// Short-time Fourier transform, as `librosa.stft` (librosa 0.11 defaults).
///
/// Frames are `nFFT` samples `hopLength` apart, each multiplied by the periodic window and
/// transformed with FFTW (single precision). librosa computes in double precision and rounds to
/// complex64; the two agree to ~1e-6 of the spectrum's peak magnitude.
/// - Parameters:
///   - y: mono signal, samples.
///   - nFFT: FFT length (`n_fft`, default 2048).
///   - hopLength: samples between frames (nil → `winLength / 4`).
///   - winLength: window length ≤ `nFFT` (nil → `nFFT`).
///   - window: window shape (default Hann, periodic).
///   - center: pad `nFFT / 2` at both ends so frame t is centred on sample `t × hopLength`.
///   - padMode: padding when centred (default zeros, as librosa 0.11).
///   - plans: FFT plan cache (default the shared one).
/// - Returns: `[1 + nFFT / 2, frames]` complex, `frames = 1 + (len + 2·(nFFT/2)·center − nFFT) / hop`.
/// - Throws: `DSPError.invalidParameter` (odd or non-positive `nFFT`, `hopLength ≤ 0`,
///   `winLength` outside 1...nFFT), `.signalTooShort` (empty, or shorter than `nFFT` uncentred),
///   `.nonFinite` (NaN or infinity in `y`).
public func stft(_ y: [Float], nFFT: Int = 2048, hopLength: Int? = nil, winLength: Int? = nil,
                 window: Window = .hann, center: Bool = true, padMode: PadMode = .constant,
                 plans: FFTPlanCache = .shared) throws -> ComplexSpectrogram {
    try stft(y, parameters: STFTParameters(nFFT: nFFT, hopLength: hopLength, winLength: winLength,
                                           window: window, center: center, padMode: padMode), plans: plans)
}

/// `stft` with its settings in one value.
public func stft(_ y: [Float], parameters: STFTParameters, plans: FFTPlanCache = .shared) throws -> ComplexSpectrogram {
    let engine = try STFTEngine(parameters, plans: plans)
    let frames = try engine.frameCount(signalLength: y.count)
    try checkFinite(y, what: "signal")
    // Every element is written by the forward pass, so the outputs skip zero-filling.
    var imag = [Float]()
    let count = engine.bins * frames
    let real = [Float](filledCount: count) { re in
        imag = [Float](filledCount: count) { im in
            adviseHugePages(re, bytes: count * 4)
            adviseHugePages(im, bytes: count * 4)
            y.withUnsafeBufferPointer { src in
                let signal = FramedSignal(src.baseAddress!, length: y.count, engine: engine)
                engine.forward(signal, frames: frames, real: re, imag: im)
            }
        }
    }
    return ComplexSpectrogram(real: real, imag: imag, frequencyCount: engine.bins, frameCount: frames)
}

/// Inverse short-time Fourier transform by windowed overlap-add, as `librosa.istft`.
///
/// Each frame is inverse-transformed, windowed, overlap-added, and the sum is divided by the
/// window's sum of squares wherever that exceeds the smallest normal float (librosa's rule).
/// - Parameters:
///   - spectrogram: `[1 + nFFT / 2, frames]` complex.
///   - nFFT: nil → `2 × (frequencyCount − 1)`.
///   - length: output samples (zero-padded or trimmed); nil → `nFFT + hop·(frames − 1)`
///     minus `2·(nFFT/2)` when centred.
/// - Returns: `[length]` samples.
/// - Throws: `DSPError.invalidParameter`, `.shapeMismatch` when the bins do not match `nFFT`.
public func istft(_ spectrogram: ComplexSpectrogram, hopLength: Int? = nil, winLength: Int? = nil,
                  nFFT: Int? = nil, window: Window = .hann, center: Bool = true, length: Int? = nil,
                  plans: FFTPlanCache = .shared) throws -> [Float] {
    let n = nFFT ?? 2 * (spectrogram.frequencyCount - 1)
    let parameters = STFTParameters(nFFT: n, hopLength: hopLength, winLength: winLength, window: window, center: center)
    let engine = try STFTEngine(parameters, plans: plans)
    guard spectrogram.frequencyCount == engine.bins else {
        throw DSPError.shapeMismatch(what: "istft input", expected: "[\(engine.bins), frames] for n_fft=\(n)",
                                     got: "[\(spectrogram.frequencyCount), \(spectrogram.frameCount)]")
    }
    if let length, length < 0 {
        throw DSPError.invalidParameter(name: "length", value: "\(length)", reason: "must be non-negative")
    }
    guard spectrogram.frameCount > 0 else { return [Float](repeating: 0, count: length ?? 0) }
    let shape = engine.inverseShape(frames: spectrogram.frameCount, length: length)
    // The split [bins, frames] input is gathered a tile of frames at a time inside the inverse
    // (no frame-major copy of the whole spectrogram).
    let wss = engine.windowSumSquare(frames: shape.frames)
    // The inverse writes every output sample, so the array is not zero-filled first.
    return [Float](filledCount: shape.length) { base in
        adviseHugePages(base, bytes: shape.length * MemoryLayout<Float>.stride)
        spectrogram.real.withUnsafeBufferPointer { re in
            spectrogram.imag.withUnsafeBufferPointer { im in
                engine.inverseSplit(real: re.baseAddress!, imag: im.baseAddress!, totalFrames: spectrogram.frameCount,
                                    frames: shape.frames, length: shape.length, wss: wss, into: base)
            }
        }
    }
}

/// Throws `DSPError.nonFinite` when `values` hold a NaN or an infinity.
func checkFinite(_ values: [Float], what: String) throws {
    // x × 0 is 0 for finite x and NaN for NaN or ±inf; 16 lanes of independent sums vectorise
    // (a single scalar sum would be one long dependency chain).
    let ok = values.withUnsafeBufferPointer { buf -> Bool in
        guard let base = buf.baseAddress else { return true }
        let n = buf.count, whole = n / 16 * 16
        var lanes = SIMD16<Float>()
        var i = 0
        while i < whole {
            lanes += UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<Float>.self) * 0
            i += 16
        }
        var acc = lanes.sum()
        while i < n { acc += base[i] * 0; i += 1 }
        return !acc.isNaN
    }
    if !ok { throw DSPError.nonFinite(what: what) }
}

/// `stft` into an existing spectrogram's storage (librosa's `out=`), so repeated analyses of
/// equal-length signals allocate nothing but two frames of padded signal ends.
/// - Parameter output: must already have shape `[1 + nFFT / 2, frames]` for this signal.
/// - Throws: as `stft`, and `DSPError.shapeMismatch` when `output` has the wrong shape.
public func stft(_ y: [Float], parameters: STFTParameters, into output: inout ComplexSpectrogram,
                 plans: FFTPlanCache = .shared) throws {
    let engine = try STFTEngine(parameters, plans: plans)
    let frames = try engine.frameCount(signalLength: y.count)
    guard output.frequencyCount == engine.bins, output.frameCount == frames else {
        throw DSPError.shapeMismatch(what: "stft output", expected: "[\(engine.bins), \(frames)]",
                                     got: "[\(output.frequencyCount), \(output.frameCount)]")
    }
    try checkFinite(y, what: "signal")
    y.withUnsafeBufferPointer { src in
        let signal = FramedSignal(src.baseAddress!, length: y.count, engine: engine)
        output.real.withUnsafeMutableBufferPointer { re in
            output.imag.withUnsafeMutableBufferPointer { im in
                engine.forward(signal, frames: frames, real: re.baseAddress!, imag: im.baseAddress!)
            }
        }
    }
}
