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
    let spectrum = try stft(y, parameters: parameters, plans: plans).magnitude(power: power)
    return try bank.apply(spectrum)
}
