import Foundation

/// NumPy `.npy` files of float arrays (format 1.0–3.0): what `muse spectrogram --npy` writes, what
/// tests read peers' expectations from, and what tensors are exported as for `numpy.load`.
/// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
///
/// Writing: little-endian `<f4`, C order, version 1.0, header padded to a multiple of 64 bytes,
/// through a temporary file and a rename. Reading accepts `<f4`, `<f8` (rounded to float) and
/// `<c8` (interleaved re, im) in C order, and checks the header and every size before allocating.
public enum NPYFile {
    /// A float array read from a `.npy` file.
    public struct Contents: Equatable, Sendable {
        /// Dimensions, C order.
        public var shape: [Int]
        /// Elements, row-major; complex arrays hold interleaved (re, im) pairs.
        public var values: [Float]
        /// True when the file held complex64 (`<c8`).
        public var isComplex: Bool
    }

    /// Largest element count a read will allocate (2^28, 1 GiB of floats).
    public static let maxElementCount = 1 << 28

    /// The bytes of a float32 `.npy` holding `values` with `shape` (row-major).
    /// - Precondition: `shape` holds `values.count` elements (programmer error otherwise).
    public static func encode(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> Data {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count, "npy shape \(shape) does not hold \(values.count) values")
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }".utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (64 - (10 + header.count + 1) % 64) % 64))
        header.append(0x0A)
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)])
        data.reserveCapacity(data.count + header.count + 4 * values.count)
        data.append(contentsOf: header)
        data.append(UnsafeRawBufferPointer(values).bindMemory(to: UInt8.self))
        return data
    }

    /// Writes `values` (row-major `shape`) as a float32 `.npy`, atomically.
    /// - Throws: `SupportError.badFile` when `shape` does not hold `values.count` elements, `.io`.
    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw SupportError.badFile(file: path, field: "shape", reason: "shape \(shape) does not hold \(values.count) values")
        }
        try AtomicFile.write(values.withUnsafeBufferPointer { encode($0, shape: shape) }, to: URL(fileURLWithPath: path))
    }

    /// Reads a `<f4`, `<f8` or `<c8` C-order `.npy` file.
    /// - Throws: `SupportError.io` if unreadable, `.badFile` naming the field (magic, header, descr,
    ///   fortran_order, shape, data).
    public static func read(_ path: String) throws -> Contents {
        try decode(AtomicFile.read(URL(fileURLWithPath: path), maximumBytes: 64 + 8 * maxElementCount + (1 << 20)), file: path)
    }

    /// Decodes `.npy` bytes; `file` names them in errors.
    /// - Throws: `SupportError.badFile` naming the field that is wrong.
    public static func decode(_ data: Data, file: String) throws -> Contents {
        func bad(_ field: String, _ reason: String) -> SupportError { .badFile(file: file, field: field, reason: reason) }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Contents in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
                throw bad("magic", "not a .npy file")
            }
            let major = bytes[6]
            guard (1...3).contains(major) else { throw bad("header", "unsupported .npy version \(major)") }
            var headerStart = 10
            var headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            if major >= 2 {
                guard bytes.count >= 12 else { throw bad("header", "header length cut short") }
                headerLength |= Int(bytes[10]) << 16 | Int(bytes[11]) << 24
                headerStart = 12
            }
            guard headerLength <= bytes.count - headerStart else {
                throw bad("header", "length \(headerLength) runs past the end of the file (\(bytes.count - headerStart) bytes follow)")
            }
            let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
            func field(_ key: String) -> Substring? {
                guard let r = header.range(of: "'\(key)':") else { return nil }
                return header[r.upperBound...].drop(while: { $0 == " " })
            }
            guard let descrField = field("descr"), descrField.first == "'",
                  let quote = descrField.dropFirst().firstIndex(of: "'") else { throw bad("descr", "missing") }
            let descr = String(descrField[descrField.index(after: descrField.startIndex)..<quote])
            guard let fortran = field("fortran_order"), fortran.hasPrefix("False") else {
                throw bad("fortran_order", "only C order is supported")
            }
            guard let shapeField = field("shape"), let open = shapeField.firstIndex(of: "("),
                  let close = shapeField.firstIndex(of: ")"), open < close else { throw bad("shape", "missing") }
            var shape = [Int](), count = 1
            for part in shapeField[shapeField.index(after: open)..<close].split(separator: ",") {
                let d = part.trimmingCharacters(in: .whitespaces)
                if d.isEmpty { continue }
                guard let v = Int(d), v >= 0, v <= maxElementCount else { throw bad("shape", "bad dimension '\(d)'") }
                let (product, overflow) = count.multipliedReportingOverflow(by: v)
                guard !overflow, product <= maxElementCount else {
                    throw bad("shape", "more than \(maxElementCount) elements")
                }
                shape.append(v)
                count = product
            }
            let itemSize: Int
            switch descr {
            case "<f4", "=f4": itemSize = 4
            case "<f8", "=f8", "<c8", "=c8": itemSize = 8
            default: throw bad("descr", "unsupported dtype \(descr) (float32, float64 or complex64)")
            }
            let start = headerStart + headerLength
            guard bytes.count - start >= count * itemSize else {
                throw bad("data", "shape \(shape) needs \(count * itemSize) bytes, \(bytes.count - start) present")
            }
            let base = raw.baseAddress! + start
            let isComplex = descr.hasSuffix("c8")
            let values: [Float]
            if itemSize == 4 || isComplex {
                let n = isComplex ? 2 * count : count
                values = [Float](filledCount: n) { out in
                    for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                }
            } else {
                values = [Float](filledCount: count) { out in
                    for i in 0..<count { out[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                }
            }
            return Contents(shape: shape, values: values, isComplex: isComplex)
        }
    }
}
