/// A perceptually ordered colour map: dark purple through red and orange to pale yellow,
/// approximating matplotlib's "magma" (van der Walt & Smith) by linear interpolation between
/// nine anchor colours sampled from it.
public struct ColorMap: Sendable {
    /// Anchors (R, G, B in 0...1) at evenly spaced positions 0, 1/8, …, 1.
    let anchors: [(Double, Double, Double)]

    /// Magma-like: black-purple (quiet) to pale yellow (loud).
    public static let magma = ColorMap(anchors: [
        (0.001, 0.000, 0.014), (0.099, 0.068, 0.256), (0.232, 0.059, 0.437), (0.390, 0.100, 0.502),
        (0.550, 0.161, 0.506), (0.716, 0.215, 0.475), (0.868, 0.288, 0.409), (0.981, 0.534, 0.382),
        (0.987, 0.991, 0.750),
    ])

    /// The colour of `value` in 0...1 (clamped; NaN maps to 0).
    public func color(_ value: Float) -> (UInt8, UInt8, UInt8) {
        let v = value.isNaN ? 0 : Double(min(max(value, 0), 1))
        let position = v * Double(anchors.count - 1)
        let i = min(Int(position), anchors.count - 2)
        let f = position - Double(i)
        let a = anchors[i], b = anchors[i + 1]
        func byte(_ x: Double, _ y: Double) -> UInt8 { UInt8(((x + (y - x) * f) * 255).rounded()) }
        return (byte(a.0, b.0), byte(a.1, b.1), byte(a.2, b.2))
    }
}
