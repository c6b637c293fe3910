import Foundation

/// The voice's resonant low-pass biquad (RBJ cookbook, direct form II) with FluidSynth's
/// SoundFont reading of Q: `initialFilterQ` in centibels above a non-resonant (Q = 1/√2) filter,
/// gain reduced by √Q, cutoff clamped to 5 Hz ... 0.45 × sample rate, coefficients glided over one
/// block when the cutoff moves.
struct LowPassFilter {
    /// Absolute cents (parameters in Double like FluidSynth's double build; samples in Float).
    var cutoffCents: Double = 13500
    var qLinear: Double = 0
    var gain: Double = 1
    var lastHz: Double = -1
    var startup = true
    var a1: Float = 0, a2: Float = 0, b02: Float = 0, b1: Float = 0
    var a1Inc: Float = 0, a2Inc: Float = 0, b02Inc: Float = 0, b1Inc: Float = 0
    var incCount = 0
    var compensate = false
    var hist1: Float = 0, hist2: Float = 0

    mutating func reset() { hist1 = 0; hist2 = 0; lastHz = -1; startup = true; incCount = 0 }

    /// Sets Q from the generator value in centibels.
    mutating func setQ(centibels: Double) {
        let qdB = min(max(centibels / 10, 0), 96) - 3.01
        qLinear = pow(10.0, qdB / 20)
        gain = 1 / qLinear.squareRoot()
        lastHz = -1
    }

    /// Recomputes coefficients for cutoff `cutoffCents + modCents` when it moved by over 0.01 Hz.
    mutating func update(sampleRate: Double, modCents: Double) {
        var hz = SynthConversions.filterCentsToHz(cutoffCents + modCents)
        if hz > 0.45 * sampleRate { hz = 0.45 * sampleRate } else if hz < 5 { hz = 5 }
        guard abs(hz - lastHz) > 0.01, qLinear != 0 else { return }
        lastHz = hz
        let omega = 2 * Double.pi * hz / sampleRate
        let s = sin(omega), c = cos(omega)
        let alpha = s / (2 * qLinear)
        let a0inv = 1 / (1 + alpha)
        let na1 = Float(-2 * c * a0inv)
        let na2 = Float((1 - alpha) * a0inv)
        let nb1 = Float((1 - c) * a0inv * gain)
        let nb02 = nb1 * 0.5
        compensate = false
        if startup {
            a1 = na1; a2 = na2; b02 = nb02; b1 = nb1; incCount = 0; startup = false
        } else {
            let n = Float(Voice.blockSize)
            a1Inc = (na1 - a1) / n; a2Inc = (na2 - a2) / n; b02Inc = (nb02 - b02) / n; b1Inc = (nb1 - b1) / n
            if abs(b02) > 0.0001 {
                let q = nb02 / b02
                compensate = q < 0.5 || q > 2
            }
            incCount = Voice.blockSize
        }
    }

    /// True when a full block can join a 4-wide batch: filter on, and either steady or gliding
    /// over exactly this block.
    var isBatchable: Bool { qLinear != 0 && (incCount == 0 || incCount == Voice.blockSize) }

    /// Filters four voices' full blocks at once: per lane the same arithmetic, in the same order,
    /// as `apply` (a steady lane adds zero increments and scales its history by one), four
    /// independent recursions in one SIMD register — a single voice's speed is bound by the
    /// recursion's latency, not its arithmetic.
    static func applyBatch(_ f0: inout LowPassFilter, _ f1: inout LowPassFilter, _ f2: inout LowPassFilter, _ f3: inout LowPassFilter,
                           _ p0: UnsafeMutablePointer<Float>, _ p1: UnsafeMutablePointer<Float>,
                           _ p2: UnsafeMutablePointer<Float>, _ p3: UnsafeMutablePointer<Float>) {
        func h(_ v: Float) -> Float { abs(v) < 1e-20 ? 0 : v }
        func gliding(_ f: LowPassFilter) -> Bool { f.incCount > 0 }
        var h1 = SIMD4<Float>(h(f0.hist1), h(f1.hist1), h(f2.hist1), h(f3.hist1))
        var h2 = SIMD4<Float>(f0.hist2, f1.hist2, f2.hist2, f3.hist2)
        var a1 = SIMD4<Float>(f0.a1, f1.a1, f2.a1, f3.a1), a2 = SIMD4<Float>(f0.a2, f1.a2, f2.a2, f3.a2)
        var b02 = SIMD4<Float>(f0.b02, f1.b02, f2.b02, f3.b02), b1 = SIMD4<Float>(f0.b1, f1.b1, f2.b1, f3.b1)
        let count = Voice.blockSize
        if !(gliding(f0) || gliding(f1) || gliding(f2) || gliding(f3)) {
            for i in 0..<count {
                let x = SIMD4<Float>(p0[i], p1[i], p2[i], p3[i])
                let centre = x - a1 * h1 - a2 * h2
                let y = b02 * (centre + h2) + b1 * h1
                p0[i] = y[0]; p1[i] = y[1]; p2[i] = y[2]; p3[i] = y[3]
                h2 = h1; h1 = centre
            }
        } else {
            func inc(_ f: LowPassFilter, _ v: Float) -> Float { gliding(f) ? v : 0 }
            let da1 = SIMD4<Float>(inc(f0, f0.a1Inc), inc(f1, f1.a1Inc), inc(f2, f2.a1Inc), inc(f3, f3.a1Inc))
            let da2 = SIMD4<Float>(inc(f0, f0.a2Inc), inc(f1, f1.a2Inc), inc(f2, f2.a2Inc), inc(f3, f3.a2Inc))
            let db02 = SIMD4<Float>(inc(f0, f0.b02Inc), inc(f1, f1.b02Inc), inc(f2, f2.b02Inc), inc(f3, f3.b02Inc))
            let db1 = SIMD4<Float>(inc(f0, f0.b1Inc), inc(f1, f1.b1Inc), inc(f2, f2.b1Inc), inc(f3, f3.b1Inc))
            func flag(_ f: LowPassFilter) -> Float { gliding(f) && f.compensate ? 1 : 0 }
            let compensateFlags = SIMD4<Float>(flag(f0), flag(f1), flag(f2), flag(f3))
            let compensate = compensateFlags .> 0
            let anyCompensate = compensateFlags.max() > 0
            for i in 0..<count {
                let x = SIMD4<Float>(p0[i], p1[i], p2[i], p3[i])
                let centre = x - a1 * h1 - a2 * h2
                let y = b02 * (centre + h2) + b1 * h1
                p0[i] = y[0]; p1[i] = y[1]; p2[i] = y[2]; p3[i] = y[3]
                h2 = h1; h1 = centre
                let old = b02
                a1 += da1; a2 += da2; b02 += db02; b1 += db1
                if anyCompensate {
                    let use = compensate .& ((b02 .> 0.001) .| (b02 .< -0.001))
                    let k = SIMD4<Float>(repeating: 1).replacing(with: old / b02, where: use)
                    h1 *= k; h2 *= k
                }
            }
        }
        f0.hist1 = h1[0]; f1.hist1 = h1[1]; f2.hist1 = h1[2]; f3.hist1 = h1[3]
        f0.hist2 = h2[0]; f1.hist2 = h2[1]; f2.hist2 = h2[2]; f3.hist2 = h2[3]
        f0.a1 = a1[0]; f1.a1 = a1[1]; f2.a1 = a1[2]; f3.a1 = a1[3]
        f0.a2 = a2[0]; f1.a2 = a2[1]; f2.a2 = a2[2]; f3.a2 = a2[3]
        f0.b02 = b02[0]; f1.b02 = b02[1]; f2.b02 = b02[2]; f3.b02 = b02[3]
        f0.b1 = b1[0]; f1.b1 = b1[1]; f2.b1 = b1[2]; f3.b1 = b1[3]
        f0.incCount = 0; f1.incCount = 0; f2.incCount = 0; f3.incCount = 0
    }

    /// Filters `buf[0..<count]` in place.
    mutating func apply(_ buf: UnsafeMutablePointer<Float>, count: Int) {
        guard qLinear != 0 else { return }
        var h1 = hist1, h2 = hist2
        if abs(h1) < 1e-20 { h1 = 0 }
        if incCount > 0 {
            for i in 0..<count {
                let centre = buf[i] - a1 * h1 - a2 * h2
                buf[i] = b02 * (centre + h2) + b1 * h1
                h2 = h1; h1 = centre
                if incCount > 0 {
                    incCount -= 1
                    let old = b02
                    a1 += a1Inc; a2 += a2Inc; b02 += b02Inc; b1 += b1Inc
                    if compensate && abs(b02) > 0.001 { let k = old / b02; h1 *= k; h2 *= k }
                }
            }
        } else {
            let a1 = self.a1, a2 = self.a2, b02 = self.b02, b1 = self.b1
            for i in 0..<count {
                let centre = buf[i] - a1 * h1 - a2 * h2
                buf[i] = b02 * (centre + h2) + b1 * h1
                h2 = h1; h1 = centre
            }
        }
        hist1 = h1; hist2 = h2
    }
}
