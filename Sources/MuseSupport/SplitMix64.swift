import Foundation

/// A small, fast, seeded random generator (SplitMix64, Steele et al. 2014), the one Muse passes
/// to initialisers, dropout, shuffling, sampling and Griffin-Lim's initial phases. Its whole state is one `UInt64`,
/// `Codable`, so checkpoints store it and a resumed run continues the very same stream.
public struct SplitMix64: RandomNumberGenerator, Codable, Equatable, Sendable {
    /// The generator's complete state.
    public var state: UInt64

    /// A generator started from `seed`; the same seed always gives the same stream.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// The `index`-th (from 0) `nextUnitDouble()` of a generator seeded with `seed`, computed
    /// directly (the state after n steps is `seed + n·γ`), so parallel workers draw the same
    /// numbers however the work is split.
    @inlinable
    public static func unitDouble(seed: UInt64, index: UInt64) -> Double {
        var g = SplitMix64(seed: seed &+ index &* 0x9E37_79B9_7F4A_7C15)
        return g.nextUnitDouble()
    }
}

extension RandomNumberGenerator {
    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal `Float` (Box–Muller; one draw of two uniforms per sample).
    @inlinable
    public mutating func nextGaussian() -> Float {
        let u1 = Double((next() >> 11) + 1) * (1.0 / 9_007_199_254_740_993.0)  // (0, 1]
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}
