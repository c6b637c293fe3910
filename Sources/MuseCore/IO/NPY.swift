import Foundation

/// NumPy `.npy` (format 1.0, `<f4`, C order) writer and reader, for inspecting arrays with
/// `numpy.load`. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
public enum NPY {
    /// `.npy` bytes for `tensor`: magic, version 1.0, a header dict padded to 64 bytes, data.
    public static func encode(_ tensor: Tensor) -> Data {
        let shapeText = tensor.rank == 1 ? "(\(tensor.shape[0]),)" : "(\(tensor.shape.map(String.init).joined(separator: ", ")))"
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        let total = 10 + header.count + 1
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (64 - total % 64) % 64))
        header.append(0x0A)
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)])
        out.append(contentsOf: header)
        out.append(UnsafeBufferPointer(start: tensor.storage.pointer, count: tensor.count))
        return out
    }

    /// Writes `tensor` as `.npy` (temp file + rename). - Throws: `TensorError.io`.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }

    /// Reads a `.npy` file of `<f4` C-order data. - Throws: `TensorError` naming the file.
    public static func read(contentsOf url: URL) throws -> Tensor {
        try decode(AtomicFile.read(url), fileName: url.path)
    }

    /// Decodes `.npy` bytes (versions 1.0–3.0, `<f4`, C order).
    /// - Throws: `TensorError.malformedHeader`, `.truncatedFile`, `.unsupportedDtype`.
    public static func decode(_ data: Data, fileName: String) throws -> Tensor {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw TensorError.malformedHeader(file: fileName, reason: "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        if major == 1 {
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        } else if major == 2 || major == 3 {
            guard bytes.count >= 12 else { throw TensorError.truncatedFile(file: fileName, reason: "header length cut short") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        } else {
            throw TensorError.malformedHeader(file: fileName, reason: "unsupported .npy version \(major)")
        }
        guard headerLength <= data.count - headerStart else {
            throw TensorError.truncatedFile(file: fileName, reason: "header of \(headerLength) bytes but \(data.count - headerStart) follow")
        }
        let headerBytes = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        guard let header = String(data: headerBytes, encoding: .utf8) ?? String(data: headerBytes, encoding: .isoLatin1) else {
            throw TensorError.malformedHeader(file: fileName, reason: "header is not text")
        }
        guard let descr = field(header, "descr") else { throw TensorError.malformedHeader(file: fileName, reason: "no 'descr'") }
        guard descr.contains("<f4") || descr.contains("=f4") else {
            throw TensorError.unsupportedDtype(file: fileName, tensor: "array", dtype: descr)
        }
        guard let fortran = field(header, "fortran_order"), fortran.hasPrefix("False") else {
            throw TensorError.malformedHeader(file: fileName, reason: "only C order (fortran_order False) is supported")
        }
        guard let shapeText = field(header, "shape"), let open = shapeText.firstIndex(of: "("),
              let close = shapeText.firstIndex(of: ")") else {
            throw TensorError.malformedHeader(file: fileName, reason: "no 'shape' tuple")
        }
        var shape: [Int] = []
        for part in shapeText[shapeText.index(after: open)..<close].split(separator: ",") {
            let s = part.trimmingCharacters(in: .whitespaces)
            if s.isEmpty { continue }
            guard let d = Int(s), d >= 0 else { throw TensorError.malformedHeader(file: fileName, reason: "bad shape entry '\(s)'") }
            shape.append(d)
        }
        var elements = 1
        for d in shape {
            let (p, o) = elements.multipliedReportingOverflow(by: d)
            guard !o, p < Int.max / 8 else { throw TensorError.malformedHeader(file: fileName, reason: "shape \(shape) too large") }
            elements = p
        }
        let dataStart = headerStart + headerLength
        guard data.count - dataStart >= elements * 4 else {
            throw TensorError.truncatedFile(file: fileName, reason: "shape \(shape) needs \(elements * 4) data bytes, \(data.count - dataStart) present")
        }
        let t = Tensor(uninitializedShape: shape)
        data.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(t.storage.pointer).copyMemory(from: raw.baseAddress! + dataStart, byteCount: elements * 4)
        }
        return t
    }

    /// The text after `'key':` in a header dict, up to the end.
    static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        return header[r.upperBound...].trimmingCharacters(in: .whitespaces)
    }
}
