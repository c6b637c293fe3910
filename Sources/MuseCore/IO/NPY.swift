import Foundation

/// Tensors as NumPy `.npy` files (float32, C order), for inspecting arrays with `numpy.load`;
/// the byte format is `NPYFile`'s (MuseSupport).
public enum NPY {
    /// `.npy` bytes for `tensor`: magic, version 1.0, a header dict padded to 64 bytes, data.
    public static func encode(_ tensor: Tensor) -> Data {
        NPYFile.encode(UnsafeBufferPointer(start: tensor.storage.pointer, count: tensor.count), shape: tensor.shape)
    }

    /// Writes `tensor` as `.npy` (temp file + rename). - Throws: `SupportError.io`.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }

    /// Reads a `.npy` file of `<f4`/`<f8` C-order data.
    /// - Throws: `SupportError` naming the file and the field that is wrong.
    public static func read(contentsOf url: URL) throws -> Tensor {
        try tensor(NPYFile.read(url.path), file: url.path)
    }

    /// Decodes `.npy` bytes; `fileName` names them in errors.
    /// - Throws: `SupportError.badFile` naming the field that is wrong (complex arrays included).
    public static func decode(_ data: Data, fileName: String) throws -> Tensor {
        try tensor(NPYFile.decode(data, file: fileName), file: fileName)
    }

    static func tensor(_ contents: NPYFile.Contents, file: String) throws -> Tensor {
        guard !contents.isComplex else { throw SupportError.badFile(file: file, field: "descr", reason: "complex arrays are not tensors") }
        return try Tensor(contents.values, shape: contents.shape)
    }
}
