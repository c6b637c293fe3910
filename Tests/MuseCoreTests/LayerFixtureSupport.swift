import Foundation
import MuseCore
import XCTest
import _MuseTestSupport

/// One case of a layers_*.safetensors file written by scripts/make_core_layer_fixtures.py.
struct LayerCase {
    let name: String
    let file: [String: Tensor]

    /// `name.<key>` from the file.
    func tensor(_ key: String) throws -> Tensor { try file.tensor("\(name).\(key)") }
    /// `name.<key>` if present.
    func optional(_ key: String) -> Tensor? { file["\(name).\(key)"] }
    /// The hyper-parameter vector `name.config` as integers.
    func config() throws -> [Int] { try tensor("config").scalars.map { Int($0) } }
    /// Tensors stored under `name.<group>.` keyed by their PyTorch name.
    func group(_ group: String) -> [String: Tensor] {
        let prefix = "\(name).\(group)."
        return Dictionary(uniqueKeysWithValues: file.compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value.clone()) : nil
        })
    }

    /// Loads the case's parameters and buffers into `module` (strict, so names must match 1:1).
    func load(into module: any Module) throws {
        try module.loadStateDict(group("param"), strict: true, source: name)
    }

    /// Back-propagates sum(out · w) and compares the output and every gradient PyTorch saved.
    func check(output: Tensor, inputs: [String: Tensor], module: any Module, relativeTolerance: Float,
               absoluteTolerance: Float, file: StaticString = #filePath, line: UInt = #line) throws {
        assertClose(output, try tensor("out"), relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                    "\(name) forward", file: file, line: line)
        try (output * tensor("w")).sum().backward()
        let expected = group("grad")
        for (key, x) in inputs {
            guard let g = expected[key] else { continue }
            guard let actual = x.grad else { XCTFail("\(name): no gradient for \(key)", file: file, line: line); continue }
            assertClose(actual, g, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                        "\(name) grad \(key)", file: file, line: line)
        }
        for (key, p) in module.namedParameters() {
            guard let g = expected[key] else { XCTFail("\(name): PyTorch has no gradient for \(key)", file: file, line: line); continue }
            guard let actual = p.grad else { XCTFail("\(name): no gradient for \(key)", file: file, line: line); continue }
            assertClose(actual, g, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                        "\(name) grad \(key)", file: file, line: line)
        }
    }
}

/// The cases of one layers_*.safetensors file, by name (sorted).
func layerCases(_ fileName: String) throws -> [LayerCase] {
    let f = try fixture(fileName)
    let names = Set(f.keys.compactMap { $0.hasSuffix(".config") ? String($0.dropLast(".config".count)) : nil })
    return names.sorted().map { LayerCase(name: $0, file: f) }
}
