import Foundation
import XCTest
import MuseAudio
import MuseMIDI
@testable import MuseSynth

/// FluidSynth's features for one fixture (written by scripts/make_synth_fixtures.py), and the same
/// features computed from a Muse render, so tests compare like with like.
struct PeerFeatures: Decodable {
    let sample_rate: Int
    let hop: Int
    let band_hop: Int
    let n_fft: Int
    let band_edges_hz: [Double]
    let frames: Int
    let rms_db_left: [Double]
    let rms_db_right: [Double]
    let bands_db: [[Double]]
    let note_starts: [Double]
    let onset_samples: [Int]
    let loudness_db: Double

    static var fixtures: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    /// FluidSynth's features for fixture `name` rendered with the font whose features are in `folder`.
    static func load(_ name: String, folder: String = "fluidsynth") throws -> PeerFeatures {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(folder)/\(name).json"))
        return try JSONDecoder().decode(PeerFeatures.self, from: data)
    }

    static func midiPath(_ name: String) -> String { fixtures.appendingPathComponent("midi/\(name).mid").path }

    /// Our features for `left`/`right`, cut or zero-padded to the peer's length.
    func measure(left l: [Float], right r: [Float]) -> PeerFeatures {
        func fit(_ x: [Float]) -> [Double] {
            var y = x.prefix(frames).map(Double.init)
            if y.count < frames { y += [Double](repeating: 0, count: frames - y.count) }
            return y
        }
        let left = fit(l), right = fit(r)
        let mono = zip(left, right).map { 0.5 * ($0 + $1) }
        return PeerFeatures(sample_rate: sample_rate, hop: hop, band_hop: band_hop, n_fft: n_fft, band_edges_hz: band_edges_hz,
                            frames: frames, rms_db_left: Self.rmsDB(left, hop), rms_db_right: Self.rmsDB(right, hop),
                            bands_db: bandsDB(mono), note_starts: note_starts,
                            onset_samples: Self.onsets(mono, starts: note_starts, sampleRate: Double(sample_rate)),
                            loudness_db: 10 * log10(mono.reduce(0) { $0 + $1 * $1 } / Double(mono.count) + 1e-12))
    }

    static func rmsDB(_ x: [Double], _ hop: Int) -> [Double] {
        (0..<(x.count / hop)).map { f in
            var s = 0.0
            for i in (f * hop)..<((f + 1) * hop) { s += x[i] * x[i] }
            return 10 * log10(s / Double(hop) + 1e-10)
        }
    }

    /// First sample near each start whose magnitude exceeds 4× what rang in the 5-15 ms before.
    static func onsets(_ x: [Double], starts: [Double], sampleRate: Double) -> [Int] {
        starts.map { t in
            let s = Int((t * sampleRate).rounded())
            let base = s > 661 ? x[(s - 661)..<(s - 220)].map(abs).max() ?? 0 : 0
            let thr = max(4 * base, 1e-4)
            let lo = max(0, s - 220)
            for i in lo..<min(x.count, s + 4410) where abs(x[i]) > thr { return i }
            return -1
        }
    }

    /// Band energies in dB per frame: periodic Hann, `n_fft` frames every `band_hop`, power summed
    /// in the fixture's log-spaced bands.
    func bandsDB(_ x: [Double]) -> [[Double]] {
        let n = n_fft
        let window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        let binHz = Double(sample_rate) / Double(n)
        let bandOf: [Int] = (0...(n / 2)).map { k in
            let f = Double(k) * binHz
            for b in 0..<(band_edges_hz.count - 1) where f >= band_edges_hz[b] && f < band_edges_hz[b + 1] { return b }
            return -1
        }
        var out: [[Double]] = []
        var start = 0
        while start + n <= x.count {
            var re = (0..<n).map { x[start + $0] * window[$0] }
            var im = [Double](repeating: 0, count: n)
            FFT.transform(&re, &im)
            var bands = [Double](repeating: 0, count: band_edges_hz.count - 1)
            for k in 0...(n / 2) where bandOf[k] >= 0 { bands[bandOf[k]] += re[k] * re[k] + im[k] * im[k] }
            out.append(bands.map { 10 * log10($0 + 1e-10) })
            start += band_hop
        }
        return out
    }
}

/// In-place radix-2 complex FFT (test support only).
enum FFT {
    static func transform(_ re: inout [Double], _ im: inout [Double]) {
        let n = re.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let ang = -2 * Double.pi / Double(len)
            for s in stride(from: 0, to: n, by: len) {
                for k in 0..<(len / 2) {
                    let wr = cos(ang * Double(k)), wi = sin(ang * Double(k))
                    let ar = re[s + k + len / 2], ai = im[s + k + len / 2]
                    let tr = ar * wr - ai * wi, ti = ar * wi + ai * wr
                    re[s + k + len / 2] = re[s + k] - tr; im[s + k + len / 2] = im[s + k] - ti
                    re[s + k] += tr; im[s + k] += ti
                }
            }
            len <<= 1
        }
    }
}

/// FluidR3_GM (and TimGM6mb), loaded once for all tests (skipped where not installed).
enum SharedFont {
    static let path = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
    static let font: SoundFont? = try? SoundFont(contentsOf: URL(fileURLWithPath: path))
    static let timPath = "/usr/share/sounds/sf2/TimGM6mb.sf2"
    static let tim: SoundFont? = try? SoundFont(contentsOf: URL(fileURLWithPath: timPath))
    static func require() throws -> SoundFont {
        guard let f = font else { throw XCTSkip("FluidR3_GM.sf2 not installed at \(path)") }
        return f
    }
    static func requireTim() throws -> SoundFont {
        guard let f = tim else { throw XCTSkip("TimGM6mb.sf2 not installed at \(timPath)") }
        return f
    }
}
