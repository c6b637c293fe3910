import Foundation

/// One sounding note of one zone: the sample it plays and its DSP state (phase, envelopes,
/// LFOs, filter, gains). Rendered in 64-frame blocks with FluidSynth's per-block update order
/// (`fluid_rvoice_write`), 4-point cubic interpolation and its levels, so the two sound alike.
final class Voice {
    /// Frames per block: envelopes, LFOs, filter and events move once per block (FLUID_BUFSIZE).
    static let blockSize = 64
    /// FluidSynth's noise floor (-90 dB) a decaying voice is stopped below.
    static let noiseFloor: Double = 0.00003
    /// 2^23 - 1: FluidSynth scales samples as 24-bit integers.
    static let int24Max: Double = 8_388_607

    enum Status { case off, on, sustained }
    enum SampleMode: Int { case unlooped = 0, loopContinuously = 1, loopUntilRelease = 3 }

    var status: Status = .off
    var hasNoteOff = false
    var channel = 0
    var key = 0
    var velocity = 0
    /// Id of the note-on that started the voice.
    var noteId: UInt32 = 0
    /// Block count at start (for stealing by age).
    var startBlock = 0
    var exclusiveClass = 0

    var generators = [Double](repeating: 0, count: GeneratorType.count)
    var generatorMods = [Double](repeating: 0, count: GeneratorType.count)
    var modulators: [Modulator] = []
    /// Each modulator's current output, parallel to `modulators`.
    var modulatorValues: [Double] = []

    // Sample and playback position.
    var pool: SamplePool!
    var sample = SoundFont.Sample(name: "", start: 0, end: 0, loopStart: 0, loopEnd: 0, sampleRate: 44100, originalPitch: 60, pitchCorrection: 0)
    var start = 0, end = 0, loopStart = 0, loopEnd = 0
    var sampleMode: SampleMode = .unlooped
    /// Position in the pool, 32.32 fixed point frames.
    var phase: UInt64 = 0
    var hasLooped = false
    var needsStartup = true

    // Levels and pitch.
    var amp: Float = 0
    var ampIncrement: Float = 0
    var attenuation: Double = 0
    var minAttenuation: Double = 0
    var pitchCents: Double = 0
    var rootPitchCents: Double = 0
    var rootPitchHz: Double = 1
    var outputRate: Double = 44100
    var synthGain: Double = 0.2

    var volumeEnvelope = Envelope()
    var modulationEnvelope = Envelope()
    var modLFO = LFO()
    var vibLFO = LFO()
    var filter = LowPassFilter()
    var modLfoToPitch: Double = 0, vibLfoToPitch: Double = 0, modEnvToPitch: Double = 0
    var modLfoToFilter: Double = 0, modEnvToFilter: Double = 0, modLfoToVolume: Double = 0

    /// Mixer gains (target and the value reached by the previous block): left, right, reverb, chorus.
    var targetGains: (Float, Float, Float, Float) = (0, 0, 0, 0)
    var currentGains: (Float, Float, Float, Float) = (0, 0, 0, 0)

    /// Frames rendered so far.
    var ticks: UInt32 = 0
    /// Frame count at which a delayed note-off takes effect (0: none).
    var noteOffTicks: UInt32 = 0

    init() {}

    var isPlaying: Bool { status != .off }

    @inline(__always) func value(_ g: GeneratorType) -> Double { generators[g.rawValue] + generatorMods[g.rawValue] }

    /// Starts the voice for a zone's setup on a channel.
    func start(setup: SoundFont.VoiceSetup, font: SoundFont, channel ch: ChannelState, channelIndex: Int, key k: Int,
               velocity v: Int, noteId id: UInt32, block: Int, outputRate rate: Double, gain: Double) {
        status = .on; hasNoteOff = false
        channel = channelIndex; key = k; velocity = v; noteId = id; startBlock = block
        outputRate = rate; synthGain = max(gain, 0.0000001)
        generators = setup.generators
        modulators = setup.modulators
        pool = font.pool
        sample = font.samples[setup.sampleIndex]
        hasLooped = false; needsStartup = true
        ticks = 0; noteOffTicks = 0; amp = 0; ampIncrement = 0
        volumeEnvelope.reset(); modulationEnvelope.reset()
        modLFO.value = 0; vibLFO.value = 0
        filter.reset()
        currentGains = (0, 0, 0, 0)
        exclusiveClass = Int(generators[GeneratorType.exclusiveClass.rawValue])
        // Nominal pitch of the key (SF2.01 scale tuning, key 60 stays fixed when no tuning).
        let ork = generators[GeneratorType.overridingRootKey.rawValue]
        rootPitchCents = (ork > -1 ? ork * 100 : Double(sample.originalPitch) * 100) - Double(sample.pitchCorrection)
        rootPitchHz = SynthConversions.absoluteCentsToHz(rootPitchCents) * (rate / Double(sample.sampleRate))
        generators[GeneratorType.unused5.rawValue] = generators[GeneratorType.scaleTuning.rawValue] * (Double(k) - rootPitchCents / 100) + rootPitchCents
        modulate(channel: ch)
        updateAll()
    }

    /// Recomputes every modulator's contribution from the channel's controllers.
    func modulate(channel ch: ChannelState) {
        for i in 0..<generatorMods.count { generatorMods[i] = 0 }
        modulatorValues.removeAll(keepingCapacity: true)
        for m in modulators {
            let v = modulatorValue(m, channel: ch)
            modulatorValues.append(v)
            generatorMods[m.destination] += v
        }
    }

    /// Re-evaluates the modulators after a controller change and updates the levels and pitch.
    func controllerChanged(channel ch: ChannelState) {
        modulate(channel: ch)
        updateRealtime()
    }

    func modulatorValue(_ m: Modulator, channel ch: ChannelState) -> Double {
        if m.isIdentical(to: Modulator.velocityToFilter) { return 0 } // FluidSynth 2.x silences it, whatever its amount
        func source(_ index: Int, _ flags: Int) -> (Double, Double) {
            if flags & Modulator.cc != 0 { return (Double(ch.controllers[index]), 128) }
            switch index {
            case Modulator.Source.none: return (128, 128)
            case Modulator.Source.velocity: return (Double(velocity), 128)
            case Modulator.Source.key: return (Double(key), 128)
            case Modulator.Source.channelPressure: return (Double(ch.channelPressure), 128)
            case Modulator.Source.polyPressure: return (0, 128)
            case Modulator.Source.pitchWheel: return (Double(ch.pitchBend), 16384)
            case Modulator.Source.pitchWheelSensitivity: return (Double(ch.pitchWheelSensitivity), 128)
            default: return (0, 128)
            }
        }
        guard m.source1 > 0 else { return 0 }
        let (v1raw, r1) = source(m.source1, m.flags1)
        let v1 = Modulator.transform(v1raw, flags: m.flags1, range: r1)
        if v1 == 0 { return 0 }
        var v2: Double = 1
        if m.source2 > 0 {
            let (v2raw, r2) = source(m.source2, m.flags2)
            v2 = Modulator.transform(v2raw, flags: m.flags2, range: r2)
        }
        return m.amount * v1 * v2
    }

    private func gainAmplitude(_ g: Double) -> Float { Float(g * synthGain / Voice.int24Max * 256) }

    /// Parameters a controller can move: pan, sends, attenuation, pitch, filter, LFO depths.
    func updateRealtime() {
        let pan = value(.pan)
        let reverb = min(max(value(.reverbEffectsSend) / 1000, 0), 1)
        let chorus = min(max(value(.chorusEffectsSend) / 1000, 0), 1)
        targetGains = (gainAmplitude(SynthConversions.panGain(pan, left: true)),
                       gainAmplitude(SynthConversions.panGain(pan, left: false)),
                       gainAmplitude(reverb), gainAmplitude(chorus))
        attenuation = min(max(value(.initialAttenuation), 0), 1440)
        pitchCents = value(.unused5) + 100 * value(.coarseTune) + value(.fineTune)
        filter.cutoffCents = value(.initialFilterFc)
        filter.lastHz = -1
        modLfoToPitch = min(max(value(.modLfoToPitch), -12000), 12000)
        vibLfoToPitch = min(max(value(.vibLfoToPitch), -12000), 12000)
        modEnvToPitch = min(max(value(.modEnvToPitch), -12000), 12000)
        modLfoToFilter = min(max(value(.modLfoToFilterFc), -12000), 12000)
        modEnvToFilter = min(max(value(.modEnvToFilterFc), -12000), 12000)
        modLfoToVolume = min(max(value(.modLfoToVolume), -960), 960)
        // Lower bound of the attenuation this voice can reach: modulators driven by controllers
        // may still move to their minimum; velocity and key ones are fixed.
        var lower = generators[GeneratorType.initialAttenuation.rawValue]
        for (m, v) in zip(modulators, modulatorValues) where m.destination == GeneratorType.initialAttenuation.rawValue {
            let variable = (m.flags1 & Modulator.cc != 0) || (m.flags2 & Modulator.cc != 0)
                || [Modulator.Source.pitchWheel, Modulator.Source.channelPressure, Modulator.Source.polyPressure].contains(m.source1)
            if variable {
                let bipolar = m.flags1 & Modulator.bipolar != 0 || m.flags2 & Modulator.bipolar != 0
                lower += bipolar ? -abs(m.amount) : min(0, m.amount)
            } else {
                lower += v
            }
        }
        minAttenuation = max(0, min(attenuation, lower) - abs(modLfoToVolume))
    }

    /// Every generator-derived parameter (FluidSynth's `list_of_generators_to_initialize`).
    func updateAll() {
        updateRealtime()
        filter.setQ(centibels: value(.initialFilterQ))
        let rate = Double(outputRate)
        modLFO.delayFrames = UInt32(rate * SynthConversions.timecentsToSeconds(min(max(value(.delayModLFO), -12000), 5000), max: 5000))
        modLFO.increment = 4 * Double(Voice.blockSize) * SynthConversions.absoluteCentsToHz(min(max(value(.freqModLFO), -16000), 4500)) / outputRate
        vibLFO.delayFrames = UInt32(rate * SynthConversions.timecentsToSeconds(min(max(value(.delayVibLFO), -12000), 5000), max: 5000))
        vibLFO.increment = 4 * Double(Voice.blockSize) * SynthConversions.absoluteCentsToHz(min(max(value(.freqVibLFO), -16000), 4500)) / outputRate
        // Sample addresses with fine and coarse (32768-frame) offsets.
        start = sample.start + Int(value(.startAddrsOffset)) + 32768 * Int(value(.startAddrsCoarseOffset))
        end = sample.end + Int(value(.endAddrsOffset)) + 32768 * Int(value(.endAddrsCoarseOffset))
        loopStart = sample.loopStart + Int(value(.startloopAddrsOffset)) + 32768 * Int(value(.startloopAddrsCoarseOffset))
        loopEnd = sample.loopEnd + Int(value(.endloopAddrsOffset)) + 32768 * Int(value(.endloopAddrsCoarseOffset))
        sampleMode = SampleMode(rawValue: Int(generators[GeneratorType.sampleModes.rawValue]) & 3) ?? .unlooped
        // Envelopes.
        func blocks(_ seconds: Double) -> UInt32 { UInt32(max(0, min(rate * seconds / Double(Voice.blockSize), 4e9))) }
        func holdDecay(_ base: GeneratorType, _ perKey: GeneratorType, decay: Bool) -> UInt32 {
            var tc = value(base) + value(perKey) * (60 - Double(key))
            if decay { tc = min(tc, 8000) } else {
                tc = min(tc, 5000)
                if tc <= -32768 { return 0 }
            }
            tc = max(tc, -12000)
            return UInt32(max(0, rate * pow(2.0, Double(tc) / 1200) / Double(Voice.blockSize) + 0.5))
        }
        func setup(_ env: inout Envelope, delay: GeneratorType, attack: GeneratorType, hold: GeneratorType, decay: GeneratorType,
                   sustain: GeneratorType, release: GeneratorType, keyHold: GeneratorType, keyDecay: GeneratorType,
                   releaseMin: Double, releaseMax: Double) {
            env.delay = .init(count: blocks(SynthConversions.timecentsToSeconds(min(max(value(delay), -12000), 5000), max: 5000)),
                              coeff: 0, increment: 0, min: -1, max: 1)
            let a = 1 + blocks(SynthConversions.timecentsToSeconds(min(max(value(attack), -12000), 8000)))
            env.attack = .init(count: a, coeff: 1, increment: 1 / Double(a), min: -1, max: 1)
            env.hold = .init(count: holdDecay(hold, keyHold, decay: false), coeff: 1, increment: 0, min: -1, max: 2)
            let level = min(max(1 - 0.001 * value(sustain), 0), 1)
            let d = holdDecay(decay, keyDecay, decay: true)
            env.decay = .init(count: d, coeff: 1, increment: d > 0 ? -1 / Double(d) : 0, min: level, max: 2)
            let r = 1 + blocks(SynthConversions.timecentsToSeconds(min(max(value(release), releaseMin), 8000)))
            env.release = .init(count: r, coeff: 1, increment: -1 / Double(r), min: 0, max: releaseMax)
        }
        setup(&volumeEnvelope, delay: .delayVolEnv, attack: .attackVolEnv, hold: .holdVolEnv, decay: .decayVolEnv,
              sustain: .sustainVolEnv, release: .releaseVolEnv, keyHold: .keynumToVolEnvHold, keyDecay: .keynumToVolEnvDecay,
              releaseMin: -7200, releaseMax: 1)
        setup(&modulationEnvelope, delay: .delayModEnv, attack: .attackModEnv, hold: .holdModEnv, decay: .decayModEnv,
              sustain: .sustainModEnv, release: .releaseModEnv, keyHold: .keynumToModEnvHold, keyDecay: .keynumToModEnvDecay,
              releaseMin: -12000, releaseMax: 2)
    }

    /// Note-off: releases now, or once the voice has sounded `minTicks` frames.
    func noteOff(minTicks: UInt32) {
        hasNoteOff = true
        if minTicks > ticks { noteOffTicks = minTicks; return }
        noteOffTicks = 0
        if volumeEnvelope.section == .attack, volumeEnvelope.value > 0 {
            // Same loudness in the release's centibel-linear scale.
            let lfo = modLFO.value * -modLfoToVolume
            let a = volumeEnvelope.value * SynthConversions.centibelsToAmplitude(lfo)
            let env = -(((-200 / Double(M_LN10)) * log(a) - lfo) / SynthConversions.peakAttenuationCentibels - 1)
            volumeEnvelope.value = min(max(env, 0), 1)
        }
        if modulationEnvelope.section == .attack, modulationEnvelope.value > 0 {
            modulationEnvelope.value = min(max(SynthConversions.convex(127 * modulationEnvelope.value), 0), 1)
        }
        volumeEnvelope.enter(.release)
        modulationEnvelope.enter(.release)
    }

    /// Exclusive-class cut-off: a fast (-200 timecents) release.
    func killExclusive(minTicks: UInt32) {
        guard isPlaying else { return }
        exclusiveClass = 0
        generators[GeneratorType.releaseVolEnv.rawValue] = -200
        generators[GeneratorType.releaseModEnv.rawValue] = -200
        generatorMods[GeneratorType.releaseVolEnv.rawValue] = 0
        generatorMods[GeneratorType.releaseModEnv.rawValue] = 0
        let rate = Double(outputRate)
        let r = 1 + UInt32(rate * SynthConversions.timecentsToSeconds(-200) / Double(Voice.blockSize))
        volumeEnvelope.release = .init(count: r, coeff: 1, increment: -1 / Double(r), min: 0, max: 1)
        modulationEnvelope.release = .init(count: r, coeff: 1, increment: -1 / Double(r), min: 0, max: 2)
        noteOff(minTicks: minTicks)
    }

    /// Stops at once (stolen or all-sound-off).
    func off() { status = .off }

    /// Clamps addresses into the sample as `fluid_rvoice_check_sample_sanity`; false when empty.
    private func checkSanity() -> Bool {
        let lo = sample.start, hi = sample.end
        start = min(max(start, lo), hi)
        end = min(max(end, lo), hi)
        if start > end { swap(&start, &end) }
        if start == end { return false }
        if sampleMode != .unlooped {
            let loopHi = hi + 1
            loopStart = min(max(loopStart, lo), loopHi)
            loopEnd = min(max(loopEnd, lo), loopHi)
            if loopStart > loopEnd { swap(&loopStart, &loopEnd) }
            if loopEnd < loopStart + 2 { sampleMode = .unlooped }
        }
        if needsStartup {
            if hi + 1 - lo < 2 { sampleMode = .unlooped }
            phase = UInt64(start) << 32
            needsStartup = false
        }
        if isLooping, Int(phase >> 32) >= loopEnd { phase = UInt64(loopStart) << 32 }
        return true
    }

    private var isLooping: Bool {
        sampleMode == .loopContinuously || (sampleMode == .loopUntilRelease && volumeEnvelope.section.rawValue < Envelope.Section.release.rawValue)
    }

    /// Renders one block into `buf[0..<64]` (mono, before pan and gains), ready for the filter:
    /// the caller applies `filter` (the mixer filters four voices at a time).
    /// - Returns: frames written (64, or fewer when the sample ended: then the voice is done),
    ///   -1 when silent this block, 0 when finished.
    func render(into buf: UnsafeMutablePointer<Float>) -> Int {
        if needsStartup && !checkSanity() { status = .off; return 0 }
        if noteOffTicks != 0 && ticks >= noteOffTicks { noteOff(minTicks: 0) }
        let lfoTicks = ticks
        ticks &+= UInt32(Voice.blockSize)
        volumeEnvelope.step()
        if volumeEnvelope.section == .finished { return 0 }
        modulationEnvelope.step()
        modLFO.step(ticks: lfoTicks)
        vibLFO.step(ticks: lfoTicks)

        // Amplitude.
        if volumeEnvelope.section == .delay { return -1 }
        let target: Double
        if volumeEnvelope.section == .attack {
            target = SynthConversions.centibelsToAmplitude(attenuation)
                * SynthConversions.centibelsToAmplitude(modLFO.value * -modLfoToVolume) * volumeEnvelope.value
        } else {
            target = SynthConversions.centibelsToAmplitude(attenuation)
                * SynthConversions.centibelsToAmplitude(SynthConversions.peakAttenuationCentibels * (1 - volumeEnvelope.value) + modLFO.value * -modLfoToVolume)
            let ampMax = SynthConversions.centibelsToAmplitude(minAttenuation) * volumeEnvelope.value
            if ampMax < Voice.noiseFloor / synthGain { return 0 }
        }
        ampIncrement = Float((target - Double(amp)) / Double(Voice.blockSize))
        if amp == 0 && ampIncrement == 0 { return -1 }

        // Pitch.
        let modEnv = modulationEnvelope.section == .attack
            ? SynthConversions.convex(127 * modulationEnvelope.value) : modulationEnvelope.value
        var increment = SynthConversions.absoluteCentsToHz(pitchCents + modLFO.value * modLfoToPitch
            + vibLFO.value * vibLfoToPitch + modEnv * modEnvToPitch) / rootPitchHz
        if increment == 0 { increment = 1 }
        let fixedIncrement = UInt64(increment) << 32 | UInt64(UInt32(truncatingIfNeeded: Int64((increment - Double(Int(increment))) * 4294967296.0)))

        let count: Int
        if let f = pool.float24 {
            count = interpolate(FloatReader(p: f.baseAddress!), buf, fixedIncrement, looping: isLooping)
        } else {
            count = interpolate(Int16Reader(p: pool.int16.baseAddress!), buf, fixedIncrement, looping: isLooping)
        }
        if count == 0 { return 0 }
        filter.update(sampleRate: outputRate, modCents: modLFO.value * modLfoToFilter + modEnv * modEnvToFilter)
        return count
    }

    /// 4-point cubic (Catmull-Rom) interpolation over the sample with FluidSynth's end and loop
    /// handling: the first point before the start duplicates it, points past the end repeat the
    /// last one, and looping wraps to the loop start.
    @inline(__always)
    private func interpolate<R: SampleReader>(_ s: R, _ buf: UnsafeMutablePointer<Float>, _ inc: UInt64, looping: Bool) -> Int {
        let table = CubicTable.coefficients
        var ph = phase
        var a = amp
        let da = ampIncrement
        var i = 0
        let n = Voice.blockSize
        var endIndex = (looping ? loopEnd - 1 : end) - 2
        var startIndex: Int
        var startPoint: Float
        if hasLooped { startIndex = loopStart; startPoint = s[loopEnd - 1] } else { startIndex = start; startPoint = s[start] }
        let endPoint1: Float = looping ? s[loopStart] : s[end]
        let endPoint2: Float = looping ? s[loopStart + 1] : endPoint1
        table.withUnsafeBufferPointer { t in
            while true {
                var idx = Int(ph >> 32)
                while idx == startIndex && i < n {
                    let row = Int((ph >> 24) & 0xff) &* 4
                    buf[i] = a * (t[row] * startPoint + t[row + 1] * s[idx] + t[row + 2] * s[idx + 1] + t[row + 3] * s[idx + 2])
                    ph &+= inc; idx = Int(ph >> 32); a += da; i += 1
                }
                while i < n && idx <= endIndex {
                    let row = Int((ph >> 24) & 0xff) &* 4
                    buf[i] = a * (t[row] * s[idx - 1] + t[row + 1] * s[idx] + t[row + 2] * s[idx + 1] + t[row + 3] * s[idx + 2])
                    ph &+= inc; idx = Int(ph >> 32); a += da; i += 1
                }
                if i >= n { break }
                endIndex += 1
                while idx <= endIndex && i < n {
                    let row = Int((ph >> 24) & 0xff) &* 4
                    buf[i] = a * (t[row] * s[idx - 1] + t[row + 1] * s[idx] + t[row + 2] * s[idx + 1] + t[row + 3] * endPoint1)
                    ph &+= inc; idx = Int(ph >> 32); a += da; i += 1
                }
                endIndex += 1
                while idx <= endIndex && i < n {
                    let row = Int((ph >> 24) & 0xff) &* 4
                    buf[i] = a * (t[row] * s[idx - 1] + t[row + 1] * s[idx] + t[row + 2] * endPoint1 + t[row + 3] * endPoint2)
                    ph &+= inc; idx = Int(ph >> 32); a += da; i += 1
                }
                if !looping { break }
                if idx > endIndex {
                    ph &-= UInt64(loopEnd - loopStart) << 32
                    if !hasLooped {
                        hasLooped = true
                        startIndex = loopStart
                        startPoint = s[loopEnd - 1]
                    }
                }
                if i >= n { break }
                endIndex -= 2
            }
        }
        phase = ph
        amp = a
        return i
    }
}

/// Reads one frame of the pool as Float in 16-bit units.
protocol SampleReader { subscript(_ i: Int) -> Float { get } }
struct Int16Reader: SampleReader {
    let p: UnsafeMutablePointer<Int16>
    @inline(__always) subscript(_ i: Int) -> Float { Float(p[i]) }
}
struct FloatReader: SampleReader {
    let p: UnsafeMutablePointer<Float>
    @inline(__always) subscript(_ i: Int) -> Float { p[i] }
}

/// FluidSynth's 256-row table of 4-point cubic coefficients (Olli Niemitalo's Catmull-Rom form),
/// rows by the top 8 bits of the phase fraction, `[256 * 4]`.
enum CubicTable {
    static let coefficients: [Float] = {
        var t = [Float](repeating: 0, count: 256 * 4)
        for i in 0..<256 {
            let x = Double(i) / 256
            t[4 * i] = Float(x * (-0.5 + x * (1 - 0.5 * x)))
            t[4 * i + 1] = Float(1.0 + x * x * (1.5 * x - 2.5))
            t[4 * i + 2] = Float(x * (0.5 + x * (2.0 - 1.5 * x)))
            t[4 * i + 3] = Float(0.5 * x * x * (x - 1.0))
        }
        return t
    }()
}
