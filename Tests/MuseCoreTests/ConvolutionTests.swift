@testable import MuseCore
import XCTest
import _MuseTestSupport

/// `Conv2d` and `ConvTranspose2d` against `torch.nn.Conv2d` / `ConvTranspose2d` (forward and the
/// gradients of input, weight and bias) and against finite differences.
final class ConvolutionTests: XCTestCase {
    /// Builds the layer a conv case describes (config: stride, padding, dilation, bias, output padding).
    static func layer(_ c: LayerCase) throws -> any Layer {
        let k = try c.config()
        let w = try c.tensor("param.weight")
        var rng = SplitMix64(seed: 0)
        let stride = Size2D(k[0], k[1]), padding = Size2D(k[2], k[3]), dilation = Size2D(k[4], k[5])
        let kernel = Size2D(w.shape[2], w.shape[3])
        if c.name.hasPrefix("convt") {
            return ConvTranspose2d(inChannels: w.shape[0], outChannels: w.shape[1], kernelSize: kernel, stride: stride,
                                   padding: padding, outputPadding: Size2D(k[7], k[8]), dilation: dilation,
                                   bias: k[6] != 0, using: &rng)
        }
        return Conv2d(inChannels: w.shape[1], outChannels: w.shape[0], kernelSize: kernel, stride: stride,
                      padding: padding, dilation: dilation, bias: k[6] != 0, using: &rng)
    }

    /// Every case matches PyTorch within 1e-5 relative + 1e-5 absolute. Sums run over up to
    /// C·kH·kW = 100 products (forward) and N·OH·OW = 192 (weight gradient) in a different order
    /// than oneDNN's, so a few ulps of the largest partial sums (|·| ≈ 10) appear as ~1e-6 absolute.
    func testConvolutionsMatchPyTorch() throws {
        let cases = try layerCases("layers_conv")
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let layer = try Self.layer(c)
            try c.load(into: layer)
            let x = try c.tensor("x").clone()
            x.requiresGrad = true
            let y = try layer(x)
            try c.check(output: y, inputs: ["x": x], module: layer, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        }
    }

    /// Output sizes follow PyTorch's formulas, e.g. the DCGAN generator's 7 → 14 → 28 upsampling.
    func testOutputShapes() throws {
        var rng = SplitMix64(seed: 1)
        let up = ConvTranspose2d(inChannels: 2, outChannels: 3, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1, using: &rng)
        XCTAssertEqual(try up(Tensor.zeros([1, 2, 7, 7])).shape, [1, 3, 14, 14])
        let down = Conv2d(inChannels: 3, outChannels: 4, kernelSize: 5, stride: 2, padding: 2, using: &rng)
        XCTAssertEqual(try down(Tensor.zeros([2, 3, 28, 28])).shape, [2, 4, 14, 14])
        let wide = Conv2d(inChannels: 1, outChannels: 1, kernelSize: Size2D(1, 3), dilation: Size2D(1, 4), using: &rng)
        XCTAssertEqual(try wide(Tensor.zeros([1, 1, 2, 10])).shape, [1, 1, 2, 2])
    }

    /// Gradients of input, weight and bias agree with central finite differences (strided,
    /// padded, dilated; transposed with output padding).
    func testGradientsMatchFiniteDifferences() throws {
        var rng = SplitMix64(seed: 2)
        let x = Tensor.randn([2, 2, 5, 6], using: &rng), w = Tensor.randn([3, 2, 3, 2], using: &rng)
        let b = Tensor.randn([3], using: &rng)
        for t in [x, w, b] { t.requiresGrad = true }
        try checkGradients([x, w, b], "conv2d") { try $0[0].conv2d(weight: $0[1], bias: $0[2], stride: Size2D(2, 1), padding: Size2D(1, 2), dilation: Size2D(1, 2)) }
        let xt = Tensor.randn([2, 3, 3, 4], using: &rng), wt = Tensor.randn([3, 2, 3, 3], using: &rng)
        let bt = Tensor.randn([2], using: &rng)
        for t in [xt, wt, bt] { t.requiresGrad = true }
        try checkGradients([xt, wt, bt], "conv_transpose2d") {
            try $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: Size2D(2, 3), padding: 1, outputPadding: Size2D(1, 2))
        }
    }

    /// Shape errors name the op and both shapes instead of crashing.
    func testBadShapesThrow() throws {
        let w = Tensor.zeros([4, 3, 3, 3])
        XCTAssertThrowsError(try Tensor.zeros([1, 2, 8, 8]).conv2d(weight: w)) { error in
            XCTAssertEqual(error as? TensorError, .shapeMismatch(op: "conv2d", lhs: [1, 2, 8, 8], rhs: [4, 3, 3, 3]))
        }
        XCTAssertThrowsError(try Tensor.zeros([3, 8, 8]).conv2d(weight: w))
        XCTAssertThrowsError(try Tensor.zeros([1, 3, 2, 2]).conv2d(weight: w)) { error in
            guard case .invalidShape(op: "conv2d", _, _)? = error as? TensorError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 3, 8, 8]).conv2d(weight: w, bias: Tensor.zeros([3])))
        XCTAssertThrowsError(try Tensor.zeros([1, 3, 8, 8]).conv2d(weight: w, stride: 0))
        XCTAssertThrowsError(try Tensor.zeros([1, 4, 3, 3]).convTranspose2d(weight: w, stride: 2, outputPadding: 2)) { error in
            guard case .invalidArgument(op: "conv_transpose2d", _)? = error as? TensorError else { return XCTFail("\(error)") }
        }
    }

    /// A small conv net (Conv2d → BatchNorm2d → LeakyReLU → Conv2d stride 2 → Linear) trained with
    /// Adam learns to tell horizontal from vertical bars: the loss falls below 0.05 and eval-mode
    /// predictions (running statistics) are all right.
    func testConvNetLearnsBarOrientation() throws {
        var rng = SplitMix64(seed: 12)
        let conv1 = Conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, using: &rng)
        let bn = BatchNorm2d(numFeatures: 4)
        let conv2 = Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let head = Linear(inFeatures: 4 * 4 * 4, outFeatures: 1, using: &rng)
        let modules: [(String, any Module)] = [("conv1", conv1), ("bn", bn), ("conv2", conv2), ("head", head)]
        let optimizer = Adam(modules.flatMap { $0.1.namedParameters(prefix: $0.0 + ".") }, learningRate: 0.02)
        func net(_ x: Tensor) throws -> Tensor {
            let h = try bn(conv1(x)).leakyRelu(negativeSlope: 0.2)
            return try head(conv2(h).relu().reshape([x.shape[0], -1]))
        }
        func batch(_ n: Int) throws -> (Tensor, Tensor) {
            var pixels = [Float](repeating: 0, count: n * 64), labels = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let vertical = rng.next() % 2 == 0, line = Int(rng.next() % 8)
                labels[i] = vertical ? 1 : 0
                for j in 0..<8 { pixels[i * 64 + (vertical ? j * 8 + line : line * 8 + j)] = 1 }
                for p in 0..<64 { pixels[i * 64 + p] += 0.1 * rng.nextGaussian() }
            }
            return (try Tensor(pixels, shape: [n, 1, 8, 8]), try Tensor(labels, shape: [n, 1]))
        }
        var loss: Float = .infinity
        for _ in 0..<150 {
            let (x, y) = try batch(16)
            optimizer.zeroGrad()
            let l = try binaryCrossEntropyWithLogits(logits: net(x), targets: y)
            l.backward()
            optimizer.step()
            loss = l.item()
        }
        XCTAssertLessThan(loss, 0.05)
        for (_, m) in modules { m.eval() }
        let (x, y) = try batch(32)
        let predictions = try noGrad { try net(x) }.scalars.map { $0 > 0 ? Float(1) : 0 }
        XCTAssertEqual(predictions, y.scalars)
    }

    /// Direct 7-loop convolution (the definition), for checking random geometries.
    static func naiveConv(_ x: [Float], _ w: [Float], n: Int, c: Int, h: Int, wd: Int, o: Int, kh: Int, kw: Int,
                          stride: Size2D, padding: Size2D, dilation: Size2D, oh: Int, ow: Int) -> [Float] {
        var y = [Float](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n { for f in 0..<o { for i in 0..<oh { for j in 0..<ow {
            var acc: Float = 0
            for ch in 0..<c { for u in 0..<kh { for v in 0..<kw {
                let yy = i * stride.height - padding.height + u * dilation.height
                let xx = j * stride.width - padding.width + v * dilation.width
                if yy >= 0 && yy < h && xx >= 0 && xx < wd {
                    acc += x[((b * c + ch) * h + yy) * wd + xx] * w[((f * c + ch) * kh + u) * kw + v]
                }
            } } }
            y[((b * o + f) * oh + i) * ow + j] = acc
        } } } }
        return y
    }

    /// 40 seeded random geometries (kernel 1–4, stride 1–3, padding 0–2, dilation 1–2): conv2d
    /// equals the direct definition, and conv_transpose2d is its adjoint:
    /// ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ with the same weight (both to float32 rounding, 1e-4 relative).
    func testRandomGeometriesMatchDefinitionAndAdjoint() throws {
        var rng = SplitMix64(seed: 21)
        func r(_ lo: Int, _ hi: Int) -> Int { lo + Int(rng.next() % UInt64(hi - lo + 1)) }
        var checked = 0
        while checked < 40 {
            let n = r(1, 2), c = r(1, 3), o = r(1, 3), h = r(3, 9), wd = r(3, 9), kh = r(1, 4), kw = r(1, 4)
            let stride = Size2D(r(1, 3), r(1, 3)), padding = Size2D(r(0, 2), r(0, 2)), dilation = Size2D(r(1, 2), r(1, 2))
            let oh = (h + 2 * padding.height - dilation.height * (kh - 1) - 1) / stride.height + 1
            let ow = (wd + 2 * padding.width - dilation.width * (kw - 1) - 1) / stride.width + 1
            guard oh > 0, ow > 0, h + 2 * padding.height >= dilation.height * (kh - 1) + 1,
                  wd + 2 * padding.width >= dilation.width * (kw - 1) + 1 else { continue }
            let x = Tensor.randn([n, c, h, wd], using: &rng), w = Tensor.randn([o, c, kh, kw], using: &rng)
            let y = try x.conv2d(weight: w, stride: stride, padding: padding, dilation: dilation)
            let expected = Self.naiveConv(x.scalars, w.scalars, n: n, c: c, h: h, wd: wd, o: o, kh: kh, kw: kw,
                                          stride: stride, padding: padding, dilation: dilation, oh: oh, ow: ow)
            assertClose(y, try Tensor(expected, shape: [n, o, oh, ow]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4,
                        "geometry \([n, c, h, wd, o, kh, kw]) stride \(stride) padding \(padding) dilation \(dilation)")
            // The transposed conv maps [n, o, oh, ow] back to [n, c, h', w'] with output padding
            // choosing h' = h (valid when the remainder is below the stride or dilation).
            let opH = h - ((oh - 1) * stride.height - 2 * padding.height + dilation.height * (kh - 1) + 1)
            let opW = wd - ((ow - 1) * stride.width - 2 * padding.width + dilation.width * (kw - 1) + 1)
            let probe = Tensor.randn([n, o, oh, ow], using: &rng)
            let back = try probe.convTranspose2d(weight: w, stride: stride, padding: padding, outputPadding: Size2D(opH, opW),
                                                 dilation: dilation)
            XCTAssertEqual(back.shape, x.shape)
            let lhs = try (y * probe).sum().item(), rhs = try (x * back).sum().item()
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * (1 + Swift.abs(lhs)))
            checked += 1
        }
    }

    /// Stride-2 rows wide enough for im2col's 8-wide gather and col2im's 8-wide scatter (and
    /// their scalar edges), several paddings and kernel widths, against the definition and the
    /// adjoint identity ⟨conv(x), p⟩ = ⟨x, convᵀ(p)⟩.
    func testWideStrideTwoRowsMatchDefinition() throws {
        var rng = SplitMix64(seed: 29)
        for wd in [16, 17, 23, 31, 32, 40] {
            for (kw, pad) in [(1, 0), (3, 1), (4, 1), (5, 2), (4, 0)] {
                let x = Tensor.randn([2, 2, 5, wd], using: &rng), w = Tensor.randn([3, 2, 3, kw], using: &rng)
                let stride = Size2D(1, 2), padding = Size2D(1, pad)
                let oh = 5, ow = (wd + 2 * pad - kw) / 2 + 1
                let y = try x.conv2d(weight: w, stride: stride, padding: padding)
                let expected = Self.naiveConv(x.scalars, w.scalars, n: 2, c: 2, h: 5, wd: wd, o: 3, kh: 3, kw: kw,
                                              stride: stride, padding: padding, dilation: 1, oh: oh, ow: ow)
                assertClose(y, try Tensor(expected, shape: [2, 3, oh, ow]), relativeTolerance: 1e-4, absoluteTolerance: 1e-4,
                            "width \(wd) kernel \(kw) padding \(pad)")
                // col2im's stride-2 path: the transposed convolution is the adjoint of this one.
                let probe = Tensor.randn([2, 3, oh, ow], using: &rng)
                let back = try probe.convTranspose2d(weight: w, stride: stride, padding: padding,
                                                     outputPadding: Size2D(0, (wd + 2 * pad - kw) % 2))
                XCTAssertEqual(back.shape, x.shape)
                let lhs = try (y * probe).sum().item(), rhs = try (x * back).sum().item()
                XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * (1 + Swift.abs(lhs)), "width \(wd) kernel \(kw) padding \(pad)")
            }
        }
    }

    /// Processing the batch in chunks (a column budget far below one batch, uneven last chunk)
    /// and in parallel batch slices (2 and 3 slices of 5 samples, with per-slice weight-gradient
    /// partials) gives the same outputs and gradients as one chunk, for both convolutions.
    func testChunkedBatchMatchesSingleChunk() throws {
        var rng = SplitMix64(seed: 23)
        let x = Tensor.randn([5, 3, 6, 5], using: &rng), w = Tensor.randn([4, 3, 3, 3], using: &rng), b = Tensor.randn([4], using: &rng)
        let probe = Tensor.randn([5, 4, 3, 3], using: &rng)
        let xt = Tensor.randn([5, 4, 3, 3], using: &rng), bt = Tensor.randn([3], using: &rng)
        let probeT = Tensor.randn([5, 3, 6, 6], using: &rng), wt = Tensor.randn([4, 3, 3, 3], using: &rng)
        var results: [[[Float]]] = []
        // Everything at once; 2 samples per chunk (5 = 2 + 2 + 1); 2 slices (3 + 2 samples) of one
        // chunk each; 2 slices in chunks of 1; 3 slices (1 + 2 + 2).
        for (budget, slices) in [(1 << 22, 1), (2 * 27 * 9, 1), (1 << 22, 2), (2 * 27 * 9, 2), (1 << 22, 3)] {
            let inputs = [x, w, b, xt, bt, wt].map { t -> Tensor in let c = t.clone(); c.requiresGrad = true; return c }
            let y = try inputs[0].conv2d(weight: inputs[1], bias: inputs[2], stride: 2, padding: 1, dilation: 1, columnBudget: budget,
                                         slices: slices)
            let yt = try inputs[3].convTranspose2d(weight: inputs[5], bias: inputs[4], stride: 2, padding: 1,
                                                   outputPadding: 1, dilation: 1, columnBudget: budget, slices: slices)
            try ((y * probe).sum() + (yt * probeT).sum()).backward()
            results.append([y.scalars, yt.scalars] + inputs.map { $0.grad!.scalars })
        }
        for run in 1..<results.count {
            for (i, name) in ["conv", "convT", "dx", "dw", "db", "dxT", "dbT", "dwT"].enumerated() {
                XCTAssertEqual(results[0][i].count, results[run][i].count, name)
                for (a, e) in zip(results[run][i], results[0][i]) { XCTAssertEqual(a, e, accuracy: 1e-5 * (1 + Swift.abs(e)), "\(name) run \(run)") }
            }
        }
    }
}

extension ConvolutionTests {
    /// The channels-last columns and the per-tap GEMMs give the outputs and gradients of the NCHW
    /// columns, for both convolutions: stride 1 and 2, paddings from none to beyond the kernel
    /// (negative adjoint padding), rectangular kernels, dilation, bias, batch slices and chunks.
    func testEveryLayoutMatchesChannelsFirst() throws {
        var rng = SplitMix64(seed: 31)
        let cases: [(kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D, h: Int, w: Int)] = [
            (5, 1, 2, 1, 7, 7), (3, 1, 0, 1, 6, 5), (Size2D(1, 3), 1, Size2D(0, 1), 1, 4, 9), (3, 1, 3, 1, 5, 6),
            (5, 2, 2, 1, 14, 14), (4, 2, 1, 1, 8, 6), (3, Size2D(1, 2), 1, 1, 5, 9), (3, 1, 2, 2, 7, 7),
        ]
        for (kernel, stride, padding, dilation, h, w) in cases {
            let c = 3, o = 4, n = 5
            let x = Tensor.randn([n, c, h, w], using: &rng), weight = Tensor.randn([o, c, kernel.height, kernel.width], using: &rng)
            let bias = Tensor.randn([o], using: &rng)
            let oh = ConvGeometry.convOutput(h, kernel: kernel.height, stride: stride.height, padding: padding.height, dilation: dilation.height)
            let ow = ConvGeometry.convOutput(w, kernel: kernel.width, stride: stride.width, padding: padding.width, dilation: dilation.width)
            let probe = Tensor.randn([n, o, oh, ow], using: &rng)
            // The transposed convolution maps [n, o, oh, ow] back to [n, c, h, w].
            let opH = h - ((oh - 1) * stride.height - 2 * padding.height + dilation.height * (kernel.height - 1) + 1)
            let opW = w - ((ow - 1) * stride.width - 2 * padding.width + dilation.width * (kernel.width - 1) + 1)
            let xt = Tensor.randn([n, o, oh, ow], using: &rng), weightT = Tensor.randn([o, c, kernel.height, kernel.width], using: &rng)
            let biasT = Tensor.randn([c], using: &rng), probeT = Tensor.randn([n, c, h, w], using: &rng)
            var results: [[[Float]]] = []
            for (layout, slices, budget) in [(ConvLayout.channelsFirst, 1, 1 << 22), (.channelsLast, 1, 1 << 22), (.channelsLast, 2, 200),
                                             (.taps, 1, 1 << 22)] {
                let inputs = [x, weight, bias, xt, weightT, biasT].map { t -> Tensor in let c = t.clone(); c.requiresGrad = true; return c }
                let y = try inputs[0].conv2d(weight: inputs[1], bias: inputs[2], stride: stride, padding: padding, dilation: dilation,
                                             columnBudget: budget, slices: slices, layout: layout)
                let yt = try inputs[3].convTranspose2d(weight: inputs[4], bias: inputs[5], stride: stride, padding: padding,
                                                       outputPadding: Size2D(opH, opW), dilation: dilation, columnBudget: budget,
                                                       slices: slices, layout: layout)
                XCTAssertEqual(yt.shape, [n, c, h, w])
                try ((y * probe).sum() + (yt * probeT).sum()).backward()
                results.append([y.scalars, yt.scalars] + inputs.map { $0.grad!.scalars })
            }
            for run in 1..<results.count {
                for (i, name) in ["conv", "convT", "dx", "dw", "db", "dxT", "dwT", "dbT"].enumerated() {
                    XCTAssertEqual(results[0][i].count, results[run][i].count, name)
                    for (a, e) in zip(results[run][i], results[0][i]) {
                        XCTAssertEqual(a, e, accuracy: 1e-4 * (1 + Swift.abs(e)), "\(name), layout run \(run), kernel \(kernel) stride \(stride) padding \(padding) dilation \(dilation)")
                    }
                }
            }
        }
    }

    /// The per-tap path is chosen where it pays (stride 1, channels ≥ 32, padding ≥ 10% of the
    /// products: the DCGAN's 5×5 on 7×7) and not on large pictures, where padding is a sliver.
    func testTapPathIsChosenForSmallPaddedPictures() {
        let dcgan = TapGeometry(n: 256, inChannels: 256, outChannels: 128, height: 7, width: 7, outHeight: 7, outWidth: 7, kernel: 5, padding: 2)
        XCTAssertEqual(dcgan.paddingShare, 1 - (29.0 * 29.0) / (25.0 * 49.0), accuracy: 1e-12)
        XCTAssertTrue(dcgan.isWorthwhile)
        let large = TapGeometry(n: 1, inChannels: 128, outChannels: 128, height: 96, width: 96, outHeight: 96, outWidth: 96, kernel: 3, padding: 1)
        XCTAssertLessThan(large.paddingShare, 0.05)
        XCTAssertFalse(large.isWorthwhile)
        let few = TapGeometry(n: 256, inChannels: 1, outChannels: 64, height: 7, width: 7, outHeight: 7, outWidth: 7, kernel: 5, padding: 2)
        XCTAssertFalse(few.isWorthwhile)
    }
}
