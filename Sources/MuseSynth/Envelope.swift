import Foundation

/// A DAHDSR envelope stepped once per 64-frame block, as FluidSynth's `fluid_adsr_env`: each
/// section runs `count` blocks of `value = coeff * value + increment`, clamped to `min...max`.
/// The volume envelope's value is linear in centibels (0 is -96 dB, 1 is full) after the attack,
/// and linear in amplitude during it; the modulation envelope is linear throughout.
struct Envelope {
    enum Section: Int { case delay = 0, attack, hold, decay, sustain, release, finished }

    struct Segment {
        var count: UInt32 = 0
        var coeff: Double = 0
        var increment: Double = 0
        var min: Double = -1
        var max: Double = 1
    }

    var delay = Segment(), attack = Segment(), hold = Segment(), decay = Segment(), release = Segment()
    /// Sustain and finished never change (FluidSynth sets them once).
    static let sustainSegment = Segment(count: .max, coeff: 1, increment: 0, min: -1, max: 2)
    static let finishedSegment = Segment(count: .max, coeff: 0, increment: 0, min: -1, max: 1)

    var count: UInt32 = 0
    var value: Double = 0
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
