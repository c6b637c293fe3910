import Foundation

/// The SoundFont synthesizer engine: 16 MIDI channels, a pool of voices, and a mixer that runs
/// in fixed 64-frame blocks. MIDI reaches voices only through the event queue: an event is
/// applied at the start of the block it is scheduled for, so offline rendering and live
/// streaming run the same code (FluidSynth's synth / rvoice split).
public final class Synthesizer {
    /// Engine settings; defaults are FluidSynth's.
    public struct Settings: Sendable {
        /// Output Hz.
        public var sampleRate: Double = 44100
        /// FluidSynth's default `synth.gain`.
        public static let defaultGain: Double = 0.2
        /// Master gain (FluidSynth's `synth.gain`, default 0.2), linear.
        public var gain: Double = Settings.defaultGain
        /// The master gain as decibels relative to the default 0.2 (0 dB is FluidSynth's level).
        public var gainDecibels: Double {
            get { 20 * log10(gain / Settings.defaultGain) }
            set { gain = Settings.defaultGain * SynthConversions.decibelsToAmplitude(newValue) }
        }
        /// Voices that may sound at once; beyond it the quietest, oldest released voice is stolen.
        public var polyphony = 256
        public var reverbEnabled = true
        public var chorusEnabled = true
        /// Shortest note: a note-off sooner than this is delayed (FluidSynth's `synth.min-note-length`, 10 ms).
        public var minNoteLengthSeconds = 0.010
        public init(sampleRate: Double = 44100, gain: Double = 0.2, polyphony: Int = 256,
                    reverbEnabled: Bool = true, chorusEnabled: Bool = true) {
            self.sampleRate = sampleRate; self.gain = gain; self.polyphony = polyphony
            self.reverbEnabled = reverbEnabled; self.chorusEnabled = chorusEnabled
        }
    }

    /// A MIDI channel message. Channels are 0...15 (9 is drums); values are raw MIDI ranges.
    public enum Event: Equatable, Sendable {
        case noteOn(channel: Int, key: Int, velocity: Int)
        case noteOff(channel: Int, key: Int)
        case controlChange(channel: Int, controller: Int, value: Int)
        case programChange(channel: Int, program: Int)
        /// 0...16383, 8192 centred.
        case pitchBend(channel: Int, value: Int)
        case channelPressure(channel: Int, value: Int)
        case allSoundOff
    }

    public static let blockSize = Voice.blockSize
    public let settings: Settings
    public let font: SoundFont
    public private(set) var channels: [ChannelState]
    /// Blocks rendered so far.
    public private(set) var blockIndex = 0

    private(set) var voices: [Voice]
    private var queue: [(block: Int, seq: Int, event: Event)] = []
    private var queueSorted = true
    private var sequence = 0
    private var noteId: UInt32 = 0
    private let reverb: Reverb
    private let chorus: Chorus
    // Block buffers: dry left/right, effect inputs, one voice's output.
    private let left = UnsafeMutablePointer<Float>.allocate(capacity: Voice.blockSize)
    private let right = UnsafeMutablePointer<Float>.allocate(capacity: Voice.blockSize)
    private let reverbIn = UnsafeMutablePointer<Float>.allocate(capacity: Voice.blockSize)
    private let chorusIn = UnsafeMutablePointer<Float>.allocate(capacity: Voice.blockSize)
    /// One block per voice, `[polyphony, 64]`.
    private let voiceBuffers: UnsafeMutablePointer<Float>
    private var rendered: [(Int, Int)] = []
    private var steady: [Int] = []
    /// Frames of the current block already handed out by `render(frameCount:)`.
    private var blockReadPosition = Voice.blockSize

    /// An engine playing `font`.
    public init(font: SoundFont, settings: Settings = Settings()) {
        self.font = font
        self.settings = settings
        voices = (0..<max(1, settings.polyphony)).map { _ in Voice() }
        voiceBuffers = .allocate(capacity: voices.count * Voice.blockSize)
        channels = (0..<16).map { ChannelState(isDrum: $0 == 9) }
        reverb = Reverb(sampleRate: settings.sampleRate)
        chorus = Chorus(sampleRate: settings.sampleRate)
        for c in 0..<16 { selectPreset(c) }
    }

    deinit {
        left.deallocate(); right.deallocate(); reverbIn.deallocate(); chorusIn.deallocate(); voiceBuffers.deallocate()
    }

    /// Voices sounding now.
    public var activeVoiceCount: Int { voices.reduce(0) { $0 + ($1.isPlaying ? 1 : 0) } }

    /// Queues `event` to take effect at the start of block `block` (or the next block to be
    /// rendered, if that is later).
    public func schedule(_ event: Event, atBlock block: Int) {
        if let last = queue.last, last.block > block { queueSorted = false }
        queue.append((max(block, blockIndex), sequence, event))
        sequence += 1
    }

    /// Queues `event` for the next block (live input).
    public func send(_ event: Event) { schedule(event, atBlock: blockIndex) }

    /// Renders the next `frameCount` frames into planar `left`/`right`, `[frameCount]` each.
    public func render(frameCount: Int, left outL: UnsafeMutablePointer<Float>, right outR: UnsafeMutablePointer<Float>) {
        var done = 0
        while done < frameCount {
            if blockReadPosition >= Voice.blockSize {
                renderBlock()
                blockReadPosition = 0
            }
            let n = min(Voice.blockSize - blockReadPosition, frameCount - done)
            (outL + done).update(from: left + blockReadPosition, count: n)
            (outR + done).update(from: right + blockReadPosition, count: n)
            blockReadPosition += n
            done += n
        }
    }

    /// True when no event is pending and every voice has finished.
    public var isIdle: Bool { queue.isEmpty && activeVoiceCount == 0 }

    private func dispatchEvents() {
        guard !queue.isEmpty else { return }
        if !queueSorted {
            queue.sort { ($0.block, $0.seq) < ($1.block, $1.seq) }
            queueSorted = true
        }
        var consumed = 0
        while consumed < queue.count, queue[consumed].block <= blockIndex {
            apply(queue[consumed].event)
            consumed += 1
        }
        if consumed > 0 { queue.removeFirst(consumed) }
    }

    private func renderBlock() {
        dispatchEvents()
        let n = Voice.blockSize
        left.update(repeating: 0, count: n)
        right.update(repeating: 0, count: n)
        reverbIn.update(repeating: 0, count: n)
        chorusIn.update(repeating: 0, count: n)
        let wantReverb = settings.reverbEnabled, wantChorus = settings.chorusEnabled
        // 1. Each voice renders its block (interpolation, envelopes) into its own slot.
        rendered.removeAll(keepingCapacity: true)
        for (k, voice) in voices.enumerated() where voice.isPlaying {
            let count = voice.render(into: voiceBuffers + k * n)
            if count < 0 { continue }
            if count == 0 { voice.off(); continue }
            rendered.append((k, count))
        }
        // 2. Filters: full blocks four at a time, the rest one by one.
        steady.removeAll(keepingCapacity: true)
        for (k, count) in rendered {
            if count == n && voices[k].filter.isBatchable { steady.append(k) } else { voices[k].filter.apply(voiceBuffers + k * n, count: count) }
        }
        var q = 0
        while q + 4 <= steady.count {
            let k0 = steady[q], k1 = steady[q + 1], k2 = steady[q + 2], k3 = steady[q + 3]
            LowPassFilter.applyBatch(&voices[k0].filter, &voices[k1].filter, &voices[k2].filter, &voices[k3].filter,
                                     voiceBuffers + k0 * n, voiceBuffers + k1 * n, voiceBuffers + k2 * n, voiceBuffers + k3 * n)
            q += 4
        }
        while q < steady.count { voices[steady[q]].filter.apply(voiceBuffers + steady[q] * n, count: n); q += 1 }
        // 3. Mix with gains ramped over the block from last block's values.
        for (k, count) in rendered {
            let voice = voices[k]
            let buf = voiceBuffers + k * n
            func mix(_ out: UnsafeMutablePointer<Float>, _ current: Float, _ target: Float) {
                if current == 0 && target == 0 { return }
                if current == target {
                    for i in 0..<count { out[i] += target * buf[i] }
                } else {
                    let inc = (target - current) / Float(n)
                    for i in 0..<count { out[i] += (current + inc * Float(i)) * buf[i] }
                }
            }
            let c = voice.currentGains, t = voice.targetGains
            mix(left, c.0, t.0)
            mix(right, c.1, t.1)
            if wantReverb { mix(reverbIn, c.2, t.2) }
            if wantChorus { mix(chorusIn, c.3, t.3) }
            voice.currentGains = t
            if count < n { voice.off() }
        }
        if wantReverb { reverb.process(input: reverbIn, left: left, right: right, count: n) }
        if wantChorus { chorus.process(input: chorusIn, left: left, right: right, count: n) }
        blockIndex += 1
    }

    private var minNoteTicks: UInt32 { UInt32(settings.minNoteLengthSeconds * settings.sampleRate) }

    private func selectPreset(_ c: Int) {
        let ch = channels[c]
        var p = font.preset(bank: ch.bank, program: ch.program)
        if p == nil { p = ch.isDrum ? font.preset(bank: 128, program: 0) : font.preset(bank: 0, program: ch.program) }
        if p == nil, !ch.isDrum { p = font.presets.first { $0.bank < 128 } }
        channels[c].preset = p
    }

    private func apply(_ event: Event) {
        switch event {
        case let .noteOn(c, key, vel):
            guard (0..<16).contains(c), (0...127).contains(key) else { return }
            if vel <= 0 { noteOff(c, key); return }
            noteOn(c, key, min(vel, 127))
        case let .noteOff(c, key):
            guard (0..<16).contains(c) else { return }
            noteOff(c, key)
        case let .controlChange(c, cc, value):
            guard (0..<16).contains(c), (0...127).contains(cc) else { return }
            controlChange(c, cc, min(max(value, 0), 127))
        case let .programChange(c, program):
            guard (0..<16).contains(c), (0...127).contains(program) else { return }
            channels[c].program = program
            selectPreset(c)
        case let .pitchBend(c, value):
            guard (0..<16).contains(c) else { return }
            channels[c].pitchBend = min(max(value, 0), 16383)
            updateVoices(c)
        case let .channelPressure(c, value):
            guard (0..<16).contains(c) else { return }
            channels[c].channelPressure = min(max(value, 0), 127)
            updateVoices(c)
        case .allSoundOff:
            for v in voices { v.off() }
        }
    }

    private func updateVoices(_ c: Int) {
        for v in voices where v.isPlaying && v.channel == c { v.controllerChanged(channel: channels[c]) }
    }

    private func noteOn(_ c: Int, _ key: Int, _ vel: Int) {
        // A key struck again releases its previous voices first.
        for v in voices where v.isPlaying && v.channel == c && v.key == key { releaseOrSustain(v) }
        guard let preset = channels[c].preset else { return }
        noteId &+= 1
        let setups = font.voiceSetups(preset: preset, key: key, velocity: vel)
        for setup in setups {
            guard let voice = allocateVoice() else { return }
            voice.start(setup: setup, font: font, channel: channels[c], channelIndex: c, key: key, velocity: vel,
                        noteId: noteId, block: blockIndex, outputRate: settings.sampleRate, gain: settings.gain)
            if voice.exclusiveClass != 0 {
                for other in voices where other !== voice && other.isPlaying && other.channel == c
                    && other.exclusiveClass == voice.exclusiveClass && other.noteId != noteId {
                    other.killExclusive(minTicks: minNoteTicks)
                }
            }
        }
    }

    private func releaseOrSustain(_ v: Voice) {
        if channels[v.channel].isSustained { v.status = .sustained; v.hasNoteOff = true } else { v.noteOff(minTicks: minNoteTicks) }
    }

    private func noteOff(_ c: Int, _ key: Int) {
        for v in voices where v.status == .on && !v.hasNoteOff && v.channel == c && v.key == key { releaseOrSustain(v) }
    }

    private func controlChange(_ c: Int, _ cc: Int, _ value: Int) {
        channels[c].controllers[cc] = value
        switch cc {
        case 0:
            if !channels[c].isDrum { channels[c].bank = value }
        case 64:
            if value < 64 {
                for v in voices where v.status == .sustained && v.channel == c { v.status = .on; v.noteOff(minTicks: minNoteTicks) }
            }
        case 6:
            // Data entry for RPN 0: pitch-bend sensitivity in semitones.
            if channels[c].controllers[101] == 0 && channels[c].controllers[100] == 0 {
                channels[c].pitchWheelSensitivity = value
                updateVoices(c)
            }
        case 120:
            for v in voices where v.isPlaying && v.channel == c { v.off() }
        case 121:
            let drum = channels[c].isDrum, program = channels[c].program, bank = channels[c].bank, preset = channels[c].preset
            channels[c] = ChannelState(isDrum: drum)
            channels[c].program = program; channels[c].bank = bank; channels[c].preset = preset
            updateVoices(c)
        case 123:
            for v in voices where v.status == .on && v.channel == c { releaseOrSustain(v) }
        default:
            updateVoices(c)
        }
    }

    /// A free voice, or the one FluidSynth's overflow score ranks lowest: drums and held notes
    /// are kept, released and quiet and old voices go first.
    private func allocateVoice() -> Voice? {
        if let free = voices.first(where: { !$0.isPlaying }) { return free }
        var best: Voice? = nil
        var bestScore = Float.greatestFiniteMagnitude
        for v in voices {
            var score: Float = 0
            if channels[v.channel].isDrum { score += 4000 }
            else if v.hasNoteOff { score -= 2000 }
            else if v.status == .sustained { score -= 1000 }
            let age = Float(max(1, (blockIndex - v.startBlock) * Voice.blockSize))
            score += 1000 * Float(settings.sampleRate) / age
            score += Float(500 / max(v.attenuation, 0.1))
            if score < bestScore { bestScore = score; best = v }
        }
        best?.off()
        return best
    }
}
