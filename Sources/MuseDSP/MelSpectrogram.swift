/// Mel-scaled spectrogram of a signal, as `librosa.feature.melspectrogram`.
///
/// `|stft(y)|^power` (power 2 by default) through the mel filter bank.
/// - Parameters:
///   - y: mono signal.
///   - sampleRate: Hz (`sr`, default 22050).
///   - parameters: STFT settings (librosa defaults).
///   - power: exponent of the magnitude (2 power, 1 energy).
///   - nMels, fMin, fMax, htk, norm: as `MelFilterBank`.
/// - Returns: `[nMels, frames]`.
public func melSpectrogram(_ y: [Float], sampleRate: Double = 22050, parameters: STFTParameters = STFTParameters(),
                           power: Float = 2, nMels: Int = 128, fMin: Double = 0, fMax: Double? = nil,
                           htk: Bool = false, norm: MelNorm = .slaney,
                           plans: FFTPlanCache = .shared) throws -> Spectrogram {
    guard power > 0, power.isFinite else {
        throw DSPError.invalidParameter(name: "power", value: "\(power)", reason: "must be positive")
    }
    let bank = try MelFilterBank(sampleRate: sampleRate, nFFT: parameters.nFFT, nMels: nMels,
                                 fMin: fMin, fMax: fMax, htk: htk, norm: norm)
    return try bank.apply(spectrogram(y, parameters: parameters, power: power, plans: plans))
}

/// `|stft(y)|^power` without forming the complex spectrogram (librosa's `_spectrogram`):
/// half the memory traffic of `stft(y).magnitude(power:)`, same values.
/// - Returns: `[1 + nFFT / 2, frames]`.
public func spectrogram(_ y: [Float], parameters: STFTParameters = STFTParameters(), power: Float = 1,
                        plans: FFTPlanCache = .shared) throws -> Spectrogram {
    guard power > 0, power.isFinite else {
        throw DSPError.invalidParameter(name: "power", value: "\(power)", reason: "must be positive")
    }
    let engine = try STFTEngine(parameters, plans: plans)
    let frames = try engine.frameCount(signalLength: y.count)
    try checkFinite(y, what: "signal")
    let count = engine.bins * frames
    let values = [Float](filledCount: count) { out in
        adviseHugePages(out, bytes: count * 4)
        y.withUnsafeBufferPointer { src in
            let signal = FramedSignal(src.baseAddress!, length: y.count, engine: engine)
            engine.forwardPower(signal, frames: frames, power: power, into: out)
        }
    }
    return Spectrogram(values: values, rowCount: engine.bins, frameCount: frames)
}
