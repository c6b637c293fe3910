import Foundation

/// Unit conversions of the synthesizer, each in one place, with FluidSynth's tables
/// (`fluid_conv.c`, `gen_conv.c`) so levels and pitches match it.
public enum SynthConversions {
    /// FluidSynth's `FLUID_PEAK_ATTENUATION`: the full range of the volume envelope, centibels.
    public static let peakAttenuationCentibels: Double = 960

    /// 10^(cB / -200) for 0...1440 cB in whole centibels (FluidSynth truncates to the table row).
    static let cb2ampTable: [Double] = (0..<1441).map { Double(pow(10.0, Double($0) / -200.0)) }

    /// Amplitude of an attenuation in centibels, as `fluid_cb2amp`: 1 below 0, 0 at 1441 and up.
    @inline(__always)
    public static func centibelsToAmplitude(_ cb: Double) -> Double {
        if cb < 0 { return 1 }
        if cb >= 1441 { return 0 }
        return cb2ampTable[Int(cb)]
    }

    /// 6.875 Hz × 2^(i/1200) for i in 0..<1200 (FluidSynth's `fluid_ct2hz_tab`).
    static let ct2hzTable: [Double] = (0..<1200).map { Double(6.875 * pow(2.0, Double($0) / 1200.0)) }

    /// Hertz of an absolute pitch in cents (8.1758 Hz is 0 cents, 6900 is A440), as
    /// `fluid_ct2hz_real`: non-negative pitches are truncated to whole cents and read from a
    /// one-octave table scaled by a power of two; negative ones are computed exactly.
    @inline(__always)
    public static func absoluteCentsToHz(_ cents: Double) -> Double {
        if cents < 0 || !(cents < 30000) {
            if !cents.isFinite { return cents > 0 ? .greatestFiniteMagnitude : 0 }
            return Double(8.1757989156437073336828122976032719176391831357 * pow(2.0, Double(cents) / 1200.0))
        }
        let icents = Int(cents) + 300
        return Double(1 << (icents / 1200)) * ct2hzTable[icents % 1200]
    }

    /// Filter cutoff in Hz from absolute cents clamped to 1500...13500 (SF2.01 section 8.1.3 #8).
    public static func filterCentsToHz(_ cents: Double) -> Double {
        absoluteCentsToHz(min(max(cents, 1500), 13500))
    }

    /// Seconds of a time in timecents, 2^(tc/1200); -32768 or below means 0 s.
    public static func timecentsToSeconds(_ timecents: Double, min lo: Double = -12000, max hi: Double = 8000) -> Double {
        if timecents <= -32768 { return 0 }
        return pow(2.0, Double(min(max(timecents, lo), hi)) / 1200.0)
    }

    /// FluidSynth's concave curve table: 128 points, index 0 → 0, 127 → 1 (SF2.01 p. 73 pictures).
    static let concaveTable: [Double] = {
        var t = [Double](repeating: 0, count: 128)
        t[127] = 1
        for i in 1..<127 {
            let x = (-200.0 * 2 / 960.0) * log(Double(i) / 127.0) / M_LN10
            t[127 - i] = Double(x)
        }
        return t
    }()

    /// FluidSynth's convex curve table.
    static let convexTable: [Double] = {
        var t = [Double](repeating: 0, count: 128)
        t[127] = 1
        for i in 1..<127 {
            let x = (-200.0 * 2 / 960.0) * log(Double(i) / 127.0) / M_LN10
            t[i] = Double(1 - x)
        }
        return t
    }()

    private static func curve(_ table: [Double], _ val: Double) -> Double {
        if val < 0 { return 0 }
        let i = Int(val)
        if i >= 127 { return table[127] }
        return table[i] + (table[i + 1] - table[i]) * (val - Double(i))
    }
    /// Concave transform of 0...127, interpolated (`fluid_concave`).
    public static func concave(_ val: Double) -> Double { curve(concaveTable, val) }
    /// Convex transform of 0...127, interpolated (`fluid_convex`).
    public static func convex(_ val: Double) -> Double { curve(convexTable, val) }

    static let panTable: [Double] = (0..<1002).map { Double(sin(Double($0) * Double.pi / 2 / 1001.0)) }

    /// Equal-power pan gain for pan -500 (left) ... 500 (right) in 0.1 %, as `fluid_pan`:
    /// sin of a quarter turn, so the centre is -3 dB on both sides.
    public static func panGain(_ pan: Double, left: Bool) -> Double {
        let c = left ? -pan : pan
        if c <= -500 { return 0 }
        if c >= 500 { return 1 }
        return panTable[Int(c) + 500]
    }

    /// Decibels to an amplitude factor.
    public static func decibelsToAmplitude(_ db: Double) -> Double { pow(10, db / 20) }
}
