import Foundation
import MuseDSP
import MuseSupport
import XCTest

/// Loads librosa's expectations written by `scripts/make_dsp_fixtures.py`.
enum Fixture {
    static let folder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func npy(_ name: String) throws -> NPYFile.Contents { try NPYFile.read(path(name + ".npy")) }

    /// The fixture test signal (8000 samples at 22.05 kHz).
    static func signal() throws -> [Float] { try npy("signal").values }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name)))
    }
}

/// Largest |a − b| divided by the largest |b|: errors measured against the array's scale, the
/// right yardstick for float32 FFT output, whose rounding error is proportional to the peak.
func peakRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "sizes \(a.count) vs \(b.count)")
    var worst: Float = 0, peak: Float = 0
    for i in a.indices {
        worst = max(worst, abs(a[i] - b[i]))
        peak = max(peak, abs(b[i]))
    }
    return peak > 0 ? worst / peak : worst
}

/// Largest |a − b|.
func maxAbsError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "sizes \(a.count) vs \(b.count)")
    var worst: Float = 0
    for i in a.indices { worst = max(worst, abs(a[i] - b[i])) }
    return worst
}

extension ComplexSpectrogram {
    /// Interleaved (re, im) in `[bins, frames]` order, as a `<c8` .npy holds it.
    var interleaved: [Float] {
        var out = [Float](repeating: 0, count: 2 * real.count)
        for i in real.indices { out[2 * i] = real[i]; out[2 * i + 1] = imag[i] }
        return out
    }
}
