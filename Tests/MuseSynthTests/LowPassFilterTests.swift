import XCTest
@testable import MuseSynth

/// The 4-wide filter batch is the scalar filter, lane for lane, bit for bit.
final class LowPassFilterTests: XCTestCase {
    func testBatchOfFourEqualsFourScalarFiltersSteadyAndGliding() {
        var rng: UInt64 = 7
        func noise() -> Float { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Float(Int64(bitPattern: rng) >> 40) / Float(1 << 23) }
        var scalar: [LowPassFilter] = []
        for (q, cents) in [(0, 13500), (100, 6000), (200, 9000), (30, 4000)] as [(Double, Double)] {
            var f = LowPassFilter(); f.setQ(centibels: q); f.cutoffCents = cents
            f.update(sampleRate: 44100, modCents: 0) // startup: steady
            scalar.append(f)
        }
        var batch = scalar
        for block in 0..<6 {
            if block >= 2 { // lanes 1 and 3 glide to a new cutoff this block
                for i in [1, 3] { scalar[i].update(sampleRate: 44100, modCents: Double(block) * 700); batch[i].update(sampleRate: 44100, modCents: Double(block) * 700) }
            }
            XCTAssertTrue(batch.allSatisfy(\.isBatchable))
            var a = (0..<4).map { _ in (0..<64).map { _ in noise() } }
            var b = a
            for i in 0..<4 { a[i].withUnsafeMutableBufferPointer { scalar[i].apply($0.baseAddress!, count: 64) } }
            let p = UnsafeMutablePointer<Float>.allocate(capacity: 256)
            defer { p.deallocate() }
            for i in 0..<4 { for j in 0..<64 { p[64 * i + j] = b[i][j] } }
            var f0 = batch[0], f1 = batch[1], f2 = batch[2], f3 = batch[3]
            LowPassFilter.applyBatch(&f0, &f1, &f2, &f3, p, p + 64, p + 128, p + 192)
            batch = [f0, f1, f2, f3]
            for i in 0..<4 { for j in 0..<64 { b[i][j] = p[64 * i + j] } }
            XCTAssertEqual(a, b, "block \(block)")
        }
    }
}
