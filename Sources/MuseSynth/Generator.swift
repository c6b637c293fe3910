/// SoundFont 2.01 generator operators (section 8.1.2), numbered as in the file.
public enum GeneratorType: Int, CaseIterable, Sendable {
    case startAddrsOffset = 0, endAddrsOffset, startloopAddrsOffset, endloopAddrsOffset,
         startAddrsCoarseOffset, modLfoToPitch, vibLfoToPitch, modEnvToPitch, initialFilterFc,
         initialFilterQ, modLfoToFilterFc, modEnvToFilterFc, endAddrsCoarseOffset, modLfoToVolume,
         unused1, chorusEffectsSend, reverbEffectsSend, pan, unused2, unused3, unused4,
         delayModLFO, freqModLFO, delayVibLFO, freqVibLFO, delayModEnv, attackModEnv, holdModEnv,
         decayModEnv, sustainModEnv, releaseModEnv, keynumToModEnvHold, keynumToModEnvDecay,
         delayVolEnv, attackVolEnv, holdVolEnv, decayVolEnv, sustainVolEnv, releaseVolEnv,
         keynumToVolEnvHold, keynumToVolEnvDecay, instrument, reserved1, keyRange, velRange,
         startloopAddrsCoarseOffset, keynum, velocity, initialAttenuation, reserved2,
         endloopAddrsCoarseOffset, coarseTune, fineTune, sampleID, sampleModes, reserved3,
         scaleTuning, exclusiveClass, overridingRootKey, unused5, endOper

    /// Number of generator slots a zone carries (0...59; endOper is not stored).
    public static let count = 60

    /// Default value (SF2.01 section 8.1.3, as FluidSynth's `fluid_gen_info` table): delays and
    /// envelope times -12000 timecents (1 ms), filter cutoff 13500 absolute cents, scale tuning 100
    /// cents per key, keynum/velocity/root key -1 (unset).
    public var defaultValue: Double {
        switch self {
        case .initialFilterFc: return 13500
        case .delayModLFO, .delayVibLFO, .delayModEnv, .attackModEnv, .holdModEnv, .decayModEnv,
             .releaseModEnv, .delayVolEnv, .attackVolEnv, .holdVolEnv, .decayVolEnv, .releaseVolEnv:
            return -12000
        case .scaleTuning: return 100
        case .keynum, .velocity, .overridingRootKey: return -1
        case .keyRange, .velRange: return 0
        default: return 0
        }
    }

    /// Generators that are not allowed at preset level (SF2.01 section 8.5): sample addresses,
    /// keynum, velocity, sample modes, exclusive class, overriding root key.
    public var isInstrumentOnly: Bool {
        switch self {
        case .startAddrsOffset, .endAddrsOffset, .startloopAddrsOffset, .endloopAddrsOffset,
             .startAddrsCoarseOffset, .endAddrsCoarseOffset, .startloopAddrsCoarseOffset,
             .endloopAddrsCoarseOffset, .keynum, .velocity, .sampleModes, .exclusiveClass,
             .overridingRootKey:
            return true
        default: return false
        }
    }
}

/// The generator values a zone sets: a value per operator and whether it was set.
/// `initialAttenuation` is stored already scaled by FluidSynth's EMU factor 0.4 (EMU8k/10k
/// hardware applies it to the generator at preset and instrument level).
public struct GeneratorSet: Sendable {
    /// Values indexed by `GeneratorType.rawValue`.
    public var values = [Double](repeating: 0, count: GeneratorType.count)
    /// Set flags indexed by `GeneratorType.rawValue`.
    public var isSet = [Bool](repeating: false, count: GeneratorType.count)

    /// FluidSynth's `EMU_ATTENUATION_FACTOR`.
    public static let emuAttenuationFactor = Double(Float(0.4)) // 0.4f widened, as FluidSynth (double build) does

    public init() {}

    /// Builds a set from file records; key/velocity ranges, instrument and sampleID are kept
    /// by the caller and skipped here.
    init(records: ArraySlice<SoundFontFile.GeneratorRecord>) {
        for g in records {
            guard g.oper >= 0, g.oper < GeneratorType.count, let type = GeneratorType(rawValue: g.oper) else { continue }
            switch type {
            case .keyRange, .velRange, .instrument, .sampleID: continue
            case .initialAttenuation: values[g.oper] = Double(g.amount) * GeneratorSet.emuAttenuationFactor
            default: values[g.oper] = Double(g.amount)
            }
            isSet[g.oper] = true
        }
    }

    public subscript(_ type: GeneratorType) -> Double? {
        isSet[type.rawValue] ? values[type.rawValue] : nil
    }
}
