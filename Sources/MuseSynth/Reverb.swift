import Foundation

/// A Freeverb reverb (Jezar's design, FluidSynth's reverb before 2.1): 8 damped feedback combs
/// and 4 all-passes per side, the right side's delays 23 samples longer. Mono send in, stereo
/// wet added to the dry mix. Defaults are FluidSynth's: room 0.2, damp 0, width 0.5, level 0.9.
final class Reverb {
    /// One delay line: a span of `storage` with its position and (for combs) damping state.
    private struct Line {
        var offset: Int
        var length: Int
        var index = 0
        var store: Float = 0
    }
    private let storage: UnsafeMutablePointer<Float>
    private let storageCount: Int
    private var combsL: [Line], combsR: [Line], allpassL: [Line], allpassR: [Line]
    private let feedback: Float, damp: Float, wet1: Float, wet2: Float
    private static let inputGain: Float = 0.015

    init(sampleRate: Double, roomSize: Float = 0.2, damping: Float = 0, width: Float = 0.5, level: Float = 0.9) {
        let scale = sampleRate / 44100
        let combs = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617]
        let allpasses = [556, 441, 341, 225]
        var total = 0
        func lines(_ lengths: [Int], spread: Int) -> [Line] {
            lengths.map { l in
                let n = max(1, Int(Double(l + spread) * scale))
                defer { total += n }
                return Line(offset: total, length: n)
            }
        }
        combsL = lines(combs, spread: 0); combsR = lines(combs, spread: 23)
        allpassL = lines(allpasses, spread: 0); allpassR = lines(allpasses, spread: 23)
        storageCount = total
        storage = .allocate(capacity: total)
        storage.initialize(repeating: 0, count: total)
        feedback = roomSize * 0.28 + 0.7
        damp = damping * 0.4
        let wet = level * 3
        wet1 = wet * (width / 2 + 0.5)
        wet2 = wet * ((1 - width) / 2)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    private func run(_ x: Float, _ combs: inout [Line], _ allpasses: inout [Line]) -> Float {
        var out: Float = 0
        let fb = feedback, d = damp
        for j in 0..<combs.count {
            let p = storage + combs[j].offset
            let i = combs[j].index
            let y = p[i]
            combs[j].store = y * (1 - d) + combs[j].store * d
            p[i] = x + combs[j].store * fb
            combs[j].index = i + 1 == combs[j].length ? 0 : i + 1
            out += y
        }
        for j in 0..<allpasses.count {
            let p = storage + allpasses[j].offset
            let i = allpasses[j].index
            let b = p[i]
            p[i] = out + b * 0.5
            allpasses[j].index = i + 1 == allpasses[j].length ? 0 : i + 1
            out = b - out
        }
        return out
    }

    /// Adds the reverb of `input[0..<count]` to `left` and `right`.
    func process(input: UnsafeMutablePointer<Float>, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = input[i] * Reverb.inputGain
            let l = run(x, &combsL, &allpassL), r = run(x, &combsR, &allpassR)
            left[i] += l * wet1 + r * wet2
            right[i] += r * wet1 + l * wet2
        }
    }
}
