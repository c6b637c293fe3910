import Foundation

/// A Freeverb reverb (Jezar's design, FluidSynth's reverb before 2.1): 8 damped feedback combs
/// and 4 all-passes per side, the right side's delays 23 samples longer. Mono send in, stereo
/// wet added to the dry mix. Defaults are FluidSynth's: room 0.2, damp 0, width 0.5, level 0.9.
final class Reverb {
    private final class Delay {
        var buffer: [Float]
        var index = 0
        var store: Float = 0
        init(_ length: Int) { buffer = [Float](repeating: 0, count: max(1, length)) }
    }
    private var combsL: [Delay], combsR: [Delay], allpassL: [Delay], allpassR: [Delay]
    private let feedback: Float, damp: Float, wet1: Float, wet2: Float
    private static let inputGain: Float = 0.015

    init(sampleRate: Double, roomSize: Float = 0.2, damping: Float = 0, width: Float = 0.5, level: Float = 0.9) {
        let scale = sampleRate / 44100
        let combs = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617]
        let allpasses = [556, 441, 341, 225]
        combsL = combs.map { Delay(Int(Double($0) * scale)) }
        combsR = combs.map { Delay(Int(Double($0 + 23) * scale)) }
        allpassL = allpasses.map { Delay(Int(Double($0) * scale)) }
        allpassR = allpasses.map { Delay(Int(Double($0 + 23) * scale)) }
        feedback = roomSize * 0.28 + 0.7
        damp = damping * 0.4
        let wet = level * 3
        wet1 = wet * (width / 2 + 0.5)
        wet2 = wet * ((1 - width) / 2)
    }

    private func run(_ x: Float, _ combs: [Delay], _ allpasses: [Delay]) -> Float {
        var out: Float = 0
        for c in combs {
            let y = c.buffer[c.index]
            c.store = y * (1 - damp) + c.store * damp
            c.buffer[c.index] = x + c.store * feedback
            c.index += 1; if c.index == c.buffer.count { c.index = 0 }
            out += y
        }
        for a in allpasses {
            let b = a.buffer[a.index]
            a.buffer[a.index] = out + b * 0.5
            a.index += 1; if a.index == a.buffer.count { a.index = 0 }
            out = b - out
        }
        return out
    }

    /// Adds the reverb of `input[0..<count]` to `left` and `right`.
    func process(input: UnsafeMutablePointer<Float>, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = input[i] * Reverb.inputGain
            let l = run(x, combsL, allpassL), r = run(x, combsR, allpassR)
            left[i] += l * wet1 + r * wet2
            right[i] += r * wet1 + l * wet2
        }
    }
}

/// A chorus: `voices` copies of the send through delay lines swept by sine LFOs at `speedHz`
/// with `depthMs` of modulation, spread in phase and alternately panned. Defaults are FluidSynth's
/// (3 voices, level 2, 0.3 Hz, 8 ms).
final class Chorus {
    private var line: [Float]
    private var write = 0
    private let voices: Int
    private let level: Float
    private let depthFrames: Float
    private let baseFrames: Float
    private var lfoPhase: Double = 0
    private let lfoIncrement: Double

    init(sampleRate: Double, voices: Int = 3, level: Float = 2, speedHz: Double = 0.3, depthMs: Double = 8) {
        self.voices = voices
        self.level = level
        depthFrames = Float(depthMs / 1000 * sampleRate) / 2
        baseFrames = depthFrames + Float(0.006 * sampleRate)
        line = [Float](repeating: 0, count: Int(baseFrames + depthFrames) + 8)
        lfoIncrement = 2 * Double.pi * speedHz / sampleRate
    }

    /// Adds the chorus of `input[0..<count]` to `left` and `right`.
    func process(input: UnsafeMutablePointer<Float>, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, count: Int) {
        let n = line.count
        let gain = level / Float(voices) * 0.5
        for i in 0..<count {
            line[write] = input[i]
            for v in 0..<voices {
                let phase = lfoPhase + Double(v) * 2 * Double.pi / Double(voices)
                let d = baseFrames + depthFrames * Float(sin(phase))
                var pos = Float(write) - d
                if pos < 0 { pos += Float(n) }
                let i0 = Int(pos), f = pos - Float(i0)
                let y = line[i0 % n] * (1 - f) + line[(i0 + 1) % n] * f
                if v & 1 == 0 { left[i] += y * gain } else { right[i] += y * gain }
            }
            write += 1; if write == n { write = 0 }
            lfoPhase += lfoIncrement
        }
    }
}
