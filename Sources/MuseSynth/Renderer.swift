import Foundation
import MuseAudio
import MuseMIDI

/// Plays a `NoteSequence` through a `Synthesizer`: offline into one `AudioBuffer`, or pulled
/// block by block (`next(frameCount:)`) for live streaming. Both schedule the same events in the
/// same engine.
///
/// Parts get MIDI channels in order of first appearance (drums on channel 10, index 9; melodic
/// parts on the other 15, shared round-robin past 15), each with a program change at time 0.
/// An event at `t` seconds takes effect on the first 64-frame block whose whole-millisecond
/// clock reaches `t` less half a MIDI tick, plus one block: when FluidSynth's MIDI player's
/// note-on first sounds.
public final class Renderer {
    /// The engine the sequence's events are queued on.
    public let synthesizer: Synthesizer
    /// Seconds of the sequence's last event.
    public let endSeconds: Double
    /// Longest time rendered after `endSeconds` while voices ring out.
    public let maxTailSeconds: Double
    private var framesRendered = 0

    /// Prepares `sequence` (times in seconds) for rendering with `font`.
    public init(sequence: NoteSequence, font: SoundFont, settings: Synthesizer.Settings = .init(), maxTailSeconds: Double = 10) {
        synthesizer = Synthesizer(font: font, settings: settings)
        self.maxTailSeconds = maxTailSeconds
        var end = sequence.totalTime
        let sr = settings.sampleRate
        let tpq = Double(max(1, sequence.ticksPerQuarter))
        let tempos = sequence.tempos.sorted { $0.time < $1.time }
        /// Half a MIDI tick in milliseconds at time `t`.
        func halfTickMs(_ t: Double) -> Double {
            let qpm = tempos.last(where: { $0.time <= t + 1e-9 })?.qpm ?? 120
            return 60000 / (max(qpm, 1e-3) * tpq) / 2
        }
        func block(_ t: Double) -> Int {
            let due = t * 1000 - halfTickMs(t) - 1e-6
            var b = max(0, Int((due / 1000 * sr / Double(Voice.blockSize)).rounded(.down)) - 1)
            while Double(Int(1000.0 * Double(b * Voice.blockSize) / sr)) < due { b += 1 }
            // The player's callback runs as block b begins; the voice it starts sounds from the next block.
            return b + 1
        }
        // Channel for each part.
        var channelOf: [String: Int] = [:]
        var nextMelodic = 0
        func channel(instrument: Int, program: Int, isDrum: Bool) -> Int {
            let key = "\(instrument)/\(program)/\(isDrum)"
            if let c = channelOf[key] { return c }
            let c: Int
            if isDrum { c = 9 } else {
                c = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15][nextMelodic % 15]
                nextMelodic += 1
            }
            channelOf[key] = c
            return c
        }
        // Ordered events: (time, order within a time, event).
        var events: [(Double, Int, Synthesizer.Event)] = []
        for n in sequence.notes {
            let c = channel(instrument: n.instrument, program: n.program, isDrum: n.isDrum)
            if channelOf["pc/\(c)/\(n.program)"] == nil, !n.isDrum {
                channelOf["pc/\(c)/\(n.program)"] = c
                events.append((0, 0, .programChange(channel: c, program: n.program)))
            }
            events.append((n.startTime, 4, .noteOn(channel: c, key: n.pitch, velocity: n.velocity)))
            events.append((n.endTime, 3, .noteOff(channel: c, key: n.pitch)))
            if n.endTime.isFinite { end = max(end, n.endTime) }
        }
        for cc in sequence.controlChanges {
            let c = channel(instrument: cc.instrument, program: cc.program, isDrum: cc.isDrum)
            events.append((cc.time, 1, .controlChange(channel: c, controller: cc.controlNumber, value: cc.controlValue)))
            if cc.time.isFinite { end = max(end, cc.time) }
        }
        for pb in sequence.pitchBends {
            let c = channel(instrument: pb.instrument, program: pb.program, isDrum: pb.isDrum)
            events.append((pb.time, 2, .pitchBend(channel: c, value: pb.bend + 8192)))
            if pb.time.isFinite { end = max(end, pb.time) }
        }
        events.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        // Events at non-finite times are dropped; negative times play at once.
        events.removeAll { !$0.0.isFinite }
        for (t, _, e) in events { synthesizer.schedule(e, atBlock: block(max(0, t))) }
        endSeconds = end.isFinite ? max(0, end) : 0
        // When the events run out, pedals still down are let up (as FluidSynth's player does).
        for c in Set(channelOf.values) {
            synthesizer.schedule(.controlChange(channel: c, controller: 64, value: 0), atBlock: block(endSeconds) + 1)
        }
    }

    /// True once the sequence is over and every voice has rung out (or the tail limit passed).
    public var isFinished: Bool {
        let t = Double(framesRendered) / synthesizer.settings.sampleRate
        return t >= endSeconds && (synthesizer.isIdle || t >= endSeconds + maxTailSeconds)
    }

    /// The next `frameCount` frames as stereo (planar) audio.
    public func next(frameCount: Int) -> AudioBuffer {
        var samples = [Float](repeating: 0, count: 2 * frameCount)
        samples.withUnsafeMutableBufferPointer { p in
            synthesizer.render(frameCount: frameCount, left: p.baseAddress!, right: p.baseAddress! + frameCount)
        }
        framesRendered += frameCount
        return AudioBuffer(planar: samples, channelCount: 2, sampleRate: synthesizer.settings.sampleRate)
    }

    /// Renders the whole sequence (and its ring-out) offline as stereo audio. The file ends within
    /// one synthesis block (64 frames) of the moment the last voice falls silent: chunks of 64
    /// blocks while the sequence plays, single blocks during the ring-out.
    public func renderAll() -> AudioBuffer {
        let large = 64 * Voice.blockSize
        var left: [Float] = [], right: [Float] = []
        var l = [Float](repeating: 0, count: large), r = [Float](repeating: 0, count: large)
        while !isFinished {
            let ringingOut = Double(framesRendered) / synthesizer.settings.sampleRate >= endSeconds
            let chunk = ringingOut ? Voice.blockSize : large
            l.withUnsafeMutableBufferPointer { lp in
                r.withUnsafeMutableBufferPointer { rp in
                    synthesizer.render(frameCount: chunk, left: lp.baseAddress!, right: rp.baseAddress!)
                }
            }
            framesRendered += chunk
            left.append(contentsOf: l[0..<chunk]); right.append(contentsOf: r[0..<chunk])
        }
        return AudioBuffer(planar: left + right, channelCount: 2, sampleRate: synthesizer.settings.sampleRate)
    }

    /// Renders `sequence` with `font` offline: the one-call form of `renderAll()`.
    public static func render(_ sequence: NoteSequence, font: SoundFont, settings: Synthesizer.Settings = .init(),
                              maxTailSeconds: Double = 10) -> AudioBuffer {
        Renderer(sequence: sequence, font: font, settings: settings, maxTailSeconds: maxTailSeconds).renderAll()
    }
}

extension Renderer {
    /// Output rate in Hz.
    public var sampleRate: Double { synthesizer.settings.sampleRate }
    /// Always 2 (stereo).
    public var channelCount: Int { 2 }

    /// Fills `buffer` with up to `frameCount` interleaved stereo frames for live streaming and
    /// returns the frames written: fewer than asked (0 included) once the sequence has ended and
    /// rung out (MuseAudio's `AudioSource` contract).
    public func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        if isFinished { return 0 }
        let planar = next(frameCount: frameCount)
        planar.samples.withUnsafeBufferPointer { s in
            for f in 0..<frameCount {
                buffer[2 * f] = s[f]
                buffer[2 * f + 1] = s[frameCount + f]
            }
        }
        return frameCount
    }
}
