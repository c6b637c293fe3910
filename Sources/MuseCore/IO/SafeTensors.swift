import Foundation

/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length N, N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`,
/// then the raw little-endian data. Files we write open with `safetensors.torch.load_file`, and
/// files it writes (F32) open here. Every length and offset is validated before use.
public enum SafeTensors {
    /// Largest header accepted (the reference implementation's limit is 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    /// Reads every tensor of a file. - Throws: `TensorError` naming the file and tensor.
    public static func read(contentsOf url: URL) throws -> [String: Tensor] {
        try decode(AtomicFile.read(url), fileName: url.path).tensors
    }

    /// Reads every tensor and the `__metadata__` string map of a file.
    public static func readWithMetadata(contentsOf url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try decode(AtomicFile.read(url), fileName: url.path)
    }

    /// Decodes safetensors bytes; `fileName` is used in error messages.
    /// - Throws: `TensorError.truncatedFile`, `.malformedHeader`, `.unsupportedDtype`, `.badOffsets`.
    public static func decode(_ data: Data, fileName: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard data.count >= 8 else {
            throw TensorError.truncatedFile(file: fileName, reason: "\(data.count) bytes, need at least 8 for the header length")
        }
        let headerLength = data.withUnsafeBytes { raw -> UInt64 in
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(raw[i]) << (8 * UInt64(i)) }
            return v
        }
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw TensorError.malformedHeader(file: fileName, reason: "header length \(headerLength) exceeds \(maximumHeaderBytes) bytes")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw TensorError.truncatedFile(file: fileName, reason: "header length \(headerLength) but only \(data.count - 8) bytes follow")
        }
        let n = Int(headerLength)
        let headerData = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + n)
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw TensorError.malformedHeader(file: fileName, reason: "header is not a JSON object")
        }
        let dataStart = 8 + n
        let dataLength = data.count - dataStart
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else {
                    throw TensorError.malformedHeader(file: fileName, reason: "__metadata__ is not an object")
                }
                for (k, v) in m {
                    guard let s = v as? String else {
                        throw TensorError.malformedHeader(file: fileName, reason: "__metadata__ value of '\(k)' is not a string")
                    }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeAny = entry["shape"] as? [Any], let offsAny = entry["data_offsets"] as? [Any] else {
                throw TensorError.malformedHeader(file: fileName, reason: "tensor '\(name)' lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else { throw TensorError.unsupportedDtype(file: fileName, tensor: name, dtype: dtype) }
            let shape = try shapeAny.map { v -> Int in
                guard let i = integer(v), i >= 0 else {
                    throw TensorError.malformedHeader(file: fileName, reason: "tensor '\(name)' has a bad shape entry \(v)")
                }
                return i
            }
            guard offsAny.count == 2, let begin = integer(offsAny[0]), let end = integer(offsAny[1]) else {
                throw TensorError.badOffsets(file: fileName, tensor: name, reason: "data_offsets must be two integers")
            }
            var elements = 1
            for d in shape {
                let (p, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, p <= Int(UInt32.max) * 4 else {
                    throw TensorError.badOffsets(file: fileName, tensor: name, reason: "shape \(shape) is too large")
                }
                elements = p
            }
            guard begin >= 0, begin <= end else {
                throw TensorError.badOffsets(file: fileName, tensor: name, reason: "begin \(begin) > end \(end)")
            }
            guard end <= dataLength else {
                throw TensorError.badOffsets(file: fileName, tensor: name, reason: "end \(end) past the \(dataLength)-byte data section")
            }
            guard end - begin == elements * 4 else {
                throw TensorError.badOffsets(file: fileName, tensor: name,
                                             reason: "\(end - begin) bytes for shape \(shape) of F32 (\(elements * 4) needed)")
            }
            let t = Tensor(uninitializedShape: shape)
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + dataStart + begin
                UnsafeMutableRawPointer(t.storage.pointer).copyMemory(from: src, byteCount: elements * 4)
            }
            tensors[name] = t
        }
        return (tensors, metadata)
    }

    /// A JSON number that is an exact integer.
    static func integer(_ v: Any) -> Int? {
        guard let n = v as? NSNumber else { return nil }
        let d = n.doubleValue
        guard d == d.rounded(), Swift.abs(d) < 9e15 else { return nil }
        return n.intValue
    }

    /// Encodes tensors (sorted by name) and optional metadata as safetensors bytes.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            entries.append("\"__metadata__\":{\(m)}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = t.count * 4
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad with spaces, as the reference writer
        var out = Data(capacity: 8 + header.count + offset)
        var len = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for name in names {
            let t = tensors[name]!
            out.append(UnsafeBufferPointer(start: t.storage.pointer, count: t.count))
        }
        return out
    }

    /// Writes tensors to `url` (temp file + rename). - Throws: `TensorError.io`.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
