import MuseCore
import MuseStyle
import XCTest

/// The fused Gram op against the plain matrix product and its autodiff.
final class GramTests: XCTestCase {
    func testGramEqualsProductWithTransposeOverColumns() throws {
        var g = SplitMix64(seed: 1)
        let f = Tensor.randn([5, 13], using: &g)
        let ours = try f.gram().scalars
        let reference = try (f.matmul(f, transposeB: true) / 13).scalars
        for (a, b) in zip(ours, reference) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testGramGradientEqualsMatmulGradient() throws {
        var g = SplitMix64(seed: 2)
        let f = Tensor.randn([4, 9], using: &g)
        let weights = Tensor.randn([4, 4], using: &g)
        let a = f.clone(); a.requiresGrad = true
        try (a.gram() * weights).sum().backward()
        let b = f.clone(); b.requiresGrad = true
        try ((b.matmul(b, transposeB: true) / 9) * weights).sum().backward()
        for (x, y) in zip(try XCTUnwrap(a.grad).scalars, try XCTUnwrap(b.grad).scalars) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }

    /// With enough positions the forward sum is split over the cores (a partial Gram per core)
    /// and the backward product too: both must equal the plain product and its gradient.
    func testGramSplitOverTheCoresEqualsTheProductAndItsGradient() throws {
        var g = SplitMix64(seed: 3)
        let columns = 2 * 4096 + 809
        let f = Tensor.randn([6, columns], using: &g)
        let weights = Tensor.randn([6, 6], using: &g)
        let a = f.clone(); a.requiresGrad = true
        let ours = try a.gram()
        let b = f.clone(); b.requiresGrad = true
        let reference = try b.matmul(b, transposeB: true) / Float(columns)
        for (x, y) in zip(ours.scalars, reference.scalars) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(y))) }
        let gramScalars = ours.scalars
        for i in 0..<6 { for j in 0..<6 { XCTAssertEqual(gramScalars[i * 6 + j], gramScalars[j * 6 + i], "not symmetric at \(i), \(j)") } }
        try (ours * weights).sum().backward()
        try (reference * weights).sum().backward()
        for (x, y) in zip(try XCTUnwrap(a.grad).scalars, try XCTUnwrap(b.grad).scalars) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }

    func testGramRefusesARankThreeInput() {
        XCTAssertThrowsError(try Tensor.zeros([2, 3, 4]).gram())
    }
}
