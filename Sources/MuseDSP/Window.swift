import Foundation

/// Analysis windows, periodic ("fftbins=True") as `librosa.filters.get_window` gives them.
///
/// Periodic windows of length N are the first N points of the symmetric window of length N + 1,
/// the right choice for overlap-add (a periodic Hann at hop N/4 sums to a constant).
public enum Window: String, CaseIterable, Sendable {
    /// `0.5 − 0.5 cos(2πn/N)` (scipy `hann`).
    case hann
    /// `0.54 − 0.46 cos(2πn/N)` (scipy `hamming`).
    case hamming
    /// `0.42 − 0.5 cos(2πn/N) + 0.08 cos(4πn/N)` (scipy `blackman`).
    case blackman
    /// All ones (scipy `boxcar`).
    case rectangular = "boxcar"

    /// The periodic window of `length` samples, computed in double precision and rounded once.
    /// - Returns: `[length]`
    public func values(length: Int) -> [Float] {
        precondition(length >= 0)
        let n = Double(length)
        return (0..<length).map { i in
            let x = 2 * Double.pi * Double(i) / n
            switch self {
            case .hann: return Float(0.5 - 0.5 * cos(x))
            case .hamming: return Float(0.54 - 0.46 * cos(x))
            case .blackman: return Float(0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x))
            case .rectangular: return 1
            }
        }
    }

    /// The window of `winLength` samples centred in `nFFT` zeros, as librosa's
    /// `util.pad_center(get_window(window, win_length), size=n_fft)`.
    /// - Returns: `[nFFT]`
    public func padded(winLength: Int, nFFT: Int) -> [Float] {
        precondition(winLength <= nFFT)
        var out = [Float](repeating: 0, count: nFFT)
        let left = (nFFT - winLength) / 2
        for (i, w) in values(length: winLength).enumerated() { out[left + i] = w }
        return out
    }
}
