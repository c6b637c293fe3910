import Foundation

/// NumPy `.npy` (format 1.0) for float32 arrays: what `muse spectrogram --npy` writes and what the
/// tests read librosa's expectations from.
///
/// Writing: little-endian `<f4`, C order, header padded to 64 bytes, via temp file + rename, so
/// `np.load(path)` gives the array with `shape`. Reading accepts `<f4`, `<f8` (rounded to float),
/// `<c8` (interleaved re, im) in C order, and checks the header and sizes before allocating.
public enum NPYFile {
    /// Writes `values` (row-major `shape`) as a float32 `.npy`.
    /// - Throws: `DSPError.shapeMismatch` when `shape` does not hold `values.count` elements;
    ///   `.writeFailed`.
    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw DSPError.shapeMismatch(what: "npy data", expected: "\(shape)", got: "\(values.count) values")
        }
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DSPError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// A float array read from a `.npy` file.
    public struct Contents: Equatable, Sendable {
        /// Dimensions, C order.
        public var shape: [Int]
        /// Elements, row-major; complex arrays hold interleaved (re, im) pairs.
        public var values: [Float]
        /// True when the file held complex64 (`<c8`).
        public var isComplex: Bool
    }

    /// Largest element count a read will allocate (2^28).
    public static let maxElementCount = 1 << 28

    /// Reads a `<f4`, `<f8` or `<c8` C-order `.npy`.
    /// - Throws: `DSPError.badNPY` naming the field (magic, header, descr, shape, data).
    public static func read(_ path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DSPError.badNPY(path: path, field: "file", reason: "cannot read")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw DSPError.badNPY(path: path, field: "magic", reason: "not a .npy file")
        }
        let major = bytes[6]
        var headerStart = 10
        var headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        if major >= 2 {
            guard bytes.count >= 12 else { throw DSPError.badNPY(path: path, field: "header", reason: "truncated") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        }
        guard headerStart + headerLength <= bytes.count else {
            throw DSPError.badNPY(path: path, field: "header", reason: "length \(headerLength) past end of file")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let r = header.range(of: "'\(key)':") else { return nil }
            return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let quote = descrField.dropFirst().firstIndex(of: "'") else {
            throw DSPError.badNPY(path: path, field: "descr", reason: "missing")
        }
        let descr = String(descrField[descrField.index(after: descrField.startIndex)..<quote])
        guard let fortran = field("fortran_order"), fortran.hasPrefix("False") else {
            throw DSPError.badNPY(path: path, field: "fortran_order", reason: "only C order is supported")
        }
        guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("),
              let close = shapeField.firstIndex(of: ")") else {
            throw DSPError.badNPY(path: path, field: "shape", reason: "missing")
        }
        let dims = shapeField[shapeField.index(after: open)..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape = [Int]()
        for d in dims {
            guard let v = Int(d), v >= 0, v <= maxElementCount else {
                throw DSPError.badNPY(path: path, field: "shape", reason: "bad dimension '\(d)'")
            }
            shape.append(v)
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= maxElementCount else {
            throw DSPError.badNPY(path: path, field: "shape", reason: "\(count) elements exceed \(maxElementCount)")
        }
        let itemSize: Int
        switch descr {
        case "<f4": itemSize = 4
        case "<f8", "<c8": itemSize = 8
        default: throw DSPError.badNPY(path: path, field: "descr", reason: "unsupported dtype \(descr)")
        }
        let start = headerStart + headerLength
        guard bytes.count - start >= count * itemSize else {
            throw DSPError.badNPY(path: path, field: "data", reason: "needs \(count * itemSize) bytes, has \(bytes.count - start)")
        }
        var values = [Float]()
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            switch descr {
            case "<f4", "<c8":
                let n = descr == "<c8" ? 2 * count : count
                values = (0..<n).map { Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            default:
                values = (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))) }
            }
        }
        return Contents(shape: shape, values: values, isComplex: descr == "<c8")
    }
}
