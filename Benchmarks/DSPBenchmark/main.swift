// bench-dsp: STFT, mel spectrogram, Griffin-Lim (32 iterations) and 44.1→22.05 kHz resampling on
// 60 s of audio, beside librosa (same input, same run) and beside raw FFTW loops over the same
// frames (the floor: window, r2c/c2r, nothing else); resampling beside librosa at the same soxr
// quality and beside one libsoxr call on one core. Release builds only.
import BenchSupport
import CFFTW
import Dispatch
import Foundation
import MuseAudio
import MuseDSP
import MuseSupport

/// Deterministic test music: partials, a chirp and noise.
func signal(seconds: Double, sampleRate: Double) -> [Float] {
    let n = Int(seconds * sampleRate)
    var state: UInt64 = 12345
    return (0..<n).map { i in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let noise = Float(Int64(bitPattern: state) >> 11) / Float(1 << 52)
        let t = Double(i) / sampleRate
        let tone = 0.3 * sin(2 * .pi * 220 * t) + 0.2 * sin(2 * .pi * 1760 * t) + 0.1 * sin(2 * .pi * (100 * t + 40 * t * t))
        return Float(tone) + 0.02 * noise
    }
}

// MARK: Raw FFTW floor: frames of the centred signal, windowed, transformed; nothing else.

let nFFT = 2048, hop = 512, bins = nFFT / 2 + 1
let stride = 1032  // complex per output row: 1025 rounded up to keep every row 64-byte aligned
let hann = Window.hann.values(length: nFFT)
// Raw plans, made once (FFTW_MEASURE) outside the timed loops, as ours are.
let planReal = fftwf_alloc_real(nFFT)!, planComplex = fftwf_alloc_complex(stride)!
let fwd = fftwf_plan_dft_r2c_1d(Int32(nFFT), planReal, planComplex, UInt32(FFTW_MEASURE))!
let inv = fftwf_plan_dft_c2r_1d(Int32(nFFT), planComplex, planReal, UInt32(FFTW_MEASURE))!

/// Each thread takes a contiguous run of frames (as ours do), windows into aligned scratch and
/// transforms into its row of `output`. Plain pointers throughout: the floor must not pay for
/// bounds checks or globals.
func rawForward(_ padded: [Float], frames: Int, threads: Int, output: UnsafeMutablePointer<fftwf_complex>) {
    padded.withUnsafeBufferPointer { p in
        hann.withUnsafeBufferPointer { w in
            let src = p.baseAddress!, window = w.baseAddress!
            DispatchQueue.concurrentPerform(iterations: threads) { job in
                let input = fftwf_alloc_real(nFFT)!
                defer { fftwf_free(input) }
                for t in (frames * job / threads)..<(frames * (job + 1) / threads) {
                    let frame = src + t * hop
                    for i in 0..<nFFT { input[i] = frame[i] * window[i] }
                    fftwf_execute_dft_r2c(fwd, input, output + t * stride)
                }
            }
        }
    }
}

func rawInverse(_ spectra: UnsafeMutablePointer<fftwf_complex>, frames: Int, threads: Int, ola: UnsafeMutablePointer<Float>) {
    hann.withUnsafeBufferPointer { w in
        let window = w.baseAddress!
        DispatchQueue.concurrentPerform(iterations: threads) { job in
            let scratch = fftwf_alloc_complex(stride)!, out = fftwf_alloc_real(nFFT)!
            defer { fftwf_free(scratch); fftwf_free(out) }
            for t in (frames * job / threads)..<(frames * (job + 1) / threads) {
                scratch.update(from: spectra + t * stride, count: bins)
                fftwf_execute_dft_c2r(inv, scratch, out)
                // Windowed frame stored (overlap-add itself is left out of the floor).
                let dst = ola + t * nFFT
                for i in 0..<nFFT { dst[i] = out[i] * window[i] }
            }
        }
    }
}

let threads = ProcessInfo.processInfo.activeProcessorCount
print("bench-dsp: 60 s of audio at 22050 Hz, n_fft \(nFFT), hop \(hop); \(threads) cores")
let y = signal(seconds: 60, sampleRate: 22050)
let y44 = signal(seconds: 60, sampleRate: 44100)
let padded = [Float](repeating: 0, count: nFFT / 2) + y + [Float](repeating: 0, count: nFFT / 2)
let frames = 1 + (padded.count - nFFT) / hop
let spectra = fftwf_alloc_complex(frames * stride)!
let timeFrames = fftwf_alloc_real(frames * nFFT)!

let floor1 = bestSeconds(11) { rawForward(padded, frames: frames, threads: 1, output: spectra) }
let floorN = bestSeconds(11) { rawForward(padded, frames: frames, threads: threads, output: spectra) }
let floorInverse = bestSeconds(11) { rawInverse(spectra, frames: frames, threads: threads, ola: timeFrames) }
let floorGL = 32 * (floorN + floorInverse) + floorInverse

// MARK: Ours.

let oursSTFT = try bestSeconds(11) { _ = try stft(y) }
var reused = try stft(y)
let oursSTFTInto = try bestSeconds(11) { try stft(y, parameters: STFTParameters(), into: &reused) }
let oursMel = try bestSeconds(11) { _ = try melSpectrogram(y) }
let spectrum = try stft(y)
let oursISTFT = try bestSeconds(11) { _ = try istft(spectrum, length: y.count) }
if CommandLine.arguments.contains("--istft") {  // istft beside its floor only, then 100 more for a profiler
    print(String(format: "istft %.2f ms, floor %.2f ms, ours/floor %.2f", oursISTFT * 1000, floorInverse * 1000, oursISTFT / floorInverse))
    for _ in 0..<100 { _ = try istft(spectrum, length: y.count) }
    exit(0)
}
let quick = CommandLine.arguments.contains("--quick")  // stft and mel only, no peer
if quick {
    let spec = try stft(y)
    let tMag = bestSeconds(5) { _ = spec.power() }
    let tBank = try bestSeconds(5) { _ = try MelFilterBank(sampleRate: 22050, nFFT: 2048) }
    let bank = try MelFilterBank(sampleRate: 22050, nFFT: 2048)
    let pw = spec.power()
    let tApply = try bestSeconds(5) { _ = try bank.apply(pw) }
    print("power \(tMag * 1000) ms, bank \(tBank * 1000) ms, apply \(tApply * 1000) ms")
    print("stft \(oursSTFT * 1000) ms, stft into \(oursSTFTInto * 1000) ms, mel \(oursMel * 1000) ms, floor 1 thread \(floor1 * 1000) ms, \(threads) threads \(floorN * 1000) ms")
    exit(0)
}
let magnitude = try stft(y).magnitude()
let oursGL = try bestSeconds(3) { _ = try griffinLim(magnitude, nIter: 32, initialPhase: .random(seed: 0)) }
let buffer44 = AudioBuffer(mono: y44, sampleRate: 44100)
let oursResampleHQ = try bestSeconds(11) { _ = try Resampler.resample(buffer44, to: 22050, quality: .soxrHQ) }
let serialResampleHQ = try bestSeconds(11) { _ = try Resampler.resample(buffer44, to: 22050, quality: .soxrHQ, parallel: false) }
let oursResampleVHQ = try bestSeconds(5) { _ = try Resampler.resample(buffer44, to: 22050, quality: .soxrVHQ) }
let serialResampleVHQ = try bestSeconds(5) { _ = try Resampler.resample(buffer44, to: 22050, quality: .soxrVHQ, parallel: false) }
let oursResampleMQ = try bestSeconds(11) { _ = try Resampler.resample(buffer44, to: 22050, quality: .soxrMQ) }
let serialResampleMQ = try bestSeconds(11) { _ = try Resampler.resample(buffer44, to: 22050, quality: .soxrMQ, parallel: false) }
let oursResample48 = try bestSeconds(5) { _ = try Resampler.resample(buffer44, to: 48000, quality: .soxrHQ) }
let serialResample48 = try bestSeconds(5) { _ = try Resampler.resample(buffer44, to: 48000, quality: .soxrHQ, parallel: false) }
let oursResampleBest = try bestSeconds(3) { _ = try Resampler.resample(buffer44, to: 22050, quality: .sincBest) }
let oursResampleFastest = try bestSeconds(3) { _ = try Resampler.resample(buffer44, to: 22050, quality: .sincFastest) }

// MARK: librosa, same input, same run.

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bench-dsp-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let path22 = folder.appendingPathComponent("y22.npy").path, path44 = folder.appendingPathComponent("y44.npy").path
try NPYFile.write(y, shape: [y.count], to: path22)
try NPYFile.write(y44, shape: [y44.count], to: path44)
var peer: [String: Double] = [:]
do {
    peer = try runJSON(peerPython, [peerScript("bench_dsp_peer.py"), path22, path44]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
} catch {
    print("peer not run: \(error)")
}

func ms(_ s: Double) -> String { String(format: "%8.1f ms", s * 1000) }
func ratio(_ a: Double, _ b: Double?) -> String { b.map { String(format: "%6.2f", a / $0) } ?? "   n/a" }
print("")
print("operation              ours        librosa     ours/librosa  floor(FFTW)  ours/floor")
func row(_ name: String, _ ours: Double, _ librosa: Double?, _ floor: Double?) {
    print("\(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(ms(ours))  \(librosa.map(ms) ?? "        n/a")   \(ratio(ours, librosa))      \(floor.map(ms) ?? "        n/a")  \(ratio(ours, floor))")
}
row("stft", oursSTFT, peer["stft"], floorN)
row("stft (out=)", oursSTFTInto, peer["stft"], floorN)
row("melspectrogram", oursMel, peer["melspectrogram"], floorN)
row("istft", oursISTFT, peer["istft"], floorInverse)
row("griffinlim 32", oursGL, peer["griffinlim32"], floorGL)
row("resample soxr_hq", oursResampleHQ, peer["resample_soxr_hq"], serialResampleHQ)
row("resample soxr_vhq", oursResampleVHQ, peer["resample_soxr_vhq"], serialResampleVHQ)
row("resample soxr_mq", oursResampleMQ, peer["resample_soxr_mq"], serialResampleMQ)
row("resample →48k hq", oursResample48, peer["resample_48000_soxr_hq"], serialResample48)
row("resample sinc_best", oursResampleBest, peer["resample_soxr_hq"], nil)
row("resample sinc_fast", oursResampleFastest, peer["resample_soxr_hq"], nil)
print("")
print("raw FFTW forward loop: 1 thread \(ms(floor1)), \(threads) threads \(ms(floorN)); inverse \(threads) threads \(ms(floorInverse))")
print("stft ours / 1-thread floor: \(ratio(oursSTFT, floor1)); resample 'floor' = the same libsoxr call in one piece on one core;")
print("resample rows are 44.1 → 22.05 kHz unless named; the sinc_* rows (libsamplerate) are set beside librosa's default soxr_hq")
print("speed-up vs librosa (librosa/ours): stft \(ratio(peer["stft"] ?? .nan, oursSTFT)), mel \(ratio(peer["melspectrogram"] ?? .nan, oursMel)), griffinlim \(ratio(peer["griffinlim32"] ?? .nan, oursGL)), resample(soxr_hq) \(ratio(peer["resample_soxr_hq"] ?? .nan, oursResampleHQ))")

let rows = BenchRows("dsp")
rows.time("stft 60 s", peer: "librosa", ours: oursSTFT, theirs: peer["stft"] ?? .nan, floor: floorN)
rows.time("melspectrogram 60 s", peer: "librosa", ours: oursMel, theirs: peer["melspectrogram"] ?? .nan, floor: floorN)
rows.time("istft 60 s", peer: "librosa", ours: oursISTFT, theirs: peer["istft"] ?? .nan, floor: floorInverse)
rows.time("griffinlim 32 iterations", peer: "librosa", ours: oursGL, theirs: peer["griffinlim32"] ?? .nan, floor: floorGL)
rows.time("resample 44.1→22.05k soxr_hq", peer: "librosa", ours: oursResampleHQ, theirs: peer["resample_soxr_hq"] ?? .nan, floor: serialResampleHQ)
rows.time("resample 44.1→22.05k soxr_vhq", peer: "librosa", ours: oursResampleVHQ, theirs: peer["resample_soxr_vhq"] ?? .nan, floor: serialResampleVHQ)
rows.time("resample 44.1→22.05k soxr_mq", peer: "librosa", ours: oursResampleMQ, theirs: peer["resample_soxr_mq"] ?? .nan, floor: serialResampleMQ)
rows.time("resample 44.1→48k soxr_hq", peer: "librosa", ours: oursResample48, theirs: peer["resample_48000_soxr_hq"] ?? .nan, floor: serialResample48)
rows.write()

