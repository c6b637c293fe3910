import MuseCore
import XCTest
import _MuseTestSupport

/// Five steps of each optimizer fed PyTorch's gradient sequence land on PyTorch's parameters
/// (1e-5 relative + 1e-6 absolute: the same float32 formulas, op for op).
final class OptimizerTests: XCTestCase {
    func run(_ name: String, _ make: ([(name: String, tensor: Tensor)]) -> any Optimizer) throws {
        let f = try fixture("optim")
        let p1 = try f.tensor("\(name).p1.init").clone(), p2 = try f.tensor("\(name).p2.init").clone()
        let opt = make([("p1", p1), ("p2", p2)])
        for k in 0..<5 {
            p1.grad = try f.tensor("\(name).p1.grad\(k)").clone()
            p2.grad = try f.tensor("\(name).p2.grad\(k)").clone()
            opt.step()
            assertClose(p1, try f.tensor("\(name).p1.after\(k)"), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "\(name) p1 step \(k)")
            assertClose(p2, try f.tensor("\(name).p2.after\(k)"), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "\(name) p2 step \(k)")
        }
    }

    func testSGDMatchesPyTorch() throws { try run("sgd") { SGD($0, learningRate: 0.1) } }
    func testSGDMomentumDampeningWeightDecayMatchesPyTorch() throws {
        try run("sgd_momentum") { SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }
    }
    func testSGDNesterovMatchesPyTorch() throws {
        try run("sgd_nesterov") { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) }
    }
    func testAdamMatchesPyTorch() throws { try run("adam") { Adam($0, learningRate: 0.01, weightDecay: 0.01) } }
    func testAdamWMatchesPyTorch() throws { try run("adamw") { Adam.adamW($0, learningRate: 0.01, weightDecay: 0.1) } }

    func testClipGradientNormMatchesPyTorch() throws {
        let f = try fixture("optim")
        let a = Tensor.zeros([3, 4]), b = Tensor.zeros([5])
        a.grad = try f.tensor("clip.a.grad").clone()
        b.grad = try f.tensor("clip.b.grad").clone()
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        XCTAssertEqual(norm, try f.tensor("clip.norm").item(), accuracy: 1e-5)
        assertClose(a.grad!, try f.tensor("clip.a.clipped"))
        assertClose(b.grad!, try f.tensor("clip.b.clipped"))
    }

    /// Saving and restoring the state mid-run continues exactly as an uninterrupted run.
    func testAdamStateRoundTripResumesIdentically() throws {
        var rng = SplitMix64(seed: 11)
        let init0 = Tensor.randn([4, 3], using: &rng)
        let grads = (0..<6).map { _ in Tensor.randn([4, 3], using: &rng) }
        let p = init0.clone()
        let straight = Adam([("w", p)], learningRate: 0.05)
        for g in grads { p.grad = g; straight.step() }

        let q = init0.clone()
        let first = Adam([("w", q)], learningRate: 0.05)
        for g in grads.prefix(3) { q.grad = g; first.step() }
        let saved = SafeTensors.encode(first.stateDict())
        let resumed = Adam([("w", q)], learningRate: 0.05)
        try resumed.loadStateDict(SafeTensors.decode(saved, fileName: "opt").tensors)
        XCTAssertEqual(resumed.stepCount, 3)
        for g in grads.suffix(3) { q.grad = g; resumed.step() }
        XCTAssertEqual(q.scalars, p.scalars)
    }
}
