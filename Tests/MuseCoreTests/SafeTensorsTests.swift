import Foundation
import MuseCore
import XCTest
import _MuseTestSupport

final class SafeTensorsTests: XCTestCase {
    /// A header + data built by hand, for malformed-file tests.
    func file(header: String, data: [UInt8] = [], lengthOverride: UInt64? = nil) -> Data {
        var out = Data()
        var len = (lengthOverride ?? UInt64(header.utf8.count)).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    func expectError(_ data: Data, _ expected: TensorError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(data, fileName: "m.safetensors"), file: file, line: line) { e in
            XCTAssertEqual(e as? TensorError, expected, file: file, line: line)
        }
    }

    func testReadsFileWrittenByPythonSafetensors() throws {
        let (t, meta) = try SafeTensors.readWithMetadata(contentsOf: fixturesFolder.appendingPathComponent("interop.safetensors"))
        XCTAssertEqual(t["a"]?.shape, [2, 3])
        XCTAssertEqual(t["a"]?.scalars, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(t["scalar"]?.shape, [])
        XCTAssertEqual(t["scalar"]?.item(), 3.5)
        XCTAssertEqual(t["empty"]?.shape, [0, 4])
        XCTAssertEqual(t["lstm.weight_ih_l0"]?.shape, [8, 3])
        XCTAssertEqual(meta, ["format": "pt", "step": "12"])
    }

    func testWriteThenReadRoundTripsAndHeaderIsEightByteAligned() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("muse-core-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let a = try Tensor([1, -2, 3.25, 4, 5, 6], shape: [3, 2])
        try SafeTensors.write(["w\"eird name": a, "s": Tensor(scalar: 7)], metadata: ["format": "pt"], to: url)
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0)
        let (t, meta) = try SafeTensors.readWithMetadata(contentsOf: url)
        XCTAssertEqual(t["w\"eird name"]?.scalars, a.scalars)
        XCTAssertEqual(t["s"]?.shape, [])
        XCTAssertEqual(meta["format"], "pt")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(".\(url.lastPathComponent).tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testTruncatedAndEmptyFilesAreReported() {
        expectError(Data(), .truncatedFile(file: "m.safetensors", reason: "0 bytes, need at least 8 for the header length"))
        expectError(Data([1, 2, 3]), .truncatedFile(file: "m.safetensors", reason: "3 bytes, need at least 8 for the header length"))
        expectError(file(header: "{}", lengthOverride: 100),
                    .truncatedFile(file: "m.safetensors", reason: "header length 100 but only 2 bytes follow"))
    }

    func testAbsurdHeaderLengthIsRejectedBeforeAllocating() {
        expectError(file(header: "{}", lengthOverride: 1 << 60),
                    .malformedHeader(file: "m.safetensors", reason: "header length 1152921504606846976 exceeds 100000000 bytes"))
    }

    func testMalformedJSONIsReported() {
        expectError(file(header: "{\"a\": [1, "), .malformedHeader(file: "m.safetensors", reason: "header is not a JSON object"))
        expectError(file(header: "{\"a\": {\"dtype\": \"F32\"}}"),
                    .malformedHeader(file: "m.safetensors", reason: "tensor 'a' lacks dtype, shape or data_offsets"))
    }

    func testWrongDtypeNamesTheTensor() {
        expectError(file(header: "{\"x\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", data: [0, 0, 0, 0]),
                    .unsupportedDtype(file: "m.safetensors", tensor: "x", dtype: "F16"))
    }

    func testOffsetsPastTheEndOrNotMatchingTheShapeNameTheTensor() {
        expectError(file(header: "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", data: [0, 0, 0, 0]),
                    .badOffsets(file: "m.safetensors", tensor: "x", reason: "end 8 past the 4-byte data section"))
        expectError(file(header: "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", data: [0, 0, 0, 0]),
                    .badOffsets(file: "m.safetensors", tensor: "x", reason: "4 bytes for shape [2] of F32 (8 needed)"))
        expectError(file(header: "{\"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", data: [0, 0, 0, 0]),
                    .badOffsets(file: "m.safetensors", tensor: "x", reason: "begin 4 > end 0"))
        expectError(file(header: "{\"x\": {\"dtype\": \"F32\", \"shape\": [1099511627776, 1099511627776], \"data_offsets\": [0, 0]}}"),
                    .badOffsets(file: "m.safetensors", tensor: "x", reason: "shape [1099511627776, 1099511627776] is too large"))
    }

    func testLoadingAModuleFromAFileMissingAParameterNamesFileAndTensor() throws {
        var rng = SplitMix64(seed: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("muse-core-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(["weight": Tensor.zeros([3, 2])], to: url)
        let m = Linear(inFeatures: 2, outFeatures: 3, using: &rng)
        XCTAssertThrowsError(try m.load(from: url)) { e in
            XCTAssertEqual(e as? TensorError, .missingTensor(file: url.path, tensor: "bias"))
        }
        let n = Linear(inFeatures: 2, outFeatures: 3, using: &rng)
        try n.save(to: url)
        try m.load(from: url)
        XCTAssertEqual(m.weight.scalars, n.weight.scalars)
    }

    /// Seeded byte mutations of a valid file never crash the reader: each either decodes or
    /// throws a `TensorError`.
    func testMutatedFilesNeverCrash() throws {
        var rng = SplitMix64(seed: 2024)
        let valid = SafeTensors.encode(["a": Tensor.randn([3, 4], using: &rng), "b": Tensor(scalar: 1)], metadata: ["k": "v"])
        for _ in 0..<2000 {
            var bytes = [UInt8](valid)
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count))) }
            do { _ = try SafeTensors.decode(Data(bytes), fileName: "fuzz") } catch is TensorError {} catch {
                XCTFail("non-TensorError \(error)")
            }
        }
    }

    func testNPYMatchesNumPyByteForByteAndReadsBack() throws {
        let url = fixturesFolder.appendingPathComponent("interop.npy")
        let expected = try Data(contentsOf: url)
        let t = try NPY.read(contentsOf: url)
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.scalars, [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(NPY.encode(t), expected)
        XCTAssertThrowsError(try NPY.decode(Data([1, 2, 3]), fileName: "x.npy")) { e in
            XCTAssertEqual(e as? SupportError, .badFile(file: "x.npy", field: "magic", reason: "not a .npy file"))
        }
        XCTAssertThrowsError(try NPY.decode(expected.prefix(100), fileName: "x.npy"))
    }

    func testNPYEmptyAbsurdAndMutatedInputsThrowTypedErrors() throws {
        XCTAssertThrowsError(try NPY.decode(Data(), fileName: "e.npy")) { e in
            XCTAssertEqual(e as? SupportError, .badFile(file: "e.npy", field: "magic", reason: "not a .npy file"))
        }
        let valid = NPY.encode(try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        var absurd = [UInt8](valid)
        absurd[8] = 0xFF; absurd[9] = 0xFF  // header length 65535
        XCTAssertThrowsError(try NPY.decode(Data(absurd), fileName: "a.npy")) { e in
            guard case .badFile(_, "header", _)? = e as? SupportError else { return XCTFail("\(e)") }
        }
        let huge = String(decoding: valid, as: UTF8.self).replacingOccurrences(of: "(2, 3)", with: "(999999999999, 999999)")
        XCTAssertThrowsError(try NPY.decode(Data(huge.utf8), fileName: "h.npy"))
        var rng = SplitMix64(seed: 77)
        for _ in 0..<2000 {
            var bytes = [UInt8](valid)
            for _ in 0..<(1 + Int(rng.next() % 3)) { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count))) }
            do { _ = try NPY.decode(Data(bytes), fileName: "fuzz.npy") } catch is SupportError {} catch { XCTFail("\(error)") }
        }
    }
}
