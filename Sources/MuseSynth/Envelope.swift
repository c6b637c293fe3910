import Foundation

/// A DAHDSR envelope stepped once per 64-frame block, as FluidSynth's `fluid_adsr_env`: each
/// section runs `count` blocks of `value = coeff * value + increment`, clamped to `min...max`.
/// The volume envelope's value is linear in centibels (0 is -96 dB, 1 is full) after the attack,
/// and linear in amplitude during it; the modulation envelope is linear throughout.
struct Envelope {
    enum Section: Int { case delay = 0, attack, hold, decay, sustain, release, finished }

    struct Segment {
        var count: UInt32 = 0
        var coeff: Float = 0
        var increment: Float = 0
        var min: Float = -1
        var max: Float = 1
    }

    var delay = Segment(), attack = Segment(), hold = Segment(), decay = Segment(), release = Segment()
    /// Sustain and finished never change (FluidSynth sets them once).
    static let sustainSegment = Segment(count: .max, coeff: 1, increment: 0, min: -1, max: 2)
    static let finishedSegment = Segment(count: .max, coeff: 0, increment: 0, min: -1, max: 1)

    var count: UInt32 = 0
    var value: Float = 0
    var section: Section = .delay

    func segment(_ s: Section) -> Segment {
        switch s {
        case .delay: return delay
        case .attack: return attack
        case .hold: return hold
        case .decay: return decay
        case .sustain: return Envelope.sustainSegment
        case .release: return release
        case .finished: return Envelope.finishedSegment
        }
    }

    mutating func reset() { count = 0; value = 0; section = .delay }

    mutating func enter(_ s: Section) { section = s; count = 0 }

    /// Advances one block.
    mutating func step() {
        var seg = segment(section)
        while count >= seg.count {
            // Leaving decay forces the value to the sustain level.
            if section == .decay { value = seg.min * seg.coeff }
            section = Section(rawValue: section.rawValue + 1) ?? .finished
            count = 0
            seg = segment(section)
        }
        let x = seg.coeff * value + seg.increment
        if x < seg.min {
            value = seg.min
            section = Section(rawValue: section.rawValue + 1) ?? .finished
            count = 0
        } else if x > seg.max {
            value = seg.max
            section = Section(rawValue: section.rawValue + 1) ?? .finished
            count = 0
        } else {
            value = x
            count += 1
        }
    }
}

/// A triangle LFO stepped once per block (FluidSynth's `fluid_lfo`): value in -1...1 starting at
/// 0 going up, after a delay in frames.
struct LFO {
    var value: Float = 0
    /// Frames before it starts.
    var delayFrames: UInt32 = 0
    /// Change per block (4 × 64 × Hz / sampleRate).
    var increment: Float = 0

    mutating func step(ticks: UInt32) {
        if ticks < delayFrames { return }
        value += increment
        if value > 1 { increment = -increment; value = 2 - value }
        else if value < -1 { increment = -increment; value = -2 - value }
    }
}

/// The voice's resonant low-pass biquad (RBJ cookbook, direct form II) with FluidSynth's
/// SoundFont reading of Q: `initialFilterQ` in centibels above a non-resonant (Q = 1/√2) filter,
/// gain reduced by √Q, cutoff clamped to 5 Hz ... 0.45 × sample rate, coefficients glided over one
/// block when the cutoff moves.
struct LowPassFilter {
    var cutoffCents: Float = 13500
    var qLinear: Float = 0
    var gain: Float = 1
    var lastHz: Float = -1
    var startup = true
    var a1: Float = 0, a2: Float = 0, b02: Float = 0, b1: Float = 0
    var a1Inc: Float = 0, a2Inc: Float = 0, b02Inc: Float = 0, b1Inc: Float = 0
    var incCount = 0
    var compensate = false
    var hist1: Float = 0, hist2: Float = 0

    mutating func reset() { hist1 = 0; hist2 = 0; lastHz = -1; startup = true; incCount = 0 }

    /// Sets Q from the generator value in centibels.
    mutating func setQ(centibels: Float) {
        let qdB = min(max(centibels / 10, 0), 96) - 3.01
        qLinear = Float(pow(10.0, Double(qdB) / 20))
        gain = 1 / qLinear.squareRoot()
        lastHz = -1
    }

    /// Recomputes coefficients for cutoff `cutoffCents + modCents` when it moved by over 0.01 Hz.
    mutating func update(sampleRate: Float, modCents: Float) {
        var hz = SynthConversions.filterCentsToHz(cutoffCents + modCents)
        if hz > 0.45 * sampleRate { hz = 0.45 * sampleRate } else if hz < 5 { hz = 5 }
        guard abs(hz - lastHz) > 0.01, qLinear != 0 else { return }
        lastHz = hz
        let omega = 2 * Float.pi * hz / sampleRate
        let s = sin(omega), c = cos(omega)
        let alpha = s / (2 * qLinear)
        let a0inv = 1 / (1 + alpha)
        let na1 = -2 * c * a0inv
        let na2 = (1 - alpha) * a0inv
        let nb1 = (1 - c) * a0inv * gain
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
