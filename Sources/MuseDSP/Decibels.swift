import Foundation

/// The reference level that maps to 0 dB (`ref` of `librosa.power_to_db`).
public enum DecibelReference: Equatable, Sendable {
    /// A fixed value (librosa's default `ref=1.0`).
    case value(Float)
    /// The spectrogram's maximum (`ref=np.max`), so the loudest cell is 0 dB.
    case maximum
}

/// `10 · log10(max(amin, S) / max(amin, ref))`, floored at `max − topDB`, as `librosa.power_to_db`.
/// - Parameters:
///   - power: `[rows, frames]` power values (≥ 0).
///   - ref: 0 dB level (default 1).
///   - amin: floor before the logarithm (default 1e-10, i.e. −100 dB).
///   - topDB: dynamic range kept below the maximum (default 80; nil keeps all).
/// - Returns: `[rows, frames]` in dB.
/// - Throws: `DSPError.invalidParameter` for `amin ≤ 0` or `topDB < 0`.
public func powerToDB(_ power: Spectrogram, ref: DecibelReference = .value(1), amin: Float = 1e-10,
                      topDB: Float? = 80) throws -> Spectrogram {
    guard amin > 0 else { throw DSPError.invalidParameter(name: "amin", value: "\(amin)", reason: "must be strictly positive") }
    if let topDB, topDB < 0 {
        throw DSPError.invalidParameter(name: "top_db", value: "\(topDB)", reason: "must be non-negative")
    }
    let refValue: Float
    switch ref {
    case .value(let v): refValue = abs(v)
    case .maximum: refValue = power.values.max() ?? 0
    }
    let offset = 10 * log10(max(amin, refValue))
    var out = power.values
    var peak = -Float.infinity
    out.withUnsafeMutableBufferPointer { buf in
        for i in buf.indices {
            let db = 10 * log10(max(amin, buf[i])) - offset
            buf[i] = db
            peak = max(peak, db)
        }
        if let topDB {
            let floor = peak - topDB
            for i in buf.indices where buf[i] < floor { buf[i] = floor }
        }
    }
    return Spectrogram(values: out, rowCount: power.rowCount, frameCount: power.frameCount)
}

/// `20 · log10(|S| / ref)` with the same floors, as `librosa.amplitude_to_db`
/// (`power_to_db(S², ref², amin²)`).
/// - Parameters:
///   - amplitude: `[rows, frames]` magnitudes.
///   - amin: floor (default 1e-5, i.e. −100 dB).
/// - Returns: `[rows, frames]` in dB.
public func amplitudeToDB(_ amplitude: Spectrogram, ref: DecibelReference = .value(1), amin: Float = 1e-5,
                          topDB: Float? = 80) throws -> Spectrogram {
    guard amin > 0 else { throw DSPError.invalidParameter(name: "amin", value: "\(amin)", reason: "must be strictly positive") }
    let refValue: Float
    switch ref {
    case .value(let v): refValue = abs(v)
    case .maximum: refValue = amplitude.values.map(abs).max() ?? 0
    }
    var power = amplitude
    power.values = amplitude.values.map { $0 * $0 }
    return try powerToDB(power, ref: .value(refValue * refValue), amin: amin * amin, topDB: topDB)
}

/// `ref · 10^(S_dB / 10)`, as `librosa.db_to_power`. - Returns: `[rows, frames]` power.
public func dbToPower(_ decibels: Spectrogram, ref: Float = 1) -> Spectrogram {
    var out = decibels
    out.values = decibels.values.map { ref * pow(10, $0 / 10) }
    return out
}
