import Foundation

/// Unit conversions of the synthesizer, each in one place, with FluidSynth's tables
/// (`fluid_conv.c`, `gen_conv.c`) so levels and pitches match it.
public enum SynthConversions {
    /// FluidSynth's `FLUID_PEAK_ATTENUATION`: the full range of the volume envelope, centibels.
    public static let peakAttenuationCentibels: Float = 960

    /// 10^(cB / -200) for 0...1440 cB in whole centibels (FluidSynth truncates to the table row).
    static let cb2ampTable: [Float] = (0..<1441).map { Float(pow(10.0, Double($0) / -200.0)) }

    /// Amplitude of an attenuation in centibels, as `fluid_cb2amp`: 1 below 0, 0 at 1441 and up.
    @inline(__always)
    public static func centibelsToAmplitude(_ cb: Float) -> Float {
        if cb < 0 { return 1 }
        if cb >= 1441 { return 0 }
        return cb2ampTable[Int(cb)]
    }

    /// Hertz of an absolute pitch in cents (8.1758 Hz is 0 cents, 6900 is A440), as
    /// `fluid_ct2hz_real`.
    @inline(__always)
    public static func absoluteCentsToHz(_ cents: Float) -> Float {
        Float(8.1757989156437073336828122976032719176391831357 * pow(2.0, Double(cents) / 1200.0))
    }

    /// Filter cutoff in Hz from absolute cents clamped to 1500...13500 (SF2.01 section 8.1.3 #8).
    public static func filterCentsToHz(_ cents: Float) -> Float {
        absoluteCentsToHz(min(max(cents, 1500), 13500))
    }

    /// Seconds of a time in timecents, 2^(tc/1200); -32768 or below means 0 s.
    public static func timecentsToSeconds(_ timecents: Float, min lo: Float = -12000, max hi: Float = 8000) -> Double {
        if timecents <= -32768 { return 0 }
        return pow(2.0, Double(min(max(timecents, lo), hi)) / 1200.0)
    }

    /// FluidSynth's concave curve table: 128 points, index 0 → 0, 127 → 1 (SF2.01 p. 73 pictures).
    static let concaveTable: [Float] = {
        var t = [Float](repeating: 0, count: 128)
        t[127] = 1
        for i in 1..<127 {
            let x = (-200.0 * 2 / 960.0) * log(Double(i) / 127.0) / M_LN10
            t[127 - i] = Float(x)
        }
        return t
    }()

    /// FluidSynth's convex curve table.
    static let convexTable: [Float] = {
        var t = [Float](repeating: 0, count: 128)
        t[127] = 1
        for i in 1..<127 {
            let x = (-200.0 * 2 / 960.0) * log(Double(i) / 127.0) / M_LN10
            t[i] = Float(1 - x)
        }
        return t
    }()

    private static func curve(_ table: [Float], _ val: Float) -> Float {
        if val < 0 { return 0 }
        let i = Int(val)
        if i >= 127 { return table[127] }
        return table[i] + (table[i + 1] - table[i]) * (val - Float(i))
    }
    /// Concave transform of 0...127, interpolated (`fluid_concave`).
    public static func concave(_ val: Float) -> Float { curve(concaveTable, val) }
    /// Convex transform of 0...127, interpolated (`fluid_convex`).
    public static func convex(_ val: Float) -> Float { curve(convexTable, val) }

    static let panTable: [Float] = (0..<1002).map { Float(sin(Double($0) * Double.pi / 2 / 1001.0)) }

    /// Equal-power pan gain for pan -500 (left) ... 500 (right) in 0.1 %, as `fluid_pan`:
    /// sin of a quarter turn, so the centre is -3 dB on both sides.
    public static func panGain(_ pan: Float, left: Bool) -> Float {
        let c = left ? -pan : pan
        if c <= -500 { return 0 }
        if c >= 500 { return 1 }
        return panTable[Int(c) + 500]
    }

    /// Decibels to an amplitude factor.
    public static func decibelsToAmplitude(_ db: Double) -> Double { pow(10, db / 20) }
}
