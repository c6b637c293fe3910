@testable import MuseCore
import XCTest
import _MuseTestSupport

/// Layers loaded with PyTorch's weights (by PyTorch's parameter names) reproduce its outputs
/// and gradients. Tolerance 1e-5 relative + 1e-5 absolute: recurrent layers chain up to 8 steps of
/// float32 GEMMs whose summation order differs from PyTorch's (MKL-DNN/OpenBLAS), so values near
/// zero differ by a few 1e-7 absolute.
final class LayersTests: XCTestCase {
    var rng = SplitMix64(seed: 3)

    /// Loads weights, runs `run`, backpropagates sum(out_k · w_k), compares everything.
    func check(_ name: String, _ module: any Module, inputCount: Int,
               _ run: ([Tensor]) throws -> [Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try fixture("layers")
        try module.loadStateDict(entries(f, prefix: "\(name).param."), source: "layers.safetensors")
        let xs = try (0..<inputCount).map { try f.tensor("\(name).x\($0)").clone() }
        for x in xs { x.requiresGrad = true }
        let outs = try run(xs)
        var loss = Tensor(scalar: 0)
        for (k, o) in outs.enumerated() {
            assertClose(o, try f.tensor("\(name).out\(k)"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "\(name) out\(k)", file: file, line: line)
            loss = try loss + (o * f.tensor("\(name).w\(k)")).sum()
        }
        loss.backward()
        for (i, x) in xs.enumerated() {
            assertClose(x.grad ?? Tensor.zeros([0]), try f.tensor("\(name).g\(i)"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "\(name) grad x\(i)", file: file, line: line)
        }
        for (pname, p) in module.namedParameters() {
            assertClose(p.grad ?? Tensor.zeros([0]), try f.tensor("\(name).grad.\(pname)"), relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "\(name) grad \(pname)", file: file, line: line)
        }
    }

    func testLinearMatchesPyTorch() throws {
        let m = Linear(inFeatures: 5, outFeatures: 3, using: &rng)
        try check("linear", m, inputCount: 1) { [try m($0[0])] }
    }

    func testLinearTakesOneSampleAndRejectsWrongFeatureCount() throws {
        let m = Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        let one = Tensor([1, 2, 3])
        let y = try m(one)
        XCTAssertEqual(y.shape, [2])
        XCTAssertEqual(y.scalars, try m(one.reshape([1, 3])).scalars)
        XCTAssertThrowsError(try m(Tensor.zeros([4, 5]))) { e in
            XCTAssertEqual(e as? TensorError, .shapeMismatch(op: "Linear", lhs: [4, 5], rhs: [2, 3]))
        }
    }

    func testEmbeddingMatchesPyTorch() throws {
        let m = Embedding(numEmbeddings: 10, embeddingDim: 4, using: &rng)
        let index = try fixture("layers").tensor("embedding.index")
        try check("embedding", m, inputCount: 0) { _ in [try m(index)] }
    }

    func testBidirectionalTwoLayerLSTMWithInitialStateMatchesPyTorch() throws {
        let m = LSTM(inputSize: 5, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true, using: &rng)
        XCTAssertEqual(m.namedParameters().map(\.name).prefix(5),
                       ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"])
        try check("lstm", m, inputCount: 3) { x in
            let (y, s) = try m(x[0], LSTMState(hidden: x[1], cell: x[2]))
            return [y, s.hidden, s.cell]
        }
    }

    func testSequenceFirstLSTMWithZeroStateMatchesPyTorch() throws {
        let m = LSTM(inputSize: 3, hiddenSize: 4, batchFirst: false, using: &rng)
        try check("lstm_seqfirst", m, inputCount: 1) { x in
            let (y, s) = try m(x[0])
            return [y, s.hidden, s.cell]
        }
    }

    func testUnfusedLSTMMatchesPyTorchToo() throws {
        let m = LSTM(inputSize: 5, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true, using: &rng)
        m.useFusedKernel = false
        try check("lstm", m, inputCount: 3) { x in
            let (y, s) = try m(x[0], LSTMState(hidden: x[1], cell: x[2]))
            return [y, s.hidden, s.cell]
        }
    }

    /// The fused kernel and the op-by-op LSTM agree on a larger random case (1e-5: same
    /// arithmetic, different association of the bias adds).
    func testFusedKernelMatchesUnfusedGraph() throws {
        try compareFusedAndUnfused(batch: 4, hidden: 16)
    }

    /// Short sequences (fewer than 8 steps) read W_hh untransposed in the recurrence; longer ones
    /// a pre-transposed copy: both paths against the unfused graph.
    func testFusedKernelShortSequencesMatchUnfusedGraph() throws {
        try compareFusedAndUnfused(batch: 4, hidden: 16, steps: 1)
        try compareFusedAndUnfused(batch: 17, hidden: 128, steps: 3)
    }

    /// Batch × hidden ≥ 2048: the fused kernel splits the batch over the cores.
    func testFusedKernelSplitAcrossCoresMatchesUnfusedGraph() throws {
        try compareFusedAndUnfused(batch: 17, hidden: 128)
    }

    /// One-hot inputs (scaled ones and rows of zeros too) take the kernel's lookup path for the
    /// input projection and its weight gradient; a single dense row, or too few rows, send the
    /// batch to the GEMM.
    /// Both against the unfused graph, whose products do not look at the zeros.
    func testFusedKernelWithOneHotInputsMatchesUnfusedGraph() throws {
        let classes = SparseRows.minimumColumns + 4, batch = 8, steps = 9
        XCTAssertGreaterThanOrEqual(batch * steps, SparseRows.minimumRows)
        var values = [Float](repeating: 0, count: batch * steps * classes)
        for row in 0..<(batch * steps) where row % 7 != 3 {  // every 7th row all zeros
            values[row * classes + (row * 5) % classes] = row % 4 == 0 ? 2.5 : 1
        }
        let oneHot = try Tensor(values, shape: [batch, steps, classes])
        XCTAssertNotNil(oneHot.withUnsafeBufferPointer { SparseRows($0.baseAddress!, rows: batch * steps, columns: classes) })
        try compareFusedAndUnfused(batch: batch, hidden: 16, steps: steps, input: oneHot)
        values[classes + 1] = 0.5  // row 1 now has two entries
        let dense = try Tensor(values, shape: [batch, steps, classes])
        XCTAssertNil(dense.withUnsafeBufferPointer { SparseRows($0.baseAddress!, rows: batch * steps, columns: classes) })
        try compareFusedAndUnfused(batch: batch, hidden: 16, steps: steps, input: dense)
        // Too few rows (one sampling step): the GEMM, whatever the rows hold.
        XCTAssertNil(oneHot.withUnsafeBufferPointer { SparseRows($0.baseAddress!, rows: SparseRows.minimumRows - 1, columns: classes) })
    }

    func compareFusedAndUnfused(batch: Int, hidden: Int, steps: Int = 9, input: Tensor? = nil) throws {
        let x = input ?? Tensor.randn([batch, steps, 7], using: &rng)
        let m = LSTM(inputSize: x.shape[2], hiddenSize: hidden, numLayers: 2, bidirectional: true, using: &rng)
        var results: [[Tensor]] = []
        for fused in [true, false] {
            m.useFusedKernel = fused
            m.zeroGrad()
            let (y, s) = try m(x)
            try ((y * y).sum() + s.cell.sum()).backward()
            results.append([y, s.hidden, s.cell] + m.parameters().map { $0.grad! })
        }
        for (a, b) in zip(results[0], results[1]) { assertClose(a, b, relativeTolerance: 1e-5, absoluteTolerance: 1e-5) }
    }

    /// The fused kernel's gradients w.r.t. input, initial state and all four weights agree with
    /// central finite differences (bidirectional, so both time directions are covered).
    func testFusedLSTMGradientsMatchFiniteDifferences() throws {
        let m = LSTM(inputSize: 3, hiddenSize: 4, bidirectional: true, using: &rng)
        let x = Tensor.randn([2, 3, 3], using: &rng), h0 = Tensor.randn([2, 2, 4], using: &rng), c0 = Tensor.randn([2, 2, 4], using: &rng)
        for t in [x, h0, c0] { t.requiresGrad = true }
        try checkGradients([x, h0, c0] + m.parameters(), "lstm") { v in
            let (y, s) = try m(v[0], LSTMState(hidden: v[1], cell: v[2]))
            return try Tensor.concat([y.reshape([-1]), s.hidden.reshape([-1]), s.cell.reshape([-1])], axis: 0)
        }
    }

    func testInterLayerDropoutActsOnlyInTrainingAndBetweenLayers() throws {
        var a = SplitMix64(seed: 21), b = SplitMix64(seed: 21)
        let plain = LSTM(inputSize: 3, hiddenSize: 8, numLayers: 2, using: &a)
        let dropped = LSTM(inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5, dropoutSeed: 1, using: &b)
        let x = Tensor.randn([2, 5, 3], using: &rng)
        dropped.eval()
        XCTAssertEqual(try dropped(x).output.scalars, try plain(x).output.scalars)
        dropped.train()
        XCTAssertNotEqual(try dropped(x).output.scalars, try plain(x).output.scalars)
        let single = LSTM(inputSize: 3, hiddenSize: 8, dropout: 0.5, using: &a)
        let again = try single(x).output.scalars
        XCTAssertEqual(try single(x).output.scalars, again)  // one layer: nothing between layers to drop
    }

    func testGRUMatchesPyTorch() throws {
        let m = GRU(inputSize: 5, hiddenSize: 6, numLayers: 2, bidirectional: true, using: &rng)
        try check("gru", m, inputCount: 2) { x in
            let (y, h) = try m(x[0], x[1])
            return [y, h]
        }
    }

    func testLayerNormMatchesPyTorch() throws {
        let m = LayerNorm(normalizedShape: [4])
        try check("layernorm", m, inputCount: 1) { [try m($0[0])] }
    }

    func testUnfusedLayerNormMatchesPyTorchToo() throws {
        let m = LayerNorm(normalizedShape: [4])
        m.useFusedKernel = false
        try check("layernorm", m, inputCount: 1) { [try m($0[0])] }
    }

    /// Fused and op-by-op LayerNorm agree (over two trailing axes, with and without affine) and
    /// the fused gradients match finite differences.
    func testFusedLayerNormMatchesUnfusedAndFiniteDifferences() throws {
        for affine in [true, false] {
            let m = LayerNorm(normalizedShape: [3, 5], elementwiseAffine: affine)
            if affine { m.weight!.copy(fromScalars: (0..<15).map { 0.5 + Float($0) / 10 }); m.bias!.copy(fromScalars: (0..<15).map { Float($0) / 7 - 1 }) }
            let x = Tensor.randn([4, 3, 5], mean: 1, standardDeviation: 2, using: &rng)
            x.requiresGrad = true
            var results: [[Tensor]] = []
            for fused in [true, false] {
                m.useFusedKernel = fused
                x.grad = nil
                m.zeroGrad()
                let y = try m(x)
                try (y * y * y).sum().backward()
                results.append([y, x.grad!] + m.parameters().map { $0.grad! })
            }
            for (a, b) in zip(results[0], results[1]) { assertClose(a, b, relativeTolerance: 1e-4, absoluteTolerance: 1e-4) }
            m.useFusedKernel = true
            try checkGradients([x] + m.parameters(), "layernorm") { try m($0[0]) }
        }
    }

    func testLSTMRejectsWrongInputAndStateShapes() {
        let m = LSTM(inputSize: 3, hiddenSize: 4, using: &rng)
        XCTAssertThrowsError(try m(Tensor.zeros([2, 5, 4])))
        XCTAssertThrowsError(try m(Tensor.zeros([2, 5, 3]), LSTMState(hidden: Tensor.zeros([1, 3, 4]), cell: Tensor.zeros([1, 2, 4])))) { e in
            XCTAssertEqual(e as? TensorError, .shapeMismatch(op: "LSTM h0", lhs: [1, 3, 4], rhs: [1, 2, 4]))
        }
    }

    func testDropoutZeroesAboutPAndScalesSurvivorsAndIsIdentityInEval() throws {
        let d = Dropout(probability: 0.25, seed: 9)
        let y = try d(Tensor.ones([10000])).scalars
        let zeros = y.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 10000, 0.25, accuracy: 0.02)  // 4.6 sd of a binomial
        XCTAssertTrue(y.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3.0) < 1e-6 })
        d.eval()
        XCTAssertEqual(try d(Tensor.ones([5])).scalars, [1, 1, 1, 1, 1])
        // Same seed, same mask (blocks are seeded serially, drawn in parallel); gradient = mask.
        let a = Dropout(probability: 0.5, seed: 4), b = Dropout(probability: 0.5, seed: 4)
        let x = Tensor.ones([200_000], requiresGrad: true)
        let ya = try a(x), yb = try b(x)
        XCTAssertEqual(ya.scalars, yb.scalars)
        ya.sum().backward()
        XCTAssertEqual(x.grad?.scalars, ya.scalars)
    }

    func testStrictLoadReportsMissingUnexpectedAndMisshapedTensors() {
        let m = Linear(inFeatures: 2, outFeatures: 3, using: &rng)
        XCTAssertThrowsError(try m.loadStateDict(["weight": Tensor.zeros([3, 2])], source: "w.safetensors")) { e in
            XCTAssertEqual(e as? TensorError, .missingTensor(file: "w.safetensors", tensor: "bias"))
        }
        XCTAssertThrowsError(try m.loadStateDict(["weight": Tensor.zeros([3, 2]), "bias": Tensor.zeros([3]), "extra": Tensor.zeros([1])])) { e in
            XCTAssertEqual(e as? TensorError, .unexpectedTensor(file: "state dict", tensor: "extra"))
        }
        XCTAssertThrowsError(try m.loadStateDict(["weight": Tensor.zeros([2, 3]), "bias": Tensor.zeros([3])])) { e in
            XCTAssertEqual(e as? TensorError, .loadShapeMismatch(file: "state dict", tensor: "weight", expected: [3, 2], found: [2, 3]))
        }
    }

    func testSequentialNamesChildrenLikePyTorch() {
        let net = Sequential([Linear(inFeatures: 2, outFeatures: 4, using: &rng), Activation(.tanh), Linear(inFeatures: 4, outFeatures: 1, using: &rng)])
        XCTAssertEqual(net.namedParameters().map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
        net.eval()
        XCTAssertFalse(net.layers[0].isTraining)
    }
}
