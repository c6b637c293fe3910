import Foundation

/// Hz ↔ mel conversions as `librosa.hz_to_mel` / `librosa.mel_to_hz`.
///
/// Slaney (default, the Auditory Toolbox's scale): linear below 1 kHz at 200/3 Hz per mel,
/// logarithmic above with 27 mels per factor 6.4. HTK: `2595 · log10(1 + f / 700)`.
public enum MelScale {
    static let fSp = 200.0 / 3
    static let minLogHz = 1000.0
    static let minLogMel = minLogHz / fSp
    static let logStep = log(6.4) / 27

    /// Mel value of `hz` Hz.
    public static func hzToMel(_ hz: Double, htk: Bool = false) -> Double {
        if htk { return 2595 * log10(1 + hz / 700) }
        return hz >= minLogHz ? minLogMel + log(hz / minLogHz) / logStep : hz / fSp
    }

    /// Frequency in Hz of mel value `mel`.
    public static func melToHz(_ mel: Double, htk: Bool = false) -> Double {
        if htk { return 700 * (pow(10, mel / 2595) - 1) }
        return mel >= minLogMel ? minLogHz * exp(logStep * (mel - minLogMel)) : fSp * mel
    }

    /// `count` frequencies in Hz evenly spaced in mels from `fMin` to `fMax`
    /// (`librosa.mel_frequencies`, with `np.linspace`'s arithmetic).
    public static func melFrequencies(count: Int, fMin: Double, fMax: Double, htk: Bool = false) -> [Double] {
        let lo = hzToMel(fMin, htk: htk), hi = hzToMel(fMax, htk: htk)
        return linspace(lo, hi, count).map { melToHz($0, htk: htk) }
    }

    /// `np.linspace(start, stop, count)` (endpoint included, computed as numpy does).
    static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (stop - start) / Double(count - 1)
        var out = (0..<count).map { Double($0) * step + start }
        out[count - 1] = stop
        return out
    }
}
