import MuseCore
import XCTest
import _MuseTestSupport

/// `BatchNorm1d` / `BatchNorm2d` against `torch.nn.BatchNorm1d/2d`: outputs, gradients and the
/// running statistics after one training step; evaluation uses the running statistics.
final class BatchNormTests: XCTestCase {
    /// Forward, gradients (input, weight, bias) and updated buffers match PyTorch within 1e-5
    /// relative + 1e-5 absolute: per-channel sums over ≤ 100 values, accumulated in double here
    /// and in float by PyTorch, differ by a few ulps of the largest partial sums.
    func testBatchNormMatchesPyTorch() throws {
        let cases = try layerCases("layers_batchnorm")
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let k = try c.config()
            let channels = try c.tensor("x").shape[1]
            let layer: BatchNormBase = k[1] == 4 ? BatchNorm2d(numFeatures: channels) : BatchNorm1d(numFeatures: channels)
            try c.load(into: layer)
            layer.train(k[0] != 0)
            let x = try c.tensor("x").clone()
            x.requiresGrad = true
            let y = try layer(x)
            try c.check(output: y, inputs: ["x": x], module: layer, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
            let after = c.group("after")
            XCTAssertEqual(Set(after.keys), Set(layer.namedBuffers().map(\.name)), c.name)
            for (name, buffer) in layer.namedBuffers() {
                guard let expected = after[name] else { continue }
                assertClose(buffer, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "\(c.name) \(name)")
            }
        }
    }

    /// Training mode normalises each channel to mean β and standard deviation γ (biased).
    func testTrainingOutputIsNormalised() throws {
        var rng = SplitMix64(seed: 3)
        let bn = BatchNorm2d(numFeatures: 3)
        let y = try bn(Tensor.randn([6, 3, 4, 4], mean: 5, standardDeviation: 3, using: &rng))
        let mean = try y.mean(axes: [0, 2, 3])
        let variance = try y.variance(axes: [0, 2, 3])
        assertClose(mean, Tensor.zeros([3]), absoluteTolerance: 1e-5)
        assertClose(variance, Tensor.ones([3]), relativeTolerance: 1e-3, absoluteTolerance: 0)
        XCTAssertEqual(bn.numBatchesTracked.item(), 1)
    }

    /// Gradients agree with finite differences in training and evaluation mode.
    func testGradientsMatchFiniteDifferences() throws {
        var rng = SplitMix64(seed: 4)
        for training in [true, false] {
            let x = Tensor.randn([4, 3, 5], using: &rng)
            let w = Tensor.uniform([3], low: 0.5, high: 1.5, using: &rng), b = Tensor.randn([3], using: &rng)
            let rm = Tensor.randn([3], using: &rng), rv = Tensor.uniform([3], low: 0.5, high: 1.5, using: &rng)
            for t in [x, w, b] { t.requiresGrad = true }
            try checkGradients([x, w, b], "batch_norm training \(training)", epsilon: 1e-2, tolerance: 3e-2) {
                try $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: training ? nil : rm, runningVariance: training ? nil : rv,
                                    training: training)
            }
        }
    }

    /// [N, C] input (after a dense layer: the DCGAN generator's 12,544 features) takes the
    /// row-walking path, split over the cores by channel ranges: output, running statistics and
    /// all three gradients against double precision, in training and in evaluation.
    func testDenseInputMatchesDoublePrecision() throws {
        var rng = SplitMix64(seed: 21)
        let n = 37, c = 2000
        for training in [true, false] {
            let x = Tensor.randn([n, c], mean: 1, standardDeviation: 2, using: &rng)
            let w = Tensor.uniform([c], low: 0.5, high: 1.5, using: &rng), b = Tensor.randn([c], using: &rng)
            let rm = Tensor.randn([c], using: &rng), rv = Tensor.uniform([c], low: 0.5, high: 1.5, using: &rng)
            let rmBefore = rm.scalars, rvBefore = rv.scalars
            for t in [x, w, b] { t.requiresGrad = true }
            let g = Tensor.randn([n, c], using: &rng)
            let y = try x.batchNorm(weight: w, bias: b, runningMean: rm, runningVariance: rv, training: training)
            try (y * g).sum().backward()
            let xs = x.scalars, ws = w.scalars, bs = b.scalars, gs = g.scalars, ys = y.scalars
            let dx = try XCTUnwrap(x.grad).scalars, dw = try XCTUnwrap(w.grad).scalars, db = try XCTUnwrap(b.grad).scalars
            let rmAfter = rm.scalars, rvAfter = rv.scalars
            for ch in 0..<c {
                let column = (0..<n).map { Double(xs[$0 * c + ch]) }
                let mean = training ? column.reduce(0, +) / Double(n) : Double(rmBefore[ch])
                let squares = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
                let variance = training ? squares / Double(n) : Double(rvBefore[ch])
                let inv = 1 / (variance + 1e-5).squareRoot()
                let h = column.map { ($0 - mean) * inv }
                let gc = (0..<n).map { Double(gs[$0 * c + ch]) }
                let sumG = gc.reduce(0, +), sumGH = zip(gc, h).map { $0 * $1 }.reduce(0, +)
                XCTAssertEqual(Double(db[ch]), sumG, accuracy: 1e-4)
                XCTAssertEqual(Double(dw[ch]), sumGH, accuracy: 1e-4)
                for i in 0..<n {
                    XCTAssertEqual(Double(ys[i * c + ch]), h[i] * Double(ws[ch]) + Double(bs[ch]), accuracy: 1e-4, "y[\(i), \(ch)]")
                    let expected = training
                        ? Double(ws[ch]) * inv * (gc[i] - sumG / Double(n) - h[i] * sumGH / Double(n))
                        : Double(ws[ch]) * inv * gc[i]
                    XCTAssertEqual(Double(dx[i * c + ch]), expected, accuracy: 1e-4, "dx[\(i), \(ch)] training \(training)")
                }
                if training {
                    XCTAssertEqual(Double(rmAfter[ch]), 0.9 * Double(rmBefore[ch]) + 0.1 * mean, accuracy: 1e-5)
                    XCTAssertEqual(Double(rvAfter[ch]), 0.9 * Double(rvBefore[ch]) + 0.1 * squares / Double(n - 1), accuracy: 1e-4)
                } else {
                    XCTAssertEqual(rmAfter[ch], rmBefore[ch])
                }
            }
        }
    }

    /// A single value per channel cannot be normalised in training; wrong channel counts throw.
    func testBadInputThrows() throws {
        let bn = BatchNorm1d(numFeatures: 4)
        XCTAssertThrowsError(try bn(Tensor.zeros([1, 4])))
        XCTAssertThrowsError(try bn(Tensor.zeros([5, 3])))
        XCTAssertThrowsError(try BatchNorm2d(numFeatures: 4)(Tensor.zeros([2, 4, 3])))
        bn.eval()
        XCTAssertEqual(try bn(Tensor.zeros([1, 4])).shape, [1, 4])
    }

    /// Batch-norm state (parameters and the three buffers, `num_batches_tracked` as F32) survives
    /// a safetensors round trip under PyTorch's names.
    func testBatchNormStateRoundTripsThroughSafeTensors() throws {
        var rng = SplitMix64(seed: 22)
        let bn = BatchNorm2d(numFeatures: 3)
        _ = try bn(Tensor.randn([4, 3, 2, 2], using: &rng))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bn-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try bn.save(to: url)
        let fresh = BatchNorm2d(numFeatures: 3)
        try fresh.load(from: url)
        XCTAssertEqual(Set(fresh.stateDict().keys), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(fresh.runningMean.scalars, bn.runningMean.scalars)
        XCTAssertEqual(fresh.runningVariance.scalars, bn.runningVariance.scalars)
        XCTAssertEqual(fresh.numBatchesTracked.item(), 1)
    }
}
