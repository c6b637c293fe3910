import Foundation

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
    /// LFO as a rotating unit vector (sin, cos), renormalised every block.
    private var lfoSin: Double = 0, lfoCos: Double = 1
    private let stepSin: Double, stepCos: Double
    /// Each voice's LFO phase offset (a third of a turn apart for 3 voices) as sin and cos.
    private let offsetSin: [Double], offsetCos: [Double]

    init(sampleRate: Double, voices: Int = 3, level: Float = 2, speedHz: Double = 0.3, depthMs: Double = 8) {
        self.voices = voices
        self.level = level
        depthFrames = Float(depthMs / 1000 * sampleRate) / 2
        baseFrames = depthFrames + Float(0.006 * sampleRate)
        line = [Float](repeating: 0, count: Int(baseFrames + depthFrames) + 8)
        offsetSin = (0..<voices).map { sin(Double($0) * 2 * Double.pi / Double(voices)) }
        offsetCos = (0..<voices).map { cos(Double($0) * 2 * Double.pi / Double(voices)) }
        stepSin = sin(2 * Double.pi * speedHz / sampleRate)
        stepCos = cos(2 * Double.pi * speedHz / sampleRate)
    }

    /// Adds the chorus of `input[0..<count]` to `left` and `right`.
    func process(input: UnsafeMutablePointer<Float>, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, count: Int) {
        let n = line.count
        let gain = level / Float(voices) * 0.5
        for i in 0..<count {
            line[write] = input[i]
            for v in 0..<voices {
                let d = baseFrames + depthFrames * Float(lfoSin * offsetCos[v] + lfoCos * offsetSin[v])
                var pos = Float(write) - d
                if pos < 0 { pos += Float(n) }
                let i0 = Int(pos), f = pos - Float(i0)
                let y = line[i0 % n] * (1 - f) + line[(i0 + 1) % n] * f
                if v & 1 == 0 { left[i] += y * gain } else { right[i] += y * gain }
            }
            write += 1; if write == n { write = 0 }
            (lfoSin, lfoCos) = (lfoSin * stepCos + lfoCos * stepSin, lfoCos * stepCos - lfoSin * stepSin)
        }
        let norm = (lfoSin * lfoSin + lfoCos * lfoCos).squareRoot()
        lfoSin /= norm; lfoCos /= norm
    }
}
