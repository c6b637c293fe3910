import Foundation

/// A General MIDI-shaped instrument set made of oscillators, for when no SoundFont is installed:
/// single-cycle sine, triangle, saw and square waves looped in a built SoundFont (so they play
/// through the same voices, envelopes and filter), and a noise burst for the drum kit on bank 128.
public enum BuiltInInstruments {
    /// Frames in one cycle; the sample rate makes a cycle exactly 440 Hz (key 69).
    static let cycleFrames = 256

    /// Builds the font. Program families (0-based GM): 0-31 keys, percussion and guitars plucked
    /// triangle; 32-39 bass saw through a low filter; 40-55 strings and ensembles bowed saw; 56-79
    /// brass, reeds and pipes held square; 80-127 synth and effects saw. Drums: every key plays a
    /// noise burst pitched by key.
    public static func makeSoundFont() -> SoundFont {
        var pool: [Int16] = []
        var samples: [SoundFont.Sample] = []
        func addCycle(_ name: String, _ wave: (Double) -> Double) {
            let start = pool.count
            for _ in 0..<3 {
                for i in 0..<cycleFrames { pool.append(Int16(max(-32767, min(32767, 26000 * wave(Double(i) / Double(cycleFrames)))))) }
            }
            samples.append(.init(name: name, start: start, end: start + 3 * cycleFrames - 1,
                                 loopStart: start + cycleFrames, loopEnd: start + 2 * cycleFrames,
                                 sampleRate: 440 * cycleFrames, originalPitch: 69, pitchCorrection: 0))
            pool += [Int16](repeating: 0, count: 46) // SF2 asks for 46 zero frames after each sample
        }
        addCycle("sine") { sin(2 * .pi * $0) }
        addCycle("triangle") { $0 < 0.25 ? 4 * $0 : ($0 < 0.75 ? 2 - 4 * $0 : 4 * $0 - 4) }
        addCycle("saw") { 2 * $0 - 1 }
        addCycle("square") { $0 < 0.5 ? 0.8 : -0.8 }
        // Noise burst: 0.25 s at 44.1 kHz, decaying, from a fixed-seed generator.
        var state: UInt64 = 0x9E3779B97F4A7C15
        let noiseStart = pool.count, noiseFrames = 11025
        for i in 0..<noiseFrames {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53) * 2 - 1
            pool.append(Int16(24000 * u * exp(-Double(i) / 2500)))
        }
        samples.append(.init(name: "noise", start: noiseStart, end: noiseStart + noiseFrames - 1, loopStart: noiseStart,
                             loopEnd: noiseStart + noiseFrames, sampleRate: 44100, originalPitch: 60, pitchCorrection: 0))
        pool += [Int16](repeating: 0, count: 46)

        func instrument(_ name: String, sample: Int, looped: Bool, _ gens: [(GeneratorType, Double)]) -> SoundFont.Instrument {
            var zone = SoundFont.Zone()
            zone.target = sample
            var set = GeneratorSet()
            for (g, v) in gens + [(.sampleModes, looped ? 1 : 0)] { set.values[g.rawValue] = v; set.isSet[g.rawValue] = true }
            zone.generators = set
            return .init(name: name, globalZone: nil, zones: [zone])
        }
        let instruments: [SoundFont.Instrument] = [
            instrument("Plucked", sample: 1, looped: true, [(.decayVolEnv, 1200), (.sustainVolEnv, 960), (.releaseVolEnv, -2400), (.initialAttenuation, 60)]),
            instrument("Bass", sample: 2, looped: true, [(.decayVolEnv, 0), (.sustainVolEnv, 200), (.releaseVolEnv, -3000), (.initialFilterFc, 7000), (.initialFilterQ, 60)]),
            instrument("Bowed", sample: 2, looped: true, [(.attackVolEnv, -1800), (.releaseVolEnv, -1200), (.initialFilterFc, 9000), (.vibLfoToPitch, 10), (.initialAttenuation, 80)]),
            instrument("Held", sample: 3, looped: true, [(.attackVolEnv, -4000), (.releaseVolEnv, -2400), (.initialFilterFc, 8500), (.initialAttenuation, 100)]),
            instrument("Synth", sample: 2, looped: true, [(.releaseVolEnv, -2400), (.initialFilterFc, 10000), (.initialAttenuation, 100)]),
            instrument("Drum", sample: 4, looped: false, [(.releaseVolEnv, -2400), (.scaleTuning, 30)]),
        ]
        func family(_ program: Int) -> Int {
            switch program {
            case 0..<32: return 0
            case 32..<40: return 1
            case 40..<56: return 2
            case 56..<80: return 3
            default: return 4
            }
        }
        var presets: [SoundFont.Preset] = (0..<128).map { p in
            var z = SoundFont.Zone(); z.target = family(p)
            return .init(name: "Built-in \(p)", bank: 0, program: p, globalZone: nil, zones: [z])
        }
        var drum = SoundFont.Zone(); drum.target = 5
        presets.append(.init(name: "Built-in Drums", bank: 128, program: 0, globalZone: nil, zones: [drum]))
        return SoundFont(name: "<built-in>", presets: presets, instruments: instruments, samples: samples, pool: SamplePool(pool))
    }
}
