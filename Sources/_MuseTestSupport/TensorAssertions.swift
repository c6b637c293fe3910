import Foundation
import MuseCore
import XCTest

/// Asserts two tensors have the same shape and every element satisfies
/// `|a − b| <= absoluteTolerance + relativeTolerance · |b|` (numpy.allclose's rule; `b` is the
/// expected value).
public func assertClose(_ actual: Tensor, _ expected: Tensor, relativeTolerance: Float = 1e-5,
                        absoluteTolerance: Float = 1e-6, _ message: String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars, b = expected.scalars
    var worst = 0, worstExcess: Float = -.infinity
    for i in 0..<a.count {
        let excess = Swift.abs(a[i] - b[i]) - (absoluteTolerance + relativeTolerance * Swift.abs(b[i]))
        if excess > worstExcess || excess.isNaN { worstExcess = excess.isNaN ? .infinity : excess; worst = i }
        if a[i].isNaN != b[i].isNaN { worstExcess = .infinity; worst = i; break }
    }
    if worstExcess > 0 {
        XCTFail("\(message) element \(worst): \(a[worst]) vs expected \(b[worst]) (shape \(actual.shape))", file: file, line: line)
    }
}

/// Compares the analytic gradients of `f` (reduced to a scalar against fixed random weights)
/// with central finite differences in every input element that requires grad.
///
/// Float32 central differences with step `epsilon` carry error ~ `f″′·ε²` plus rounding
/// ~ `ulp(f)/ε`; with ε = 1e-2 on O(1) values the agreement to expect is ~1e-3 relative, hence
/// the default tolerance 2e-2 (absolute + relative), which still catches every wrong formula
/// (those are off by O(1)).
public func checkGradients(_ inputs: [Tensor], _ message: String = "", epsilon: Float = 1e-2, tolerance: Float = 2e-2, seed: UInt64 = 7,
                           file: StaticString = #filePath, line: UInt = #line,
                           _ f: ([Tensor]) throws -> Tensor) throws {
    var rng = SplitMix64(seed: seed)
    let probe = try f(inputs)
    let weights = Tensor.uniform(probe.shape, low: 0.5, high: 1.5, using: &rng)
    func objective() throws -> Tensor { try (f(inputs) * weights).sum() }
    for x in inputs { x.grad = nil }
    try objective().backward()
    for (n, x) in inputs.enumerated() where x.requiresGrad {
        guard let g = x.grad else { XCTFail("\(message) input \(n) got no gradient", file: file, line: line); continue }
        let analytic = g.scalars
        for i in 0..<x.count {
            let old = x.withUnsafeBufferPointer { $0[i] }
            x.withUnsafeMutableBufferPointer { $0[i] = old + epsilon }
            let up = try noGrad { try objective().item() }
            x.withUnsafeMutableBufferPointer { $0[i] = old - epsilon }
            let down = try noGrad { try objective().item() }
            x.withUnsafeMutableBufferPointer { $0[i] = old }
            let numeric = (up - down) / (2 * epsilon)
            if Swift.abs(numeric - analytic[i]) > tolerance * (1 + Swift.abs(numeric)) {
                XCTFail("\(message) input \(n) element \(i): analytic \(analytic[i]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}

/// Loads `<name>.safetensors` from a fixtures folder.
public func loadFixture(_ name: String, in folder: URL) throws -> [String: Tensor] {
    try SafeTensors.read(contentsOf: folder.appendingPathComponent("\(name).safetensors"))
}

extension Dictionary where Key == String, Value == Tensor {
    /// The tensor named `key`, or a thrown `TensorError.missingTensor`.
    public func tensor(_ key: String) throws -> Tensor {
        guard let t = self[key] else { throw TensorError.missingTensor(file: "fixture", tensor: key) }
        return t
    }
}

/// Every parameter of `model` got a gradient equal to the fixture's `grad.<name>` (1e-3 relative + 1e-4 absolute).
public func assertGradientsMatch(_ model: some Module, _ fixture: [String: Tensor], file: StaticString = #filePath, line: UInt = #line) throws {
    for (name, parameter) in model.namedParameters() {
        guard let grad = parameter.grad else { XCTFail("\(name) got no gradient", file: file, line: line); continue }
        assertClose(grad, try fixture.tensor("grad." + name), relativeTolerance: 1e-3, absoluteTolerance: 1e-4, "grad \(name)", file: file, line: line)
    }
}
