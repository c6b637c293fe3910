/// A SoundFont modulator (SF2.01 section 8.2): `amount * f(source) * g(amountSource)` added to a
/// generator. Sources are encoded as FluidSynth keeps them: an index and flags
/// (bit 0 negative direction, bit 1 bipolar, bits 2-3 curve: linear, concave, convex, switch;
/// bit 4 MIDI CC).
public struct Modulator: Equatable, Sendable {
    public var source1: Int
    public var flags1: Int
    public var source2: Int
    public var flags2: Int
    /// Destination generator (`GeneratorType.rawValue`).
    public var destination: Int
    public var amount: Double

    /// General-controller source indices (SF2.01 section 8.2.1).
    public enum Source {
        public static let none = 0, velocity = 2, key = 3, polyPressure = 10, channelPressure = 13,
                          pitchWheel = 14, pitchWheelSensitivity = 16
    }
    public static let negative = 1, bipolar = 2, concave = 4, convex = 8, switchCurve = 12, cc = 16

    public init(source1: Int, flags1: Int, source2: Int = 0, flags2: Int = 0, destination: GeneratorType, amount: Double) {
        self.source1 = source1; self.flags1 = flags1; self.source2 = source2; self.flags2 = flags2
        self.destination = destination.rawValue; self.amount = amount
    }

    /// Decodes a file record; nil for linked or unknown destinations and invalid sources.
    init?(record m: SoundFontFile.ModulatorRecord) {
        func decode(_ s: UInt16) -> (Int, Int) {
            let index = Int(s & 0x7f)
            let flags = Int((s >> 8) & 1) | Int((s >> 9) & 1) << 1 | Int((s >> 10) & 0x3f) << 2 | Int((s >> 7) & 1) << 4
            return (index, flags)
        }
        guard m.destination & 0x8000 == 0, Int(m.destination) < GeneratorType.count, m.transform == 0 else { return nil }
        (source1, flags1) = decode(m.source)
        (source2, flags2) = decode(m.amountSource)
        destination = Int(m.destination)
        amount = Double(m.amount)
        guard Modulator.isValid(source1, flags1, primary: true), Modulator.isValid(source2, flags2, primary: false) else { return nil }
    }

    static func isValid(_ src: Int, _ flags: Int, primary: Bool) -> Bool {
        if flags >> 2 & 0x3c != 0 { return false } // curve types beyond switch
        if flags & cc != 0 {
            // CCs that may not be modulator sources (SF2.01 section 8.2.1).
            return !(src == 0 || src == 6 || (src >= 32 && src <= 63) || src == 38 || (src >= 98 && src <= 101) || src >= 120)
        }
        switch src {
        case Source.none: return !primary || true
        case Source.velocity, Source.key, Source.polyPressure, Source.channelPressure, Source.pitchWheel, Source.pitchWheelSensitivity: return true
        default: return false
        }
    }

    /// True when sources, flags and destination agree (SF2.01 section 9.5.1 identity).
    public func isIdentical(to o: Modulator) -> Bool {
        source1 == o.source1 && flags1 == o.flags1 && source2 == o.source2 && flags2 == o.flags2 && destination == o.destination
    }

    /// True when a source of this modulator is `index` (CC when `isCC`).
    func hasSource(_ index: Int, isCC: Bool) -> Bool {
        (source1 == index && (flags1 & Modulator.cc != 0) == isCC) || (source2 == index && (flags2 & Modulator.cc != 0) == isCC)
    }

    /// FluidSynth's `default_vel2filter_mod`, whose value FluidSynth 2.x forces to 0.
    public static let velocityToFilter = Modulator(source1: Source.velocity, flags1: negative,
                                                   source2: Source.velocity, flags2: switchCurve,
                                                   destination: .initialFilterFc, amount: -2400)

    /// The default modulators of SF2.01 section 8.4 in FluidSynth's form: velocity → attenuation
    /// (concave, 960 cB), velocity → filter (kept but silent, as FluidSynth), channel pressure and
    /// CC1 → vibrato depth (50 cents), CC7 and CC11 → attenuation (concave, 960 cB), CC10 → pan
    /// (500), CC91 → reverb and CC93 → chorus send (200), pitch wheel × sensitivity → fine tune
    /// (12700 cents).
    public static let defaults: [Modulator] = [
        Modulator(source1: Source.velocity, flags1: concave | negative, destination: .initialAttenuation, amount: 960),
        velocityToFilter,
        Modulator(source1: Source.channelPressure, flags1: 0, destination: .vibLfoToPitch, amount: 50),
        Modulator(source1: 1, flags1: cc, destination: .vibLfoToPitch, amount: 50),
        Modulator(source1: 7, flags1: cc | concave | negative, destination: .initialAttenuation, amount: 960),
        Modulator(source1: 10, flags1: cc | bipolar, destination: .pan, amount: 500),
        Modulator(source1: 11, flags1: cc | concave | negative, destination: .initialAttenuation, amount: 960),
        Modulator(source1: 91, flags1: cc, destination: .reverbEffectsSend, amount: 200),
        Modulator(source1: 93, flags1: cc, destination: .chorusEffectsSend, amount: 200),
        Modulator(source1: Source.pitchWheel, flags1: bipolar, source2: Source.pitchWheelSensitivity, flags2: 0,
                  destination: .fineTune, amount: 12700),
    ]

    /// Transforms a raw source value (`val / range` normalised) by the flags' curve, direction
    /// and polarity, as `fluid_mod_transform_source_value`.
    static func transform(_ val: Double, flags: Int, range: Double) -> Double {
        let n = val / range
        let f = flags & 0x0f
        let curveType = f & 0x0c, bip = f & bipolar != 0, neg = f & negative != 0
        func shape(_ x: Double) -> Double { // unipolar positive shape of x in 0...1
            switch curveType {
            case 0: return x
            case concave: return SynthConversions.concave(127 * x)
            case convex: return SynthConversions.convex(127 * x)
            default: return x >= 0.5 ? 1 : 0
            }
        }
        if curveType == switchCurve {
            let on = n >= 0.5
            if bip { return (on != neg) ? 1 : -1 }
            return (on != neg) ? 1 : 0
        }
        if !bip { return shape(neg ? 1 - n : n) }
        if curveType == 0 { return neg ? 1 - 2 * n : -1 + 2 * n }
        let v: Double = n > 0.5 ? shape(2 * (n - 0.5)) : -shape(2 * (0.5 - n))
        return neg ? -v : v
    }
}
