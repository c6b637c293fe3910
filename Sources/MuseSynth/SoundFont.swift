import Foundation

/// A SoundFont resolved for playing: presets of zones over instruments of zones over samples,
/// with generators per SoundFont 2.01 section 9.4 (local zones supersede global ones; preset
/// generators add to instrument ones). The sample pool is loaded once and shared by every voice.
public final class SoundFont: @unchecked Sendable {
    /// One sample's place in the pool. `end` is the last valid frame (FluidSynth's convention);
    /// `loopEnd` is the first frame after the loop, as in the file.
    public struct Sample: Sendable {
        public var name: String
        public var start: Int
        public var end: Int
        public var loopStart: Int
        public var loopEnd: Int
        /// Hz.
        public var sampleRate: Int
        /// MIDI key at which the sample plays unshifted.
        public var originalPitch: Int
        /// Cents, added to reach the recorded pitch.
        public var pitchCorrection: Int
    }

    /// A zone: key and velocity ranges, generators and modulators, and what it plays
    /// (an instrument for preset zones, a sample for instrument zones).
    public struct Zone: Sendable {
        public var keyRange: ClosedRange<Int> = 0...127
        public var velocityRange: ClosedRange<Int> = 0...127
        public var generators = GeneratorSet()
        public var modulators: [Modulator] = []
        /// Instrument index (preset zones) or sample index (instrument zones).
        public var target: Int = -1

        func contains(key: Int, velocity: Int) -> Bool {
            keyRange.contains(key) && velocityRange.contains(velocity)
        }
    }

    /// An instrument: an optional global zone and its sample zones.
    public struct Instrument: Sendable {
        public var name: String
        public var globalZone: Zone?
        public var zones: [Zone]
    }

    /// A preset, addressed by MIDI bank and program (0-based); drum kits are on bank 128.
    public struct Preset: Sendable {
        public var name: String
        public var bank: Int
        public var program: Int
        public var globalZone: Zone?
        public var zones: [Zone]
    }

    /// What a note-on starts: one voice per matching instrument zone.
    public struct VoiceSetup {
        /// Generator values `[GeneratorType.count]`, instrument values plus preset offsets.
        public var generators: [Double]
        /// Default, instrument and preset modulators merged as FluidSynth does.
        public var modulators: [Modulator]
        /// Index into `samples`.
        public var sampleIndex: Int
    }

    /// File path or label.
    public let name: String
    public let presets: [Preset]
    public let instruments: [Instrument]
    public let samples: [Sample]
    /// The shared sample data.
    public let pool: SamplePool
    /// INFO strings (`INAM` is the font's name).
    public let info: [String: String]
    private let presetIndex: [Int: Int]

    /// Loads a SoundFont file.
    /// - Throws: `SynthError` naming file, chunk and offset.
    public convenience init(contentsOf url: URL) throws {
        try self.init(file: SoundFontFile(contentsOf: url))
    }

    /// Resolves a parsed file.
    public init(file f: SoundFontFile) throws {
        name = f.path
        info = f.info
        pool = f.samples
        let maxEnd = f.samples.count
        samples = f.sampleHeaders.dropLast().map { h in
            var s = Sample(name: h.name, start: h.start, end: h.end > 0 ? h.end - 1 : 0, loopStart: h.loopStart, loopEnd: h.loopEnd,
                           sampleRate: h.sampleRate, originalPitch: h.originalPitch, pitchCorrection: h.pitchCorrection)
            if h.isROM { s.start = 0; s.end = 0; s.loopStart = 0; s.loopEnd = 0; return s }
            // Loop sanitising as fluid_sample_sanitize_loop.
            if s.loopStart > s.loopEnd { swap(&s.loopStart, &s.loopEnd) }
            if s.loopStart < s.start || s.loopStart > maxEnd { s.loopStart = s.start }
            if s.loopEnd < s.start || s.loopEnd > maxEnd { s.loopEnd = s.end + 1 }
            return s
        }
        func zones(bags: [SoundFontFile.Bag], range: Range<Int>, gens: [SoundFontFile.GeneratorRecord],
                   mods: [SoundFontFile.ModulatorRecord], targetOper: GeneratorType) -> (Zone?, [Zone]) {
            var global: Zone? = nil
            var list: [Zone] = []
            for b in range {
                let genRange = bags[b].generatorIndex..<bags[b + 1].generatorIndex
                let modRange = bags[b].modulatorIndex..<bags[b + 1].modulatorIndex
                var zone = Zone()
                var records = gens[genRange]
                // Generators after the terminal instrument/sampleID one are ignored (SF2.01 section 7.5).
                if let t = records.firstIndex(where: { $0.oper == targetOper.rawValue }) {
                    zone.target = records[t].unsignedAmount
                    records = records[records.startIndex...t]
                }
                for g in records {
                    if g.oper == GeneratorType.keyRange.rawValue { let r = g.range; if r.lo <= r.hi { zone.keyRange = r.lo...r.hi } }
                    if g.oper == GeneratorType.velRange.rawValue { let r = g.range; if r.lo <= r.hi { zone.velocityRange = r.lo...r.hi } }
                }
                zone.generators = GeneratorSet(records: records)
                if targetOper == .instrument {
                    for t in GeneratorType.allCases where t.rawValue < GeneratorType.count && t.isInstrumentOnly {
                        zone.generators.isSet[t.rawValue] = false
                    }
                }
                // Later identical modulators in a zone replace earlier ones (SF2.01 section 9.5.1).
                for m in mods[modRange].compactMap(Modulator.init(record:)) {
                    if let i = zone.modulators.firstIndex(where: { $0.isIdentical(to: m) }) { zone.modulators[i] = m } else { zone.modulators.append(m) }
                }
                if zone.target < 0 {
                    if b == range.lowerBound { global = zone }
                } else {
                    list.append(zone)
                }
            }
            return (global, list)
        }
        var insts: [Instrument] = []
        for i in 0..<(f.instrumentHeaders.count - 1) {
            let h = f.instrumentHeaders[i]
            let (g, z) = zones(bags: f.instrumentBags, range: h.bagIndex..<f.instrumentHeaders[i + 1].bagIndex,
                               gens: f.instrumentGenerators, mods: f.instrumentModulators, targetOper: .sampleID)
            // Zones on ROM samples cannot sound.
            insts.append(Instrument(name: h.name, globalZone: g, zones: z.filter { !f.sampleHeaders[$0.target].isROM }))
        }
        instruments = insts
        var ps: [Preset] = []
        var index: [Int: Int] = [:]
        for i in 0..<(f.presetHeaders.count - 1) {
            let h = f.presetHeaders[i]
            let (g, z) = zones(bags: f.presetBags, range: h.bagIndex..<f.presetHeaders[i + 1].bagIndex,
                               gens: f.presetGenerators, mods: f.presetModulators, targetOper: .instrument)
            let key = h.bank << 8 | (h.program & 0xff)
            if index[key] == nil { index[key] = ps.count }
            ps.append(Preset(name: h.name, bank: h.bank, program: h.program, globalZone: g, zones: z))
        }
        presets = ps
        presetIndex = index
    }

    /// Builds a font from already-resolved parts (the built-in instruments use this).
    init(name: String, presets: [Preset], instruments: [Instrument], samples: [Sample], pool: SamplePool) {
        self.name = name; self.presets = presets; self.instruments = instruments
        self.samples = samples; self.pool = pool; self.info = ["INAM": name]
        var index: [Int: Int] = [:]
        for (i, p) in presets.enumerated() where index[p.bank << 8 | p.program] == nil { index[p.bank << 8 | p.program] = i }
        presetIndex = index
    }

    /// The preset at `bank`/`program` (0-based), if any.
    public func preset(bank: Int, program: Int) -> Preset? {
        guard program >= 0, program < 128, let i = presetIndex[bank << 8 | program] else { return nil }
        return presets[i]
    }

    /// The voices a note-on of `key`/`velocity` starts on `preset`, with generators and
    /// modulators merged as `fluid_defpreset_noteon`: instrument zone (or its global zone) sets,
    /// preset zone (or its global zone) adds; default modulators, then instrument modulators
    /// overwrite identical ones, then preset modulators add to identical ones.
    public func voiceSetups(preset: Preset, key: Int, velocity: Int) -> [VoiceSetup] {
        var out: [VoiceSetup] = []
        for pz in preset.zones where pz.contains(key: key, velocity: velocity) {
            guard pz.target >= 0, pz.target < instruments.count else { continue }
            let inst = instruments[pz.target]
            for iz in inst.zones where iz.contains(key: key, velocity: velocity) {
                guard iz.target >= 0, iz.target < samples.count else { continue }
                var gens = GeneratorType.allCases.prefix(GeneratorType.count).map(\.defaultValue)
                for i in 0..<GeneratorType.count {
                    if iz.generators.isSet[i] { gens[i] = iz.generators.values[i] }
                    else if let g = inst.globalZone, g.generators.isSet[i] { gens[i] = g.generators.values[i] }
                }
                var mods = Modulator.defaults
                func merge(_ global: [Modulator], _ local: [Modulator], add: Bool) {
                    let effective = global.filter { g in !local.contains { $0.isIdentical(to: g) } } + local
                    for m in effective {
                        if let i = mods.firstIndex(where: { $0.isIdentical(to: m) }) {
                            if add { mods[i].amount += m.amount } else { mods[i].amount = m.amount }
                        } else {
                            mods.append(m)
                        }
                    }
                }
                merge(inst.globalZone?.modulators ?? [], iz.modulators, add: false)
                for i in 0..<GeneratorType.count {
                    if pz.generators.isSet[i] { gens[i] += pz.generators.values[i] }
                    else if let g = preset.globalZone, g.generators.isSet[i] { gens[i] += g.generators.values[i] }
                }
                merge(preset.globalZone?.modulators ?? [], pz.modulators, add: true)
                out.append(VoiceSetup(generators: gens, modulators: mods, sampleIndex: iz.target))
            }
        }
        return out
    }
}
